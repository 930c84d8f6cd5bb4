from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from organizations.selectors import posts_of
from portal.health import health_report


@never_cache
@require_GET
def healthz(request):
    ok, report = health_report()
    return JsonResponse(report, status=200 if ok else 503)


@login_required
def home(request):
    """Staff home: the user's posts and what they may use."""
    return render(
        request,
        "portal/home.html",
        {
            "posts": posts_of(request.user),
            "app_list": admin.site.get_app_list(request) if request.user.is_staff else [],
        },
    )
