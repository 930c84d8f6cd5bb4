"""Figures of 劳动争议调解 on 劳动权益 cases, read through ``grievances.mediation.mediation_figures``
for the month of the day: labour cases and how many went to mediation, mediations opened and
closed, agreements and referrals, and the three rates."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from cadence.metrics import Column, Figure, Lens, provider, window
from grievances.mediation import mediation_figures
from grievances.models import Mediation


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
    f = mediation_figures(user=lens.principal, since=since, until=until, territory=lens.within_node)
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
