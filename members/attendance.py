"""三会一课出席: the roll of a meeting — who attended, was excused or absent — and the head
counts it gives the meeting.

The roll is the Party members of the meeting's organization. Recording it replaces the meeting's
rows, and the meeting's 应到 (the roll) and 实到 (those present) are then set from it and saved
through the meetings service (``organizations.services.meeting_record``), which validates them;
so the counts that the organization's cadence and scores read always agree with the names."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from members.models import MeetingAttendance, Person
from organizations.models import Meeting
from organizations.scope import placeable
from organizations.services import meeting_record


def meeting_roll(meeting: Meeting) -> list[Person]:
    """The members expected at ``meeting``: the Party members of its organization, by name."""
    return list(Person.objects.filter(membership__organization_id=meeting.organization_id).order_by("name", "id"))


def attendance_of(meeting: Meeting) -> dict[int, str]:
    """person id → status, for a meeting's recorded roll."""
    return dict(MeetingAttendance.objects.filter(meeting=meeting).values_list("person_id", "status"))


@transaction.atomic
def meeting_attendance_record(
    *, meeting: Meeting, attended: Iterable[int], excused: Iterable[int] = (), actor=None
) -> Meeting:
    """Record who of the roll attended (``attended``) and who was excused (``excused``), by person
    id; everyone else on the roll is absent. Returns the meeting with its counts updated."""
    if actor is not None and not placeable(Meeting.objects.filter(pk=meeting.pk), actor).exists():
        raise PermissionDenied("会议不在您的管辖范围内")
    meeting = Meeting.objects.select_for_update().select_related("organization").get(pk=meeting.pk)
    roll = {p.pk: p for p in meeting_roll(meeting)}
    attended, excused = set(attended), set(excused)
    errors = []
    strangers = (attended | excused) - set(roll)
    if strangers:
        names = "、".join(Person.objects.filter(pk__in=strangers).order_by("name").values_list("name", flat=True))
        errors.append(f"出席人员：{names or '所选人员'}不是“{meeting.organization}”的党员")
    both = attended & excused
    if both:
        errors.append(f"出席情况：{'、'.join(roll[p].name for p in sorted(both))}不能既出席又请假")
    if not roll:
        errors.append(f"“{meeting.organization}”尚无登记的党员，无法登记出席")
    if errors:
        raise ValidationError(errors)
    MeetingAttendance.objects.filter(meeting=meeting).delete()
    S = MeetingAttendance.Status
    MeetingAttendance.objects.bulk_create(
        [
            MeetingAttendance(
                meeting=meeting,
                person_id=pk,
                status=S.ATTENDED if pk in attended else S.EXCUSED if pk in excused else S.ABSENT,
                recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
            )
            for pk in roll
        ]
    )
    meeting.expected_count, meeting.attended_count = len(roll), len(attended)
    return meeting_record(meeting=meeting, actor=actor)


def attended_counts(person_ids, year: int) -> dict[int, int]:
    """Meetings each person attended in ``year`` (for indices that read attendance)."""
    from django.db.models import Count

    rows = (
        MeetingAttendance.objects.filter(
            person_id__in=person_ids, status=MeetingAttendance.Status.ATTENDED, meeting__held_on__year=year
        )
        .values_list("person_id")
        .annotate(n=Count("id"))
    )
    return dict(rows)
