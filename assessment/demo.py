"""Demo 述职评议 and 先锋指数: this year's cycle in 秦淮区 and 玄武区 (reports filed and scored
for most secretaries, a few still pending), and a city-wide 党员先锋指数 whose five indicators
draw on points, organization life, volunteer tasks, training and a manual 思想引导 score.
Deterministic; a second run finds the cycles and the index and adds nothing."""

from __future__ import annotations

import random
from decimal import Decimal

from django.utils import timezone

from assessment import services
from assessment.models import Indicator, ReviewCycle, SecretaryReview, VanguardIndex
from members.models import PartyMembership
from organizations.models import Body, Territory

INDEX_NAME = "新兴领域党员先锋指数"
INDICATORS = [
    ("服务积分", Indicator.Source.POINTS, "30", "200"),
    ("组织生活", Indicator.Source.MEETINGS, "20", "100"),
    ("志愿任务", Indicator.Source.TASKS, "20", "5"),
    ("学习培训", Indicator.Source.TRAINING, "20", "12"),
    ("思想引导", Indicator.Source.MANUAL, "10", "10"),
]
REPORT = "全年召开党建工作专题会，落实三会一课，推动所属企业党组织规范化建设。"
NEW_SECTOR = "走访辖区快递网点、网约配送站点，推动新就业群体党员亮身份、进驿站服务。"


def _cycles(rng: random.Random, year: int) -> int:
    made = 0
    for code in ("320104", "320102"):
        territory = Territory.objects.get(code=code)
        if ReviewCycle.objects.filter(year=year, territory=territory).exists():
            continue
        body = Body.objects.filter(kind=Body.Kind.DISTRICT_COMMITTEE, territory=territory).first()
        if body is None:
            continue
        cycle = services.cycle_open(
            body=body, territory=territory, year=year, title=f"{year}年{territory.name}书记抓基层党建述职评议"
        )
        for review in cycle.reviews.order_by("id"):
            roll = rng.random()
            if roll < 0.1:
                continue  # still to report
            services.review_submit(review=review, report=REPORT, new_sector_work=NEW_SECTOR)
            if roll < 0.2:
                continue  # reported, not yet scored
            score = Decimal(rng.choice(range(62, 99)))
            services.review_score(review=review, score=score, opinion="述职全面，新兴领域党建工作有特色。")
        made += 1
    return made


def _index(rng: random.Random, year: int) -> bool:
    if VanguardIndex.objects.filter(name=INDEX_NAME, year=year).exists():
        return False
    index = services.index_save(
        index=VanguardIndex(name=INDEX_NAME, year=year, territory=Territory.objects.get(depth=1), min_sample=10)
    )
    manual = None
    for order, (name, source, weight, full) in enumerate(INDICATORS):
        indicator = services.indicator_save(
            indicator=Indicator(
                index=index,
                name=name,
                source=source,
                weight=Decimal(weight),
                full_marks=Decimal(full),
                sort_order=order,
            )
        )
        if source == Indicator.Source.MANUAL:
            manual = indicator
    for membership in PartyMembership.objects.select_related("person").order_by("id")[:400]:
        services.manual_score_set(indicator=manual, person=membership.person, value=Decimal(rng.randint(5, 10)))
    return True


def seed(stdout=None) -> None:
    if not Territory.objects.filter(code="320104").exists():
        return
    rng = random.Random(20251130)
    year = timezone.localdate().year
    cycles = _cycles(rng, year)
    index = _index(rng, year)
    if stdout is not None:
        stdout.write(
            f"述职评议：新增 {cycles} 个，书记述职 {SecretaryReview.objects.count()} 条；"
            f"先锋指数：{'新增 1 个' if index else '未新增'}\n"
        )
