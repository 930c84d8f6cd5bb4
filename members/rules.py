"""The regulated numbers of Party-member work, as data with the words a clerk reads.

* Development pipeline (《中国共产党发展党员工作细则》): who may apply, how long each stage
  must last before the next. Each rule is a row; ``pipeline_errors`` reads them.
* Dues (《关于中国共产党党费收缴、使用和管理的规定》): brackets on after-tax monthly income.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from core.dates import add_months
from members.models.pipeline import STAGE_DATE_FIELD, Stage

# --- dates ---------------------------------------------------------------------------------


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


# --- development pipeline -------------------------------------------------------------------

MIN_APPLICANT_AGE = 18
PROBATION_MONTHS = 12
PROBATION_EXTENSION_RANGE = (6, 12)


@dataclass(frozen=True)
class WaitRule:
    """Reaching ``stage`` needs at least ``months`` since the date of ``since``."""

    stage: Stage
    since: Stage
    months: int
    message: str


WAIT_RULES: tuple[WaitRule, ...] = (
    WaitRule(Stage.ACTIVIST, Stage.APPLICANT, 0, "确定入党积极分子的日期不能早于递交入党申请书的日期（{since}）"),
    WaitRule(
        Stage.CANDIDATE,
        Stage.ACTIVIST,
        12,
        "入党积极分子须经一年以上培养教育和考察才能确定为发展对象："
        "{since}确定为积极分子，最早{earliest}可确定为发展对象",
    ),
    WaitRule(Stage.PROBATIONARY, Stage.CANDIDATE, 0, "接收预备党员的日期不能早于确定为发展对象的日期（{since}）"),
    WaitRule(
        Stage.FULL,
        Stage.PROBATIONARY,
        PROBATION_MONTHS,
        "预备期为一年（自支部大会通过之日起算）：{since}接收为预备党员，最早{earliest}可转为正式党员",
    ),
)


def probation_end(admitted_on: date, extension_months: int = 0) -> date:
    return add_months(admitted_on, PROBATION_MONTHS + extension_months)


def pipeline_errors(
    *, record, stage: int, on: date, birth_date: date | None, today: date, extension_months: int = 0
) -> list[str]:
    """Why ``record`` may not reach ``stage`` on ``on``; an empty list when it may."""
    stage = Stage(stage)
    errors: list[str] = []
    if on > today:
        errors.append(f"{stage.label}的日期{on:%Y-%m-%d}不能晚于今天")
    if stage == Stage.APPLICANT:
        if birth_date is None:
            errors.append("缺少出生日期（请先补全身份证号），无法核对入党申请人是否年满18周岁")
        elif age_on(birth_date, on) < MIN_APPLICANT_AGE:
            errors.append(
                f"入党申请人须年满{MIN_APPLICANT_AGE}周岁：递交申请时（{on:%Y-%m-%d}）只有{age_on(birth_date, on)}周岁"
            )
        return errors
    current = Stage(record.stage)
    if stage != current + 1:
        errors.append(
            f"当前阶段为“{current.label}”，下一步只能是“{Stage(current + 1).label}”，不能直接到“{stage.label}”"
        )
        return errors
    for rule in WAIT_RULES:
        if rule.stage != stage:
            continue
        since = getattr(record, STAGE_DATE_FIELD[rule.since])
        if since is None:
            errors.append(f"缺少“{rule.since.label}”的日期")
            continue
        months = rule.months + (extension_months if stage == Stage.FULL else 0)
        earliest = add_months(since, months)
        if on < earliest:
            message = rule.message.format(since=f"{since:%Y-%m-%d}", earliest=f"{earliest:%Y-%m-%d}")
            if stage == Stage.FULL and extension_months:
                message += f"（已延长预备期{extension_months}个月）"
            errors.append(message)
    if stage == Stage.CANDIDATE and len(record.introducer_list) < 2:
        errors.append("确定为发展对象前须明确两名正式党员作为入党介绍人")
    return errors


def extension_error(months: int) -> str | None:
    low, high = PROBATION_EXTENSION_RANGE
    if not low <= months <= high:
        return f"预备期延长时间应为{low}至{high}个月，填写的是{months}个月"
    return None


# --- dues -----------------------------------------------------------------------------------

CENT = Decimal("0.01")
# Upper bound of the bracket (inclusive) and the rate on the whole after-tax income.
DUES_BRACKETS: tuple[tuple[Decimal | None, Decimal], ...] = (
    (Decimal("3000"), Decimal("0.005")),
    (Decimal("5000"), Decimal("0.01")),
    (Decimal("10000"), Decimal("0.015")),
    (None, Decimal("0.02")),
)
RETIRED_BRACKETS: tuple[tuple[Decimal | None, Decimal], ...] = (
    (Decimal("5000"), Decimal("0.005")),
    (None, Decimal("0.01")),
)
# Students, members without fixed income and members living on relief pay a token amount.
MINIMUM_MONTHLY_DUES = Decimal("0.20")
ARREARS_ALERT_MONTHS = 6


def _bracket_amount(income: Decimal, brackets) -> Decimal:
    for upper, rate in brackets:
        if upper is None or income <= upper:
            return (income * rate).quantize(CENT, rounding=ROUND_HALF_UP)
    raise AssertionError("the last bracket is open-ended")


def monthly_dues(*, category: str, monthly_income: Decimal | None = None) -> Decimal:
    """The monthly dues for a member of ``category`` with after-tax ``monthly_income`` (yuan).

    For irregular earners (riders, drivers) pass the previous quarter's monthly average
    (``quarter_average``). Never below the token minimum.
    """
    if category in ("student", "unemployed", "relief"):
        return MINIMUM_MONTHLY_DUES
    if monthly_income is None:
        raise ValueError("缺少税后月收入，无法核定党费")
    income = Decimal(monthly_income)
    if income < 0:
        raise ValueError("税后月收入不能为负数")
    brackets = RETIRED_BRACKETS if category == "retired" else DUES_BRACKETS
    return max(_bracket_amount(income, brackets), MINIMUM_MONTHLY_DUES)


def quarter_average(incomes: list[Decimal]) -> Decimal:
    """Average monthly income of the previous quarter (three monthly figures)."""
    if len(incomes) != 3:
        raise ValueError(f"收入不固定的党员按上季度三个月的收入计算，应填3个月，实际{len(incomes)}个")
    return (sum((Decimal(x) for x in incomes), Decimal(0)) / 3).quantize(CENT, rounding=ROUND_HALF_UP)


def previous_quarter(day: date) -> tuple[date, date]:
    """First and last day of the quarter before ``day``'s quarter."""
    first_month = (day.month - 1) // 3 * 3 + 1
    start = add_months(date(day.year, first_month, 1), -3)
    end = add_months(start, 3).replace(day=1)
    return start, date.fromordinal(end.toordinal() - 1)


def months_between(start: date, end: date) -> int:
    """Whole calendar months from ``start``'s month to ``end``'s month."""
    return (end.year - start.year) * 12 + end.month - start.month
