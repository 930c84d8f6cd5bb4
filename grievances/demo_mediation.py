"""Demo 劳动争议调解: the city's one-stop centre behind the 暖新热线, an industry committee for
delivery riders, a committee per Qinhuai street; most demo 劳动权益 cases mediated, with
sessions and every kind of ending (agreements with amounts, referrals, failures, still open)."""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from grievances import mediation as services
from grievances.models import Grievance, Mediation, MediationCommittee, MediationSession
from organizations.models import Territory

MEDIATORS = ["张建国", "李秀英", "王志强", "刘芳", "陈律师", "周调解员"]
ISSUES = [
    "平台以超时为由扣除配送费，申请人要求返还",
    "站点拖欠两个月工资",
    "未签订劳动合同，申请人要求补签并补缴社保",
    "配送途中受伤，工伤认定和医疗费承担",
]


def _committees() -> list[MediationCommittee]:
    city = Territory.objects.filter(level=Territory.Level.CITY).first()
    if city is None:
        return []
    rows = [
        ("南京市新就业群体一站式矛盾纠纷调解中心（暖新热线）", MediationCommittee.Kind.CENTRE, city, "12345"),
        ("南京市网约配送行业劳动争议调解委员会", MediationCommittee.Kind.INDUSTRY, city, ""),
    ]
    for street in Territory.objects.filter(level=Territory.Level.STREET, code__startswith="320104").order_by("path"):
        rows.append((f"{street.name}劳动争议调解委员会", MediationCommittee.Kind.STREET, street, ""))
    return [
        MediationCommittee.objects.get_or_create(name=name, defaults={"kind": kind, "territory": node, "phone": phone})[
            0
        ]
        for name, kind, node, phone in rows
    ]


def seed_mediation(stdout=None) -> None:
    committees = _committees()
    if not committees or Mediation.objects.exists():
        return
    rng = random.Random(20251201)
    actor = get_user_model().objects.filter(username="qinhuai").first()
    cases = list(
        Grievance.objects.filter(category__code=services.LABOUR_CATEGORY)
        .exclude(state__in=[Grievance.State.DUPLICATE, Grievance.State.REJECTED])
        .select_related("territory", "category")
        .order_by("submitted_at")
    )
    now = timezone.now()
    for grievance in cases:
        if rng.random() > 0.7:
            continue  # settled by the handler without a mediator
        local = [
            c for c in committees if grievance.territory.path.startswith(c.territory.path) and c.territory.depth > 1
        ]
        committee = local[0] if local and rng.random() < 0.5 else committees[rng.randint(0, 1)]
        mediation = services.mediation_open(
            grievance=grievance, committee=committee, mediator=rng.choice(MEDIATORS), actor=actor
        )
        opened_at = min(grievance.submitted_at + timedelta(days=rng.randint(1, 3)), now - timedelta(hours=2))
        Mediation.objects.filter(pk=mediation.pk).update(opened_at=opened_at)
        mediation.opened_at = opened_at
        age = (now - opened_at).days
        sessions = rng.randint(1, 3) if age >= 1 else 0
        for n in range(sessions):
            held = timezone.localtime(opened_at).date() + timedelta(days=min(age, 2 + 5 * n))
            services.mediation_session_record(
                mediation=mediation,
                held_on=min(held, timezone.localdate()),
                notes=f"第{n + 1}次调解：{rng.choice(ISSUES)}；双方陈述意见，调解员释法说理。",
                place=committee.name,
                attendees="申请人、平台（站点）代表",
                actor=actor,
            )
        roll = rng.random()
        if not sessions or roll < 0.15:
            continue  # still being mediated
        if roll < 0.75:
            services.mediation_close(
                mediation=mediation,
                outcome=Mediation.Status.AGREED,
                agreement="被申请人于十日内一次性支付申请人款项，双方再无其他争议。",
                amount_fen=rng.randint(8, 120) * 10_000,
                actor=actor,
            )
        elif roll < 0.9:
            services.mediation_close(
                mediation=mediation,
                outcome=Mediation.Status.REFERRED,
                referral_to=rng.choice([Mediation.Referral.ARBITRATION, Mediation.Referral.INSPECTION]),
                note="双方分歧较大，引导申请人申请仲裁，法律援助中心跟进。",
                actor=actor,
            )
        else:
            services.mediation_close(
                mediation=mediation, outcome=Mediation.Status.FAILED, note="被申请人拒不到场", actor=actor
            )
        last = MediationSession.objects.filter(mediation=mediation).order_by("-held_on").first()
        evening = datetime.combine(last.held_on, time(17))
        closed_at = min(timezone.make_aware(evening), now)
        Mediation.objects.filter(pk=mediation.pk).update(closed_at=max(closed_at, opened_at))
    if stdout is not None:
        stdout.write(f"劳动争议调解：调解组织 {len(committees)} 个，调解记录 {Mediation.objects.count()} 条\n")
