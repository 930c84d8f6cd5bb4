"""The station manager's phone pages (站长工作页: 六个一 self-check one item at a time, 聚心行动,
recent one-tap feedback, links offered by higher floors) and the riders' one-tap feedback.

Each view parses input, checks the permission and calls a service of ``stations.services``.
"""

from __future__ import annotations

from datetime import date, timedelta

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db.models import Count, Sum
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from core.http import client_ip
from core.text import clean_code
from organizations.scope import get_visible_or_404
from stations.models import CareActivity, InspectionItem, Station, StationFeedback, Visit
from stations.phone_actions import manager_actions_for
from stations.services import (
    MAX_PHOTOS_PER_INSPECTION,
    care_activity_record,
    inspection_record,
    station_feedback_submit,
)

# A rider may tap a few times (water, then power); a script may not flood the manager's page.
FEEDBACK_LIMIT = (6, 3600)


def _station(request, code: str) -> Station:
    return get_visible_or_404(Station.objects.select_related("territory"), request.user, code=clean_code(code))


@login_required
def manage(request, code: str):
    """/stations/<code>/manage/ — what the manager does on a phone, one tap away each."""
    station = _station(request, code)
    today = timezone.localdate()
    since = timezone.now() - timedelta(days=7)
    feedback = StationFeedback.objects.filter(station=station, created_at__gte=since)
    labels = dict(StationFeedback.Kind.choices)
    return render(
        request,
        "stations/manage.html",
        {
            "station": station,
            "today_visits": Visit.objects.filter(station=station, day=today).aggregate(n=Sum("count"))["n"] or 0,
            "last_inspection": station.inspections.order_by("-inspected_on", "-id").first(),
            "feedback_counts": [
                (labels.get(row["kind"], row["kind"]), row["n"])
                for row in feedback.values("kind").annotate(n=Count("id")).order_by("-n", "kind")
            ],
            "feedback_recent": list(feedback[:10]),
            "feedback_total": feedback.count(),
            "activities": list(CareActivity.objects.filter(station=station)[:5]),
            "actions": manager_actions_for(station, request),
        },
    )


def _forbidden(message: str) -> HttpResponse:
    return HttpResponse(message, status=403, content_type="text/plain; charset=utf-8")


@login_required
@require_http_methods(["GET", "POST"])
def inspect(request, code: str):
    """/stations/<code>/inspect/ — a 六个一 inspection, one checklist item per screen (the
    script steps through them; without it every item shows on one page), then photos."""
    station = _station(request, code)
    if not request.user.has_perm("stations.add_inspection"):
        return _forbidden("您没有录入“六个一”检查的权限")
    items = list(InspectionItem.objects.filter(is_active=True).order_by("sort_order", "id"))
    today = timezone.localdate()
    errors: list[str] = []
    chosen: dict[int, str] = {}
    if request.method == "POST":
        results, notes = {}, {}
        for item in items:
            raw = request.POST.get(f"item{item.pk}", "")
            chosen[item.pk] = raw
            if raw in ("1", "0"):
                results[item.pk] = raw == "1"
            notes[item.pk] = request.POST.get(f"note{item.pk}", "")
        try:
            inspected_on = date.fromisoformat(request.POST.get("inspected_on") or today.isoformat())
        except ValueError:
            errors.append("检查日期格式不正确，请用 年-月-日")
        if not errors:
            try:
                inspection = inspection_record(
                    station=station,
                    inspected_on=inspected_on,
                    inspector=request.user,
                    results=results,
                    result_notes=notes,
                    notes=request.POST.get("notes", ""),
                    photos=request.FILES.getlist("photos"),
                )
            except ValidationError as exc:
                errors.extend(exc.messages)
            else:
                verdict = "全部达标" if inspection.is_compliant else "有未达标项"
                messages.success(request, f"已记录 {inspection.inspected_on:%Y-%m-%d} 的“六个一”检查：{verdict}")
                return redirect("station-manage", code=station.code)
    return render(
        request,
        "stations/inspect.html",
        {
            "station": station,
            "items": [(item, chosen.get(item.pk, ""), request.POST.get(f"note{item.pk}", "")) for item in items],
            "today": today,
            "errors": errors,
            "max_photos": MAX_PHOTOS_PER_INSPECTION,
            "notes": request.POST.get("notes", ""),
        },
    )


class CareActivityForm(forms.ModelForm):
    """Parses the 聚心行动 fields; the write itself is ``care_activity_record``."""

    class Meta:
        model = CareActivity
        fields = ["held_on", "kind", "title", "participants", "items_given", "items_count", "notes"]
        widgets = {
            "held_on": forms.DateInput(attrs={"type": "date"}),
            "notes": forms.Textarea(attrs={"rows": 3}),
            "participants": forms.NumberInput(attrs={"inputmode": "numeric", "min": 0}),
            "items_count": forms.NumberInput(attrs={"inputmode": "numeric", "min": 0}),
        }

    def _post_clean(self):  # the service validates the whole record once, with the station
        pass


@login_required
@require_http_methods(["GET", "POST"])
def care(request, code: str):
    """/stations/<code>/care/ — record a 聚心行动 held at the station."""
    station = _station(request, code)
    if not request.user.has_perm("stations.add_careactivity"):
        return _forbidden("您没有录入聚心行动的权限")
    form = CareActivityForm(request.POST or None, initial={"held_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            activity = care_activity_record(station=station, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            for field, errs in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errs)
        else:
            messages.success(request, f"已记录聚心行动：{activity.title}（{activity.participants} 人参与）")
            return redirect("station-manage", code=station.code)
    return render(request, "stations/care.html", {"station": station, "form": form})


# --- public: one-tap feedback ---------------------------------------------------------------------


# The QR page is cached publicly (a minute), so it cannot carry a per-visitor CSRF token; this
# door changes no account or session (anonymous, one preset word, rate-limited per address).
@csrf_exempt
@never_cache
@require_POST
def feedback(request, code: str):
    """/s/<code>/feedback/ — a preset button pressed on the station's QR page (no login)."""
    station = get_object_or_404(
        Station.objects.select_related("territory"),
        code=clean_code(code),
        status__in=(Station.Status.OPEN, Station.Status.SUSPENDED),
    )
    limit, window = FEEDBACK_LIMIT
    key = f"stations:feedback:{client_ip(request)}"
    cache.add(key, 0, window)
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, window)
        count = 1
    context = {"station": station}
    if count > limit:
        context["error"] = "反馈过于频繁，请稍后再试；急事请拨打驿站电话"
        return render(request, "stations/feedback_done.html", context, status=429)
    try:
        item = station_feedback_submit(
            station=station, kind=request.POST.get("kind", ""), text=request.POST.get("text", "")
        )
    except ValidationError as exc:
        context["error"] = "；".join(exc.messages)
        return render(request, "stations/feedback_done.html", context, status=400)
    context["item"] = item
    return render(request, "stations/feedback_done.html", context)
