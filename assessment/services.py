"""Every write of 述职评议 and 先锋指数: cycles and their reviews (submit, score, close), index
configuration (weights must total 100) and manual scores."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from assessment.models import Indicator, ManualScore, ReviewCycle, SecretaryReview, VanguardIndex
from members.models import Person
from organizations.models import Body, CommitteeMember, Territory
from organizations.scope import can_see, restrict


class AssessmentError(ValueError):
    """A refused write; the message is Chinese and names the field."""


def _visible(actor, obj, label: str) -> None:
    if actor is not None and obj is not None and not can_see(actor, obj):
        raise AssessmentError(f"{label}：“{obj}”不在您的管辖范围内")


def _full_clean(obj) -> None:
    try:
        obj.full_clean()
    except ValidationError as exc:
        labels = {f.name: f.verbose_name for f in obj._meta.fields}
        parts = []
        for field, messages in exc.message_dict.items():
            label = labels.get(field, "")
            parts.extend(f"{label}：{m}" if label else m for m in messages)
        raise AssessmentError("；".join(parts)) from exc


@transaction.atomic
def cycle_open(*, body: Body, territory: Territory, year: int, title: str, actor=None) -> ReviewCycle:
    """Open a year's cycle: one review to fill for every organization in the territory that has
    a secretary on record (the secretary's name is copied, as the post may change hands)."""
    _visible(actor, territory, "范围")
    _visible(actor, body, "组织机构")
    if ReviewCycle.objects.filter(year=year, territory=territory).exists():
        raise AssessmentError(f"年度：{territory.name} {year} 年的述职评议已开启")
    cycle = ReviewCycle(year=year, title=title.strip(), body=body, territory=territory)
    _full_clean(cycle)
    cycle.save()
    secretaries = CommitteeMember.objects.filter(
        position=CommitteeMember.Position.SECRETARY, organization__territory__path__startswith=territory.path
    ).order_by("organization_id")
    SecretaryReview.objects.bulk_create(
        [SecretaryReview(cycle=cycle, organization_id=s.organization_id, secretary_name=s.name) for s in secretaries]
    )
    return cycle


def _open_review(review: SecretaryReview, actor) -> SecretaryReview:
    _visible(actor, review, "书记述职")
    review = SecretaryReview.objects.select_for_update().select_related("cycle").get(pk=review.pk)
    if review.cycle.status != ReviewCycle.Status.OPEN:
        raise AssessmentError(f"述职评议：“{review.cycle}”已结束")
    return review


@transaction.atomic
def review_submit(*, review: SecretaryReview, report: str, new_sector_work: str, actor=None) -> SecretaryReview:
    """The secretary's report; the part on new-sector Party building is required (seed 001:
    新兴领域党建工作纳入述职评议考核重要内容)."""
    review = _open_review(review, actor)
    if review.status == SecretaryReview.Status.REVIEWED:
        raise AssessmentError("状态：已评议，不能再修改述职")
    errors = []
    if not report.strip():
        errors.append("述职报告：不能为空")
    if not new_sector_work.strip():
        errors.append("抓新兴领域党建情况：不能为空")
    if errors:
        raise AssessmentError("；".join(errors))
    review.report, review.new_sector_work = report.strip(), new_sector_work.strip()
    review.status, review.submitted_at = SecretaryReview.Status.SUBMITTED, timezone.now()
    review.save(update_fields=["report", "new_sector_work", "status", "submitted_at"])
    return review


@transaction.atomic
def review_score(*, review: SecretaryReview, score: Decimal, opinion: str = "", actor=None) -> SecretaryReview:
    """Score a submitted report (0–100); the grade follows the score (≥90 好, ≥80 较好, ≥60 一般)."""
    review = _open_review(review, actor)
    if review.status == SecretaryReview.Status.DRAFT:
        raise AssessmentError("状态：尚未述职，不能评议")
    score = Decimal(score)
    if not Decimal("0") <= score <= Decimal("100"):
        raise AssessmentError("评议得分：应在 0 到 100 之间")
    review.score, review.grade, review.opinion = score, SecretaryReview.grade_for(score), opinion.strip()
    review.status, review.reviewed_at, review.reviewed_by = SecretaryReview.Status.REVIEWED, timezone.now(), actor
    review.save(update_fields=["score", "grade", "opinion", "status", "reviewed_at", "reviewed_by"])
    return review


@transaction.atomic
def cycle_close(*, cycle: ReviewCycle, actor=None) -> ReviewCycle:
    _visible(actor, cycle, "述职评议")
    cycle = ReviewCycle.objects.select_for_update().get(pk=cycle.pk)
    pending = cycle.reviews.exclude(status=SecretaryReview.Status.REVIEWED).count()
    if pending:
        raise AssessmentError(f"状态：尚有 {pending} 名书记未完成评议，不能结束")
    cycle.status = ReviewCycle.Status.CLOSED
    cycle.save(update_fields=["status"])
    return cycle


@transaction.atomic
def index_save(*, index: VanguardIndex, actor=None) -> VanguardIndex:
    _visible(actor, index.territory, "适用辖区")
    _visible(actor, index.organization, "适用党组织")
    _full_clean(index)
    index.save()
    return index


@transaction.atomic
def indicator_save(*, indicator: Indicator, actor=None) -> Indicator:
    """Weights of one index may not pass 100 in total (the ranking needs exactly 100)."""
    _visible(actor, indicator.index, "先锋指数")
    VanguardIndex.objects.select_for_update().get(pk=indicator.index_id)
    others = indicator.index.indicators.exclude(pk=indicator.pk).aggregate(w=Sum("weight"))["w"] or Decimal("0")
    if indicator.weight is not None and others + indicator.weight > 100:
        raise AssessmentError(f"权重：各指标合计不能超过 100（其余指标已占 {others}）")
    _full_clean(indicator)
    indicator.save()
    return indicator


def weights_complete(index: VanguardIndex) -> bool:
    return (index.indicators.aggregate(w=Sum("weight"))["w"] or 0) == 100


@transaction.atomic
def manual_score_set(*, indicator: Indicator, person: Person, value: Decimal, actor=None) -> ManualScore:
    _visible(actor, person, "党员")
    _visible(actor, indicator.index, "先锋指数")
    if indicator.source != Indicator.Source.MANUAL:
        raise AssessmentError(f"指标：“{indicator.name}”由系统计算，不能手工录入")
    value = Decimal(value)
    if not Decimal("0") <= value <= indicator.full_marks:
        raise AssessmentError(f"得分：应在 0 到 {indicator.full_marks} 之间")
    score, _ = ManualScore.objects.update_or_create(
        indicator=indicator, person=person, defaults={"value": value, "recorded_by": actor}
    )
    return score


def reviews_for(user, cycle: ReviewCycle):
    return restrict(cycle.reviews.select_related("organization"), user).order_by("organization__name", "id")
