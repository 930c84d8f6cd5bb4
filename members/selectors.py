"""Reads of the members app that carry rules: scope, masking, distribution, quotas, arrears."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet
from django.utils import timezone

from core.cache import count_hits
from core.dates import add_months
from core.masking import is_phone_tail
from core.text import clean_code
from members.models import (
    NEW_EMPLOYMENT_OCCUPATIONS,
    DevelopmentQuota,
    DevelopmentRecord,
    DuesPayment,
    Occupation,
    PartyMembership,
    Person,
    Stage,
    Transfer,
)
from members.rules import ARREARS_ALERT_MONTHS, months_between
from organizations.models import Territory, Unit
from organizations.scope import restrict

FULL_IDENTITY_PERMISSION = "members.view_full_identity"


def can_view_full_identity(user) -> bool:
    """Whether ``user``'s role needs full ID numbers and phones on a detail page."""
    return bool(user and user.is_active and user.has_perm(FULL_IDENTITY_PERMISSION))


# --- search -------------------------------------------------------------------------------

_INITIALS = re.compile(r"^[a-zA-Z]{1,16}$")
_FULL_ID = re.compile(r"^[0-9]{17}[0-9xX]$")
_FULL_PHONE = re.compile(r"^1[0-9]{10}$")
_NOTHING = Q(pk__in=[])

# A viewer who sees ID numbers and phones masked may still find a person by the whole number the
# person tells them (awarding points at the counter, enrolling a rider). Each such search is also
# a yes/no answer about the hidden digits, so guessing them would undo the mask: a phone's four
# hidden digits are 10,000 guesses, an ID number beside its birth year about 3,300. These
# searches are therefore counted per viewer (``WHOLE_CODE_SEARCH_LIMIT``: searches, window in
# seconds); past the limit a whole phone matches only by the four digits its mask shows and a
# whole ID number matches nothing, until the window ends.
_ANSWERS = "_whole_code_searches"  # this request's answers, kept on its user object
WHOLE_CODE_LIMITED = "整号查询已达上限（每小时 {limit} 次）：完整手机号暂按后4位匹配，完整身份证号暂不匹配，请稍后再试"


def _whole_code_allowed(viewer, code: str) -> bool:
    """Whether ``viewer`` may match the whole ``code`` now, counting the search once per request
    (the answer is kept on the request's user object, as Django keeps its permission cache).
    ``viewer=None`` is the system (commands, services): never limited."""
    if viewer is None or can_view_full_identity(viewer):
        return True
    answers = getattr(viewer, _ANSWERS, None)
    if answers is None:
        answers = {}
        setattr(viewer, _ANSWERS, answers)
    if code not in answers:
        limit, window = settings.WHOLE_CODE_SEARCH_LIMIT
        (count,) = count_hits(cache, [(f"mbr:whole-code:{viewer.pk}", window)])
        answers[code] = count <= limit
    return answers[code]


def whole_code_notice(viewer) -> str:
    """The Chinese notice a search page shows when a whole number typed in this request was not
    matched whole because ``viewer`` reached the limit; empty otherwise."""
    answers = getattr(viewer, _ANSWERS, None) or {}
    if all(answers.values()):
        return ""
    return WHOLE_CODE_LIMITED.format(limit=settings.WHOLE_CODE_SEARCH_LIMIT[0])


def person_search_q(term: str, *, viewer) -> Q:
    """Name (or its pinyin initials: "zs" finds 张三), a full ID number, a full phone, or the
    last four digits of a phone.

    By the masking policy (core.masking) a search may not reveal a hidden character: an ID number
    is matched only whole, a phone by exactly the 4 digits its mask shows (a 5- or 6-digit
    tail would tell the hidden digits one search at a time), and whole numbers within the
    viewer's limit (``_whole_code_allowed``).
    """
    term = term.strip()
    if not term:
        return Q()
    q = Q(name__startswith=term)
    if _INITIALS.match(term):
        q |= Q(name_initials__startswith=term.lower())
    code = clean_code(term)
    if _FULL_ID.match(code):
        q |= Q(id_number=code) if _whole_code_allowed(viewer, code) else _NOTHING
    else:
        q |= phone_search_q(term, viewer=viewer) or Q()
    return q


def phone_search_q(term: str, field: str = "phone", *, viewer) -> Q | None:
    """A phone typed whole or by the 4 digits its mask shows (spaces and full width folded);
    ``None`` for anything else, so no longer tail can tell a hidden digit. A whole phone past the
    viewer's limit matches by its last 4 digits, which the mask shows anyway."""
    code = clean_code(term)
    if _FULL_PHONE.match(code):
        if _whole_code_allowed(viewer, code):
            return Q(**{field: code})
        return Q(**{f"{field}__endswith": code[-4:]})
    if is_phone_tail(code):
        return Q(**{f"{field}__endswith": code})
    return None


# --- distribution ---------------------------------------------------------------------------

AGE_BANDS: tuple[tuple[str, int, int | None], ...] = (
    ("35岁及以下", 0, 35),
    ("36–45岁", 36, 45),
    ("46–55岁", 46, 55),
    ("56–60岁", 56, 60),
    ("61岁及以上", 61, None),
)


@dataclass(frozen=True)
class Distribution:
    total: int
    full: int
    probationary: int
    mobile: int
    invisible: int
    lost_contact: int
    new_employment: int
    by_district: list[tuple[str, int]]
    by_street: list[tuple[str, int]]
    by_industry: list[tuple[str, int]]
    by_occupation: list[tuple[str, int]]
    by_age_band: list[tuple[str, int]]
    by_status: list[tuple[str, int]]
    by_kind: list[tuple[str, int]]

    def as_dict(self) -> dict:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


def _territory_counts(memberships: QuerySet, depth: int) -> list[tuple[str, int]]:
    """Counts per territory node of ``depth`` (2 = district, 3 = street), by path prefix."""
    step = Territory.steplen
    rows = memberships.values_list("person__territory__path").annotate(n=Count("id"))
    prefix_counts: dict[str, int] = {}
    for path, n in rows:
        if path and len(path) >= depth * step:
            key = path[: depth * step]
            prefix_counts[key] = prefix_counts.get(key, 0) + n
    names = dict(Territory.objects.filter(path__in=list(prefix_counts)).values_list("path", "name"))
    if depth == 3:
        parents = dict(
            Territory.objects.filter(path__in={p[: 2 * step] for p in prefix_counts}).values_list("path", "name")
        )
        names = {path: f"{parents.get(path[: 2 * step], '')}{name}" for path, name in names.items()}
    return sorted(((names.get(p, p), n) for p, n in prefix_counts.items()), key=lambda item: -item[1])


def member_distribution(user, *, territory: Territory | None = None, today: date | None = None) -> Distribution:
    """THE member-distribution selector: every dashboard and the analysis page read this.

    Counts only what ``user`` may see (the scope rule), optionally under ``territory``.
    """
    today = today or timezone.localdate()
    memberships = restrict(PartyMembership.objects.all(), user)
    if territory is not None:
        memberships = memberships.filter(person__territory__path__startswith=territory.path)
    S = PartyMembership.Status
    totals = memberships.aggregate(
        total=Count("id"),
        full=Count("id", filter=Q(status=S.FULL)),
        probationary=Count("id", filter=Q(status=S.PROBATIONARY)),
        mobile=Count("id", filter=Q(is_mobile=True)),
        invisible=Count("id", filter=Q(is_invisible=True)),
        lost_contact=Count("id", filter=Q(lost_contact=True)),
        new_employment=Count("id", filter=Q(is_new_employment=True)),
    )
    industry_labels = dict(Unit.Industry.choices) if hasattr(Unit, "Industry") else {}
    by_industry = [
        (industry_labels.get(key, key) if key else "未登记单位", n)
        for key, n in memberships.values_list("person__employer__industry").annotate(n=Count("id")).order_by("-n")
    ]
    occupation_labels = dict(Occupation.choices)
    by_occupation = [
        (occupation_labels.get(key, key), n)
        for key, n in memberships.values_list("person__occupation").annotate(n=Count("id")).order_by("-n")
    ]
    band_q = {}
    for label, low, high in AGE_BANDS:
        # Born after (today - high - 1 years) means aged <= high.
        q = Q(person__birth_date__lte=add_months(today, -12 * low))
        if high is not None:
            q &= Q(person__birth_date__gt=add_months(today, -12 * (high + 1)))
        band_q[label] = Count("id", filter=q)
    band_q["未知"] = Count("id", filter=Q(person__birth_date__isnull=True))
    bands = memberships.aggregate(**{f"b{i}": agg for i, agg in enumerate(band_q.values())})
    by_age_band = [(label, bands[f"b{i}"]) for i, label in enumerate(band_q)]
    return Distribution(
        total=totals["total"],
        full=totals["full"],
        probationary=totals["probationary"],
        mobile=totals["mobile"],
        invisible=totals["invisible"],
        lost_contact=totals["lost_contact"],
        new_employment=totals["new_employment"],
        by_district=_territory_counts(memberships, 2),
        by_street=_territory_counts(memberships, 3)[:30],
        by_industry=by_industry,
        by_occupation=by_occupation,
        by_age_band=by_age_band,
        by_status=[("正式党员", totals["full"]), ("预备党员", totals["probationary"])],
        by_kind=[
            ("流动党员", totals["mobile"]),
            ("隐形党员", totals["invisible"]),
            ("失联党员", totals["lost_contact"]),
            ("新就业群体党员", totals["new_employment"]),
        ],
    )


def worker_counts(user) -> dict[str, int]:
    """Gig workers (新就业群体) the user may see, and how many of them are Party members."""
    persons = restrict(Person.objects.all(), user).filter(occupation__in=list(NEW_EMPLOYMENT_OCCUPATIONS))
    return persons.aggregate(
        workers=Count("id"),
        members=Count("id", filter=Q(membership__isnull=False)),
    )


# --- pipeline and quotas ----------------------------------------------------------------------


@dataclass(frozen=True)
class QuotaUsage:
    quota: DevelopmentQuota
    used: int

    @property
    def remaining(self) -> int:
        return max(self.quota.amount - self.used, 0)


def quota_usage(user, *, year: int | None = None) -> list[QuotaUsage]:
    quotas = restrict(DevelopmentQuota.objects.select_related("body"), user)
    if year:
        quotas = quotas.filter(year=year)
    quotas = quotas.annotate(used=Count("records", filter=Q(records__stage__gte=Stage.PROBATIONARY)))
    return [QuotaUsage(quota=q, used=q.used) for q in quotas]


def pipeline_counts(user) -> dict[str, int]:
    """Open development records per stage; 发展对象 is the candidate reserve (Pudong keeps 540)."""
    rows = dict(
        restrict(DevelopmentRecord.objects.filter(is_closed=False), user)
        .values_list("stage")
        .annotate(n=Count("id"))
        .values_list("stage", "n")
    )
    return {Stage(stage).label: rows.get(stage, 0) for stage in Stage}


def candidate_reserve(user) -> int:
    return restrict(DevelopmentRecord.objects.filter(is_closed=False, stage=Stage.CANDIDATE), user).count()


# --- transfers and dues ---------------------------------------------------------------------


def transfers_visible(user) -> QuerySet:
    """Both sides of a transfer see it; the door for transfers."""
    return Transfer.objects.visible_to(user)


def dues_arrears(user, *, today: date | None = None, months: int = ARREARS_ALERT_MONTHS) -> QuerySet:
    """Members with no dues paid for the ``months`` whole months before this one (党费欠缴预警;
    six months unpaid without a reason counts as leaving the Party, so the alert comes then).

    Members who joined within those months are not yet due that long.
    """
    today = today or timezone.localdate()
    cutoff = add_months(today.replace(day=1), -months)
    recent = DuesPayment.objects.filter(membership=OuterRef("pk"), period__gte=cutoff)
    return (
        restrict(PartyMembership.objects.filter(is_invisible=False), user)
        .annotate(has_recent=Exists(recent), last_paid=Max("dues_payments__period"))
        .filter(has_recent=False)
        .filter(Q(joined_on__isnull=True) | Q(joined_on__lt=cutoff))
        .select_related("person", "organization")
        .order_by("last_paid", "pk")
    )


def months_in_arrears(membership: PartyMembership, *, today: date | None = None) -> int:
    """Whole months before the current one without a payment, since the last one paid."""
    today = today or timezone.localdate()
    # ``dues_arrears`` rows carry ``last_paid`` already: a list of them asks nothing more.
    if hasattr(membership, "last_paid"):
        last = membership.last_paid
    else:
        last = membership.dues_payments.order_by("-period").values_list("period", flat=True).first()
    if last is not None:
        start = add_months(last, 1)
    elif membership.joined_on is not None:
        start = membership.joined_on.replace(day=1)
    else:
        return 0
    return max(months_between(start, today.replace(day=1)), 0)
