"""Figures of 劳动争议调解 on 劳动权益 cases, read through ``grievances.mediation.mediation_figures``
for the month of the day: labour cases and how many went to mediation, mediations opened and
closed, agreements and referrals, and the three rates."""

from __future__ import annotations

from datetime import date

from django.db.models import Count, Q, Sum
from django.utils import timezone

from cadence.metrics import Column, Figure, Lens, by_child, grouped, provider, scope_path, window
from grievances.mediation import LABOUR_CATEGORY, MediationFigures, mediation_figures
from grievances.models import Grievance, Mediation, MediationSession


def mediations(lens: Lens):
    return lens.apply(Mediation.objects.select_related("grievance", "committee")).order_by("-opened_at")


@provider(
    "mediation",
    "劳动争议调解",
    order=45,
    perm="grievances.view_mediation",
    figures=[
        Figure("labour_cases", "劳动权益诉求", "件"),
        Figure("mediated", "其中进入调解", "件"),
        Figure("opened", "受理调解", "件"),
        Figure(
            "open_now",
            "调解中",
            "件",
            drill=lambda lens: mediations(lens).filter(status=Mediation.Status.OPEN),
        ),
        Figure("closed", "调解结案", "件"),
        Figure("agreed", "达成协议", "件"),
        Figure("referred", "转仲裁/诉讼/监察", "件"),
        Figure("sessions", "调解会", "次"),
        Figure("amount_yuan", "协议金额", "元"),
        Figure("intake_rate", "调解介入率", "%", rate=True),
        Figure("agreement_rate", "调解成功率", "%", rate=True),
        Figure("referral_rate", "转出率", "%", rate=True),
    ],
    columns=[
        Column("诉求编号", lambda m: m.grievance.ticket),
        Column("调解组织", lambda m: m.committee.name),
        Column("调解员", lambda m: m.mediator),
        Column("状态", lambda m: m.get_status_display()),
        Column("受理时间", lambda m: timezone.localtime(m.opened_at).strftime("%Y-%m-%d %H:%M")),
    ],
)
def mediation_provider(lens: Lens, day: date) -> dict:
    since, until = window(day)
    return figures_of(mediation_figures(user=lens.principal, since=since, until=until, territory=lens.within_node))


def figures_of(f: MediationFigures) -> dict:
    return {
        "labour_cases": f.labour_cases,
        "mediated": f.mediated,
        "opened": f.opened,
        "open_now": f.open_now,
        "closed": f.closed,
        "agreed": f.agreed,
        "referred": f.referred,
        "sessions": f.sessions,
        "amount_yuan": round(f.amount_fen / 100),
        "intake_rate": f.intake_rate,
        "agreement_rate": f.agreement_rate,
        "referral_rate": f.referral_rate,
    }


@grouped("mediation", keep_sql=True)
def mediation_by_child(lens: Lens, children: list, day: date) -> dict[int, dict]:
    """Three passes, as ``mediation_figures`` counts: the mediations (placed by their case),
    the period's labour cases, and the period's sessions."""
    since, until = window(day)

    def mediations():
        return lens.apply(Mediation.objects.all())

    def aggregates():  # built only when the statement is not kept already
        S = Mediation.Status
        in_period = Q(closed_at__gte=since, closed_at__lt=until)
        return {
            "opened": Count("id", filter=Q(opened_at__gte=since, opened_at__lt=until)),
            "open_now": Count("id", filter=Q(status=S.OPEN)),
            "closed": Count("id", filter=in_period),
            "agreed": Count("id", filter=in_period & Q(status=S.AGREED)),
            "referred": Count("id", filter=in_period & Q(status=S.REFERRED)),
            "failed": Count("id", filter=in_period & Q(status=S.FAILED)),
            "withdrawn": Count("id", filter=in_period & Q(status=S.WITHDRAWN)),
            "amount": Sum("amount_fen", filter=in_period & Q(status=S.AGREED)),
        }

    totals = by_child(mediations, scope_path(Mediation), children, aggregates)

    def labour():
        return (
            lens.apply(Grievance.objects.filter(category__code=LABOUR_CATEGORY))
            .exclude(state__in=[Grievance.State.DUPLICATE, Grievance.State.REJECTED])
            .filter(submitted_at__gte=since, submitted_at__lt=until)
        )

    cases = by_child(
        labour,
        scope_path(Grievance),
        children,
        lambda: {"cases": Count("id"), "mediated": Count("id", filter=Q(mediation__isnull=False))},
    )
    sessions = by_child(
        lambda: MediationSession.objects.filter(
            mediation__in=mediations(),
            held_on__gte=timezone.localtime(since).date(),
            held_on__lt=timezone.localtime(until).date(),
        ),
        f"mediation__{scope_path(Mediation)}",
        children,
        lambda: {"n": Count("pk")},
    )
    return {
        pk: figures_of(
            MediationFigures(
                labour_cases=cases[pk]["cases"],
                mediated=cases[pk]["mediated"],
                opened=t["opened"],
                open_now=t["open_now"],
                closed=t["closed"],
                agreed=t["agreed"],
                referred=t["referred"],
                failed=t["failed"],
                withdrawn=t["withdrawn"],
                sessions=sessions[pk]["n"],
                amount_fen=t["amount"] or 0,
            )
        )
        for pk, t in totals.items()
    }
