import logging

from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from organizations.selectors import posts_of
from portal.health import health_report
from portal.workbench import workbench_items

logger = logging.getLogger(__name__)


@never_cache
@require_GET
@transaction.non_atomic_requests  # ATOMIC_REQUESTS would need the database before we can say it is down
def healthz(request):
    """Always JSON, for monitors and compose: 200 when every part is fine, else 503 naming it."""
    try:
        ok, report = health_report()
    except Exception as exc:  # a health endpoint that answers an HTML 500 tells a monitor nothing
        logger.exception("health report failed")
        ok, report = (
            False,
            {"status": "error", "failing": ["health"], "health": {"ok": False, "info": type(exc).__name__}},
        )
    return JsonResponse(report, status=200 if ok else 503, json_dumps_params={"ensure_ascii": False})


@login_required
def home(request):
    """Staff home: what needs the user today (工作台), their posts, and what they may use."""
    # What waits comes first, in the day's order; the rest stays below as a quiet "nothing here".
    items = sorted(workbench_items(request.user), key=lambda item: not item.pending)
    return render(
        request,
        "portal/home.html",
        {
            "items": items,
            "pending": sum(1 for item in items if item.pending),
            "posts": posts_of(request.user),
            "app_list": admin.site.get_app_list(request) if request.user.is_staff else [],
        },
    )
