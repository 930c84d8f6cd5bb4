"""Figures of people, read through ``members.selectors.member_distribution`` (THE distribution
selector): Party members by status, mobile, invisible and lost-contact members, new-employment
members, and the gig workers the portal knows. Drill-down lists show names and placement only,
never ID numbers or phones, and need the members view permission."""

from __future__ import annotations

from datetime import date

from django.db.models import Count, Q

from cadence.metrics import Column, Figure, Lens, as_of, by_child, grouped, percent, provider, scope_path
from members.models import PartyMembership, Person
from members.models.people import NEW_EMPLOYMENT_OCCUPATIONS
from members.selectors import member_distribution


def memberships(lens: Lens):
    return lens.apply(PartyMembership.objects.select_related("person__territory", "organization")).order_by(
        "person__territory__path", "person__name"
    )


def _where(**filters):
    return lambda lens: memberships(lens).filter(**filters)


def workers(lens: Lens):
    return lens.apply(Person.objects.filter(occupation__in=list(NEW_EMPLOYMENT_OCCUPATIONS)))


@provider(
    "members",
    "党员分布",
    order=20,
    perm="members.view_partymembership",
    figures=[
        Figure("members", "党员", "人", drill=memberships),
        Figure("full", "正式党员", "人", drill=_where(status=PartyMembership.Status.FULL)),
        Figure("probationary", "预备党员", "人", drill=_where(status=PartyMembership.Status.PROBATIONARY)),
        Figure("mobile", "流动党员", "人", drill=_where(is_mobile=True)),
        Figure("invisible", "隐形党员", "人", drill=_where(is_invisible=True)),
        Figure("lost_contact", "失联党员", "人", drill=_where(lost_contact=True), watch="up"),
        Figure("new_employment", "新就业群体党员", "人", drill=_where(is_new_employment=True)),
        Figure("workers", "新就业群体人员", "人"),
        Figure("worker_member_rate", "新就业群体党员占比", "%", rate=True),
    ],
    columns=[
        Column("姓名", lambda m: m.person.name),
        Column("属地", lambda m: m.person.territory.full_name),
        Column("党组织", lambda m: str(m.organization or "")),
        Column("党员状态", lambda m: m.get_status_display()),
        Column("流动党员", lambda m: "是" if m.is_mobile else ""),
    ],
)
def member_figures(lens: Lens, day: date) -> dict:
    dist = member_distribution(lens.principal, territory=lens.within_node, today=as_of(day))
    counts = {key: getattr(dist, attr) for key, attr in FIELDS.items()}
    return figures_of(counts, workers(lens).count())


# Figure key → attribute of ``members.selectors.Distribution``.
FIELDS = {
    "members": "total",
    "full": "full",
    "probationary": "probationary",
    "mobile": "mobile",
    "invisible": "invisible",
    "lost_contact": "lost_contact",
    "new_employment": "new_employment",
}


def figures_of(counts: dict, worker_count: int) -> dict:
    return {**counts, "workers": worker_count, "worker_member_rate": percent(counts["new_employment"], worker_count)}


@grouped("members", keep_sql=True)
def member_figures_by_child(lens: Lens, children: list, day: date) -> dict[int, dict]:
    # As member_distribution counts them: memberships placed by the person's territory.
    S = PartyMembership.Status
    counts = by_child(
        lambda: lens.apply(PartyMembership.objects.all()),
        "person__territory__path",
        children,
        {
            "members": Count("id"),
            "full": Count("id", filter=Q(status=S.FULL)),
            "probationary": Count("id", filter=Q(status=S.PROBATIONARY)),
            "mobile": Count("id", filter=Q(is_mobile=True)),
            "invisible": Count("id", filter=Q(is_invisible=True)),
            "lost_contact": Count("id", filter=Q(lost_contact=True)),
            "new_employment": Count("id", filter=Q(is_new_employment=True)),
        },
    )
    worker_counts = by_child(lambda: workers(lens), scope_path(Person), children, {"n": Count("pk")})
    return {pk: figures_of(counts[pk], worker_counts[pk]["n"]) for pk in counts}
