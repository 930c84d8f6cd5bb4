"""Staff pages of the members app: member distribution (charts) and the members work board."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone

from core.exports import list_export
from members.attendance import attendance_of, meeting_attendance_record, meeting_roll
from members.models import MeetingAttendance, Transfer
from members.selectors import (
    candidate_reserve,
    dues_arrears,
    member_distribution,
    months_in_arrears,
    pipeline_counts,
    quota_usage,
    transfers_visible,
    worker_counts,
)
from organizations.models import Meeting, Territory
from organizations.scope import get_visible_or_404

CHARTS = [
    ("by_district", "按区分布", "bar"),
    ("by_street", "按街道分布（前30）", "bar"),
    ("by_industry", "按所在单位行业", "bar"),
    ("by_occupation", "按职业类别", "bar"),
    ("by_age_band", "按年龄段", "bar"),
    ("by_status", "正式/预备", "pie"),
    ("by_kind", "流动、隐形、失联、新就业群体党员", "bar"),
]


def _territory_filter(request):
    code = request.GET.get("territory", "").strip()
    if not code:
        return None
    return get_visible_or_404(Territory.objects.all(), request.user, code=code)


@login_required
@permission_required("members.view_partymembership", raise_exception=True)
def distribution(request):
    """党员分布分析：one selector (member_distribution) feeds the charts and the tables."""
    if (exported := list_export(request, "members.distribution")) is not None:
        return exported
    territory = _territory_filter(request)
    data = member_distribution(request.user, territory=territory)
    charts = [
        {"key": key, "title": title, "kind": kind, "rows": getattr(data, key)}
        for key, title, kind in CHARTS
        if getattr(data, key)
    ]
    return render(
        request,
        "members/distribution.html",
        {
            "data": data,
            "charts": charts,
            "chart_data": {c["key"]: {"title": c["title"], "kind": c["kind"], "rows": c["rows"]} for c in charts},
            "territory": territory,
            "workers": worker_counts(request.user),
            "districts": Territory.objects.visible_to(request.user).filter(level=Territory.Level.DISTRICT),
        },
    )


@login_required
@permission_required("members.view_partymembership", raise_exception=True)
def board(request):
    """党员工作台: development pipeline and quotas, open transfers, dues arrears, lost contact."""
    # The board holds two lists; ``?list=transfers`` picks which one an export writes.
    key = "members.transfers" if request.GET.get("list") == "transfers" else "members.arrears"
    if (exported := list_export(request, key)) is not None:
        return exported
    today = timezone.localdate()
    arrears = list(dues_arrears(request.user, today=today)[:50])
    for membership in arrears:
        membership.months_unpaid = months_in_arrears(membership, today=today)
    open_transfers = (
        transfers_visible(request.user)
        .filter(status__in=Transfer.OPEN_STATUSES)
        .select_related("membership__person", "from_organization", "to_organization")
        .order_by("valid_until")[:50]
    )
    return render(
        request,
        "members/board.html",
        {
            "pipeline": pipeline_counts(request.user),
            "reserve": candidate_reserve(request.user),
            "quotas": quota_usage(request.user, year=today.year),
            "year": today.year,
            "arrears": arrears,
            "open_transfers": open_transfers,
        },
    )


@login_required
@permission_required("organizations.view_meeting", raise_exception=True)
def meeting_attendance(request, pk: int):
    """三会一课出席: the meeting's roll, one choice per member; saving sets the meeting's counts."""
    meeting = get_visible_or_404(Meeting.objects.select_related("organization"), request.user, pk=pk)
    if request.method == "POST":
        if not request.user.has_perm("members.add_meetingattendance"):
            raise PermissionDenied
        choices = {k[1:]: v for k, v in request.POST.items() if k.startswith("p") and k[1:].isdigit()}
        try:
            meeting_attendance_record(
                meeting=meeting,
                attended=[int(k) for k, v in choices.items() if v == MeetingAttendance.Status.ATTENDED],
                excused=[int(k) for k, v in choices.items() if v == MeetingAttendance.Status.EXCUSED],
                actor=request.user,
            )
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            meeting.refresh_from_db()
            messages.success(request, f"已登记出席：应到 {meeting.expected_count} 人，实到 {meeting.attended_count} 人")
        return redirect("members:meeting-attendance", pk=meeting.pk)
    recorded = attendance_of(meeting)
    roll = [(person, recorded.get(person.pk, "")) for person in meeting_roll(meeting)]
    return render(
        request,
        "members/meeting_attendance.html",
        {
            "meeting": meeting,
            "roll": roll,
            "recorded": bool(recorded),
            "statuses": MeetingAttendance.Status.choices,
            "can_record": request.user.has_perm("members.add_meetingattendance"),
        },
    )
