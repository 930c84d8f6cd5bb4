"""Every write of training: courses, sessions (checked against their budget line), enrolment
and attendance. Admin, API and staff pages call these."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum

from members.models import Person
from organizations.models import PartyOrganization
from organizations.scope import can_see
from training.models import Budget, Course, Enrolment, Session


class TrainingError(ValueError):
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
        raise TrainingError("；".join(parts)) from exc


def _visible(actor, obj, label: str) -> None:
    if actor is not None and not can_see(actor, obj):
        raise TrainingError(f"{label}：“{obj}”不在您的管辖范围内")


@transaction.atomic
def budget_save(*, budget: Budget, actor=None) -> Budget:
    _visible(actor, budget.body, "管理机构")
    _full_clean(budget)
    budget.save()
    return budget


@transaction.atomic
def course_save(*, course: Course, actor=None) -> Course:
    _visible(actor, course.territory, "所在辖区")
    if course.pk is not None:
        _visible(actor, Course.objects.get(pk=course.pk), "培训项目")
    _full_clean(course)
    course.save()
    return course


def budget_spent(budget: Budget, *, excluding: Session | None = None) -> Decimal:
    sessions = Session.objects.filter(budget=budget)
    if excluding is not None and excluding.pk is not None:
        sessions = sessions.exclude(pk=excluding.pk)
    return sessions.aggregate(total=Sum("cost_yuan"))["total"] or Decimal("0")


@transaction.atomic
def session_save(*, session: Session, actor=None) -> Session:
    """Create or edit a session. Its cost is charged to the budget line, which may not be
    overspent: the line is locked so two sessions saved at once cannot both take the rest."""
    _visible(actor, session.course, "培训项目")
    errors = []
    if session.starts_on and session.ends_on and session.ends_on < session.starts_on:
        errors.append("结束日期：不能早于开始日期")
    if session.cost_yuan is not None and session.cost_yuan < 0:
        errors.append("支出金额：不能为负数")
    if session.budget_id is not None:
        budget = Budget.objects.select_for_update().get(pk=session.budget_id)
        if session.starts_on and budget.year != session.starts_on.year:
            errors.append(f"经费来源：“{budget}”只能用于 {budget.year} 年的培训")
        room = budget.amount_yuan - budget_spent(budget, excluding=session)
        if session.cost_yuan and session.cost_yuan > room:
            errors.append(f"支出金额：超出“{budget}”余额（尚余 {room} 元）")
    elif session.cost_yuan:
        errors.append("经费来源：有支出的期次须选择经费来源")
    if session.pk is not None and session.capacity is not None:
        enrolled = Enrolment.objects.filter(session_id=session.pk).count()
        if session.capacity < enrolled:
            errors.append(f"计划人数：已有 {enrolled} 人报名，不能少于此数")
    if errors:
        raise TrainingError("；".join(errors))
    _full_clean(session)
    session.save()
    return session


@transaction.atomic
def enrolment_add(
    *,
    session: Session,
    person: Person,
    post: str,
    organization: PartyOrganization | None = None,
    actor=None,
) -> Enrolment:
    """Enrol a person the actor may see in a session the actor may see, within its capacity."""
    _visible(actor, session, "期次")
    _visible(actor, person, "学员")
    session = Session.objects.select_for_update().get(pk=session.pk)
    if post not in Enrolment.Post.values:
        raise TrainingError("身份：请选择党组织书记、党务工作者或党员")
    if Enrolment.objects.filter(session=session, person=person).exists():
        raise TrainingError(f"学员：{person.name} 已报名{session}")
    if Enrolment.objects.filter(session=session).count() >= session.capacity:
        raise TrainingError(f"期次：{session}已满（计划 {session.capacity} 人）")
    return Enrolment.objects.create(
        session=session, person=person, post=post, organization=organization, recorded_by=actor
    )


@transaction.atomic
def attendance_record(*, enrolment: Enrolment, attended: bool, actor=None, hours: Decimal | None = None) -> Enrolment:
    """Mark present (credits the session's hours, or fewer for a partial day) or absent."""
    _visible(actor, enrolment.session, "期次")
    enrolment = Enrolment.objects.select_for_update().select_related("session").get(pk=enrolment.pk)
    if attended:
        credited = enrolment.session.hours if hours is None else Decimal(hours)
        if not Decimal("0") < credited <= enrolment.session.hours:
            raise TrainingError(f"认定学时：应大于 0 且不超过本期 {enrolment.session.hours} 学时")
        enrolment.status, enrolment.hours_credited = Enrolment.Status.ATTENDED, credited
    else:
        enrolment.status, enrolment.hours_credited = Enrolment.Status.ABSENT, Decimal("0")
    enrolment.recorded_by = actor
    enrolment.save(update_fields=["status", "hours_credited", "recorded_by"])
    return enrolment
