"""Every write of volunteer teams: teams, members joining and leaving, activities with each
participant's hours, appointments with terms, and the tie of 随手拍 reports to teams."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from members.models import Person
from organizations.scope import can_see
from volunteers.models import Activity, Appointment, Participation, ProbeReport, Team, TeamMember


class VolunteerError(ValueError):
    """A refused write; the message is Chinese and names the field."""


def _full_clean(obj) -> None:
    try:
        obj.full_clean()
    except ValidationError as exc:
        labels = {f.name: f.verbose_name for f in obj._meta.fields}
        parts = []
        for field, messages in exc.message_dict.items():
            label = labels.get(field, "")
            parts.extend(f"{label}：{m}" if label else m for m in messages)
        raise VolunteerError("；".join(parts)) from exc


def _visible(actor, obj, label: str) -> None:
    if actor is not None and obj is not None and not can_see(actor, obj):
        raise VolunteerError(f"{label}：“{obj}”不在您的管辖范围内")


@transaction.atomic
def team_save(*, team: Team, actor=None) -> Team:
    _visible(actor, team.territory, "所在街道")
    if team.pk is not None:
        _visible(actor, Team.objects.get(pk=team.pk), "队伍")
    _full_clean(team)
    team.save()
    if team.leader_id and not TeamMember.objects.filter(team=team, person_id=team.leader_id, left_on=None).exists():
        TeamMember.objects.create(
            team=team, person_id=team.leader_id, role=TeamMember.Role.LEADER, joined_on=team.founded_on
        )
    return team


@transaction.atomic
def member_add(
    *, team: Team, person: Person, actor=None, role: str = TeamMember.Role.MEMBER, joined_on: date | None = None
) -> TeamMember:
    _visible(actor, team, "队伍")
    _visible(actor, person, "队员")
    if TeamMember.objects.filter(team=team, person=person, left_on=None).exists():
        raise VolunteerError(f"队员：{person.name} 已在“{team}”中")
    member = TeamMember(team=team, person=person, role=role, joined_on=joined_on or timezone.localdate())
    _full_clean(member)
    member.save()
    return member


@transaction.atomic
def member_leave(*, member: TeamMember, actor=None, on: date | None = None) -> TeamMember:
    _visible(actor, member.team, "队伍")
    member = TeamMember.objects.select_for_update().get(pk=member.pk)
    if member.left_on is not None:
        raise VolunteerError(f"队员：{member.person} 已于 {member.left_on} 离队")
    on = on or timezone.localdate()
    if on < member.joined_on:
        raise VolunteerError("离队日期：不能早于入队日期")
    member.left_on = on
    member.save(update_fields=["left_on"])
    return member


@transaction.atomic
def activity_record(
    *,
    team: Team,
    title: str,
    held_on: date,
    place: str,
    participants: list[tuple[Person, Decimal]],
    actor=None,
    description: str = "",
) -> Activity:
    """Record an activity and each participant's hours; participants must have been members
    of the team on that day, and the day cannot be in the future."""
    _visible(actor, team, "队伍")
    errors = []
    if not title.strip():
        errors.append("活动名称：不能为空")
    if not place.strip():
        errors.append("活动地点：不能为空")
    if held_on > timezone.localdate():
        errors.append("活动日期：不能晚于今天")
    if not participants:
        errors.append("参与人：至少一人")
    on_team = set(
        TeamMember.objects.filter(team=team, joined_on__lte=held_on)
        .filter(Q(left_on__isnull=True) | Q(left_on__gte=held_on))
        .values_list("person_id", flat=True)
    )
    for person, hours in participants:
        if person.pk not in on_team:
            errors.append(f"参与人：{person.name} 当日不是本队队员")
        if not Decimal("0") < Decimal(hours) <= Decimal("24"):
            errors.append(f"服务时长：{person.name} 应在 0 到 24 小时之间")
    if len({p.pk for p, _ in participants}) != len(participants):
        errors.append("参与人：同一人重复出现")
    if errors:
        raise VolunteerError("；".join(errors))
    activity = Activity.objects.create(
        team=team,
        title=title.strip(),
        held_on=held_on,
        place=place.strip(),
        description=description.strip(),
        recorded_by=actor,
    )
    Participation.objects.bulk_create(
        [Participation(activity=activity, person=person, hours=Decimal(hours)) for person, hours in participants]
    )
    return activity


@transaction.atomic
def appointment_save(*, appointment: Appointment, actor=None) -> Appointment:
    _visible(actor, appointment.person, "受聘人")
    _visible(actor, appointment.territory, "聘任辖区")
    if appointment.starts_on and appointment.ends_on and appointment.ends_on <= appointment.starts_on:
        raise VolunteerError("聘期结束：必须晚于聘期开始")
    overlapping = Appointment.objects.filter(
        person=appointment.person,
        title=appointment.title,
        starts_on__lte=appointment.ends_on,
        ends_on__gte=appointment.starts_on,
    ).exclude(pk=appointment.pk)
    if overlapping.exists():
        raise VolunteerError(f"聘任职务：{appointment.person.name} 在该聘期内已受聘为{appointment.title}")
    _full_clean(appointment)
    appointment.save()
    return appointment


def probe_report_tie(*, report) -> ProbeReport | None:
    """Count a 随手拍 report for the team its reporter belonged to when it was filed (the
    longest-standing membership if several). No team, no tie; idempotent."""
    if report.person_id is None:
        return None
    existing = ProbeReport.objects.filter(report=report).first()
    if existing is not None:
        return existing
    day = timezone.localdate(report.submitted_at)
    member = (
        TeamMember.objects.filter(person_id=report.person_id, joined_on__lte=day, team__is_active=True)
        .filter(Q(left_on__isnull=True) | Q(left_on__gte=day))
        .order_by("joined_on", "id")
        .first()
    )
    if member is None:
        return None
    return ProbeReport.objects.get_or_create(report=report, defaults={"team_id": member.team_id})[0]
