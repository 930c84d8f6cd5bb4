"""Training on the one export path (``core.exports``): hours per person and per organization
for a year, from the attended enrolments the user may see (``selectors.attended``) — every row,
where the overview page shows the first 30 people — and a session's roster."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q, Sum
from django.utils import timezone

from core.excel import Column
from core.exports import Export, register
from core.masking import mask_phone
from organizations.scope import restrict
from training import selectors
from training.models import Enrolment, Session


def _year(params: dict) -> int:
    raw = str(params.get("year") or "")
    return int(raw) if raw.isdigit() and 2000 <= int(raw) <= 2100 else timezone.localdate().year


def _need(user) -> None:
    if not user.has_perm("training.view_session"):
        raise PermissionDenied


@register("training.hours", "培训学时（按人）")
def hours_per_person_export(user, params: dict) -> Export:
    _need(user)
    year = _year(params)
    rows = (
        selectors.attended(user, year)
        .values("person_id", "person__name", "person__territory__name")
        .annotate(hours=Sum("hours_credited"), sessions=Count("id"))
        .order_by("-hours", "person__name", "person_id")
    )
    return Export(
        f"{year}年培训学时（按人）",
        [
            Column("姓名", lambda r: r["person__name"]),
            Column("属地", lambda r: r["person__territory__name"]),
            Column("参训期次", lambda r: r["sessions"], unit="期", total=True),
            Column("学时", lambda r: r["hours"], unit="学时", total=True),
        ],
        rows,
    )


@register("training.organizations", "培训学时（按党组织）")
def hours_per_organization_export(user, params: dict) -> Export:
    _need(user)
    year = _year(params)
    secretary = Q(post=Enrolment.Post.SECRETARY)
    rows = (
        selectors.attended(user, year)
        .values("organization_id", "organization__name")
        .annotate(
            persons=Count("person", distinct=True),
            person_times=Count("id"),
            hours=Sum("hours_credited"),
            secretaries=Count("id", filter=secretary),
        )
        .order_by("-hours", "organization__name")
    )
    return Export(
        f"{year}年培训学时（按党组织）",
        [
            Column("党组织", lambda r: r["organization__name"] or "（未填所在党组织）"),
            Column("参训人数", lambda r: r["persons"], unit="人", total=True),
            Column("参训人次", lambda r: r["person_times"], unit="人次", total=True),
            Column("学时", lambda r: r["hours"], unit="学时", total=True),
            Column("书记已参训", lambda r: r["secretaries"] > 0 if r["organization_id"] else None),
        ],
        rows,
    )


@register("training.roster", "培训花名册")
def roster_export(user, params: dict) -> Export:
    _need(user)
    raw = str(params.get("session") or "")
    session = None
    if raw.isdigit():
        session = restrict(Session.objects.select_related("course"), user).filter(pk=raw).first()
    if session is None:
        raise ValidationError("培训期次不存在或不在您的管辖范围内")
    # A roster is bounded by the session's size: numbered in memory for the sign-in sheet.
    enrolments = list(enumerate(session.enrolments.select_related("person", "organization").order_by("id"), 1))
    return Export(
        f"{session}花名册",
        [
            Column("序号", lambda r: r[0]),
            Column("姓名", lambda r: r[1].person.name),
            # A roster goes round the room: phones masked for every role, as on the roster page.
            Column("手机号", lambda r: mask_phone(r[1].person.phone)),
            Column("身份", lambda r: r[1].get_post_display()),
            Column("所在党组织", lambda r: r[1].organization.name if r[1].organization else None),
            Column("考勤", lambda r: r[1].get_status_display()),
            Column("认定学时", lambda r: r[1].hours_credited, unit="学时", total=True),
        ],
        enrolments,
    )
