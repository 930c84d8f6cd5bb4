"""三会一课出席 in the admin, read-only: the roll on a meeting's page (with the link to record it
on the page that goes through ``members.attendance``) and a person's meetings on theirs.

Shown as read-only fields rather than inlines: a view-only inline still posts a management form,
which every existing form on these pages (and every API or test posting them) would have to send."""

from __future__ import annotations

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from members.models import MeetingAttendance
from organizations.admin import MeetingAdmin

PERSON_MEETINGS = 20


@admin.display(description="出席情况（按人登记）")
def meeting_roll(meeting) -> str:
    if meeting is None or meeting.pk is None:
        return "保存会议记录后可按人登记出席情况。"
    link = format_html(
        '<a href="{}" id="meeting-roll-link">按人登记出席情况</a>',
        reverse("members:meeting-attendance", args=[meeting.pk]),
    )
    names: dict[str, list[str]] = {}
    for status, name in (
        MeetingAttendance.objects.filter(meeting=meeting).order_by("person__name").values_list("status", "person__name")
    ):
        names.setdefault(status, []).append(name)
    if not names:
        return format_html("{}（尚未按人登记，应到、实到为手工填写）", link)
    labels = dict(MeetingAttendance.Status.choices)
    groups = format_html_join(
        "；",
        "{}（{}人）：{}",
        ((labels[s], len(names[s]), "、".join(names[s])) for s in MeetingAttendance.Status.values if s in names),
    )
    return format_html("{}<br>{}", groups, link)


def person_meetings(person) -> str:
    rows = (
        MeetingAttendance.objects.filter(person=person)
        .select_related("meeting", "meeting__organization")
        .order_by("-meeting__held_on", "-id")[:PERSON_MEETINGS]
    )
    if not rows:
        return "—"
    return format_html_join(
        "",
        "<div>{} {} {}：{}</div>",
        (
            (f"{r.meeting.held_on:%Y-%m-%d}", r.meeting.organization.name, r.meeting.topic, r.get_status_display())
            for r in rows
        ),
    )


MeetingAdmin.extra_readonly.append(meeting_roll)
MeetingAdmin.counts_from_roll = staticmethod(lambda meeting: MeetingAttendance.objects.filter(meeting=meeting).exists())
