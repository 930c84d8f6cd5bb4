"""Demo people and Party members, sized after the articles.

Qinhuai: 5,000 new-employment workers with 82 Party members found among them (seed 003); the
other districts are scaled down (``OTHER_DISTRICT_WORKERS``) so ``make run`` stays quick on SQLite.
Some members are mobile (流动) or invisible (隐形, not yet registered), a few have lost contact,
transfers exist in every state, and the development pipeline has people in every stage.

Everything comes from a fixed random seed; rows are found by their natural key (the ID number)
first, so a second run adds nothing. Inserts are bulk, in batches.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.dates import add_months
from core.tree import add_node
from members import counts, services
from members import demo_staff as staff
from members.models import (
    DevelopmentQuota,
    DevelopmentRecord,
    DuesPayment,
    MeetingAttendance,
    Occupation,
    PartyMembership,
    Person,
    Platform,
    Stage,
    Transfer,
)
from members.rules import monthly_dues, probation_end
from members.validators import id_check_char, name_initials
from organizations.demo import demo_streets
from organizations.models import Body, PartyOrganization, Territory

QINHUAI = "320104"
QINHUAI_WORKERS = 5000
QINHUAI_WORKER_MEMBERS = 82
OTHER_DISTRICT_WORKERS = 300
OTHER_DISTRICT_MEMBER_RATE = 0.016
OFFICE_MEMBERS = {QINHUAI: 40}  # members employed in new-sector firms, not gig workers
OFFICE_MEMBERS_DEFAULT = 8

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡"
    "余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯"
    "龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红建文辉鹏飞宇浩凯俊峰斌磊晨阳欣怡子涵梓轩雨"
MINORITY_NAMES = ["买买提·艾力", "阿依古丽·吐尔逊", "热合曼·阿不都", "古丽米拉·买买提"]

# (occupation, platforms, weight) for gig workers, after the articles' mix.
GIG_MIX = [
    (Occupation.RIDER, [Platform.MEITUAN, Platform.ELEME], 45),
    (Occupation.COURIER, [Platform.SF, Platform.JD, Platform.ZTO, Platform.YTO, Platform.STO, Platform.YUNDA], 30),
    (Occupation.RIDE_HAILING, [Platform.DIDI, Platform.T3], 12),
    (Occupation.TRUCK, [Platform.HUOLALA], 6),
    (Occupation.STREAMER, [Platform.DOUYIN, Platform.KUAISHOU], 4),
    (Occupation.DESIGNATED_DRIVER, [Platform.DIDI], 3),
]
INDUSTRY_FOR = {Occupation.COURIER: "HY-KD", Occupation.RIDER: "HY-WYPS", Occupation.RIDE_HAILING: "HY-WYC"}
BRANCH_NAMES = {"HY-KD": "快递行业联合党支部", "HY-WYPS": "网约配送行业联合党支部", "HY-WYC": "网约车行业联合党支部"}
BATCH = 1000
INDUSTRY_BRANCH_MIN_FULL = 4
INDUSTRY_BRANCH_CAP = 30  # beyond this a branch should split (总支 at 50): the rest stay with the street


class _Names:
    """Names with their pinyin initials, computed once per character."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self._initials: dict[str, str] = {}

    def initials(self, *parts: str) -> str:
        # Surname and given name separately: a few hundred pypinyin calls instead of thousands.
        result = ""
        for part in parts:
            if part not in self._initials:
                self._initials[part] = name_initials(part)
            result += self._initials[part]
        return result

    def next(self) -> tuple[str, ...]:
        if self.rng.random() < 0.004:
            return (self.rng.choice(MINORITY_NAMES),)
        given = "".join(self.rng.choice(GIVEN) for _ in range(self.rng.choice((1, 2, 2))))
        return self.rng.choice(SURNAMES), given


def _id_number(rng: random.Random, region: str, used: set[str], today: date) -> tuple[str, date, str]:
    while True:
        age = rng.choices([rng.randint(19, 35), rng.randint(36, 45), rng.randint(46, 58)], [60, 28, 12])[0]
        birth = today.replace(year=today.year - age, month=1, day=1) + timedelta(days=rng.randint(0, 364))
        seq = f"{rng.randint(0, 999):03d}"
        first17 = f"{region}{birth:%Y%m%d}{seq}"
        number = first17 + id_check_char(first17)
        if number not in used:
            used.add(number)
            return number, birth, "M" if int(seq[2]) % 2 else "F"


def _phone(rng: random.Random, used: set[str]) -> str:
    while True:
        phone = f"1{rng.choice('3578')}{rng.randint(0, 9)}{rng.randint(0, 99_999_999):08d}"
        if phone not in used:
            used.add(phone)
            return phone


def _industry_branches(districts: dict[str, Territory]) -> dict[tuple[str, str], PartyOrganization]:
    """A joint branch per industry committee in Qinhuai and 玄武, co-managed (双纳管) by it, so the
    industry officer sees the couriers' and riders' branches across districts."""
    branches = {}
    for district_code in (QINHUAI, "320102"):
        district = districts.get(district_code)
        district_org = PartyOrganization.objects.filter(code=f"QW-{district_code}").first()
        if district is None or district_org is None:
            continue
        for committee_code, suffix in BRANCH_NAMES.items():
            committee = PartyOrganization.objects.filter(code=committee_code).first()
            if committee is None:
                continue
            code = f"ZB-{district_code}-{committee_code}"
            branch = PartyOrganization.objects.filter(code=code).first() or add_node(
                type(district_org),
                PartyOrganization.objects.get(pk=district_org.pk),
                code=code,
                name=f"{district.name}{suffix}",
                kind=PartyOrganization.Kind.JOINT_BRANCH,
                territory=district,
                industry_committee=committee,
                # The smallest size a branch may have: staffed up to it (``demo_staff``) where the
                # surveys found fewer members than that.
                full_member_count=INDUSTRY_BRANCH_MIN_FULL,
                member_count=INDUSTRY_BRANCH_MIN_FULL,
            )
            branches[(district_code, committee_code)] = branch
    return branches


def _street_orgs() -> dict[int, PartyOrganization]:
    """Street territory id → its 两新综合党委 (JD-<street code>)."""
    orgs = PartyOrganization.objects.filter(code__startswith="JD-").select_related("territory")
    return {org.territory_id: org for org in orgs}


def seed_persons(rng: random.Random, today: date) -> list[Person]:
    districts = {d.code: d for d in Territory.objects.filter(level=Territory.Level.DISTRICT)}
    communities: dict[str, list[Territory]] = {}
    # People live in the demo streets (organizations.demo), where its units and stations are.
    for street in demo_streets():
        for community in Territory.objects.get_children(street).filter(level=Territory.Level.COMMUNITY):
            communities.setdefault(community.code[:6], []).append(community)
    existing_ids = set(Person.objects.exclude(id_number=None).values_list("id_number", flat=True))
    # Uniqueness within this run only: the same seed must draw the same rows on every run.
    used_ids: set[str] = set()
    used_phones: set[str] = set()
    names = _Names(rng)
    occupations = [mix[0] for mix in GIG_MIX]
    weights = [mix[2] for mix in GIG_MIX]
    platforms = {mix[0]: mix[1] for mix in GIG_MIX}
    rows: list[Person] = []
    for code in sorted(districts):
        places = communities.get(code) or [districts[code]]
        workers = QINHUAI_WORKERS if code == QINHUAI else OTHER_DISTRICT_WORKERS
        office = OFFICE_MEMBERS.get(code, OFFICE_MEMBERS_DEFAULT)
        for index in range(workers + office):
            number, birth, gender = _id_number(rng, code, used_ids, today)
            parts = names.next()
            name = "".join(parts)
            if index < workers:
                occupation = rng.choices(occupations, weights)[0]
                platform = rng.choice(platforms[occupation])
            else:
                occupation, platform = Occupation.OFFICE, ""
            rows.append(
                Person(
                    name=name,
                    name_initials=names.initials(*parts),
                    id_number=number,
                    phone=_phone(rng, used_phones),
                    gender=gender,
                    birth_date=birth,
                    occupation=occupation,
                    platform=platform,
                    territory=rng.choice(places),
                )
            )
    new_rows = [row for row in rows if row.id_number not in existing_ids]
    for start in range(0, len(new_rows), BATCH):
        Person.objects.bulk_create(new_rows[start : start + BATCH])
    return new_rows


def seed_memberships(rng: random.Random, today: date) -> None:
    if PartyMembership.objects.filter(person__territory__path__startswith=_path(QINHUAI)).exists():
        return
    districts = {d.code: d for d in Territory.objects.filter(level=Territory.Level.DISTRICT)}
    branches = _industry_branches(districts)
    street_orgs = _street_orgs()
    steplen = Territory.steplen
    street_by_path = {t.path: t for t in Territory.objects.filter(level=Territory.Level.STREET)}
    committees = {c.code: c for c in PartyOrganization.objects.filter(kind=PartyOrganization.Kind.INDUSTRY_COMMITTEE)}
    memberships: list[PartyMembership] = []
    placed: Counter = Counter()
    for code in sorted(districts):
        persons = list(
            Person.objects.filter(territory__path__startswith=districts[code].path)
            .select_related("territory")
            .order_by("id_number")
        )
        gig = [p for p in persons if p.occupation != Occupation.OFFICE]
        office = [p for p in persons if p.occupation == Occupation.OFFICE]
        n_gig = QINHUAI_WORKER_MEMBERS if code == QINHUAI else max(3, round(len(gig) * OTHER_DISTRICT_MEMBER_RATE))
        chosen = rng.sample(gig, min(n_gig, len(gig))) + office
        for index, person in enumerate(chosen):
            street = street_by_path.get(person.territory.path[: 3 * steplen])
            branch = branches.get((code, INDUSTRY_FOR.get(person.occupation, "")))
            if branch is not None and placed[branch.pk] >= INDUSTRY_BRANCH_CAP:
                branch = None
            organization = branch or (street_orgs.get(street.pk) if street else None)
            if organization is None:
                continue
            placed[organization.pk] += 1
            probationary = rng.random() < 0.12
            joined = today - timedelta(days=rng.randint(120, 330) if probationary else rng.randint(800, 9000))
            invisible = person.occupation != Occupation.OFFICE and index % 11 == 5
            mobile = not invisible and person.occupation != Occupation.OFFICE and index % 7 == 3
            lost = not invisible and index % 23 == 9
            last_contact = today - timedelta(days=rng.randint(200, 400) if lost else rng.randint(0, 90))
            category = (
                PartyMembership.DuesCategory.IRREGULAR
                if person.occupation != Occupation.OFFICE
                else PartyMembership.DuesCategory.REGULAR
            )
            income = Decimal(rng.randrange(3000, 12000, 50))
            memberships.append(
                PartyMembership(
                    person=person,
                    status=PartyMembership.Status.PROBATIONARY if probationary else PartyMembership.Status.FULL,
                    organization=None if invisible else organization,
                    joined_on=joined,
                    full_member_on=None if probationary else add_months(joined, 12),
                    probation_ends_on=probation_end(joined) if probationary else None,
                    is_mobile=mobile,
                    origin_organization_name=f"{rng.choice(['安徽省', '河南省', '江苏省盐城市', '山东省'])}某村党支部"
                    if mobile
                    else "",
                    co_managing_organization=_co_manager(
                        organization, street, street_orgs, committees, person.occupation
                    )
                    if mobile
                    else None,
                    is_invisible=invisible,
                    found_by_survey_on=today - timedelta(days=rng.randint(10, 120)) if invisible else None,
                    last_contact_on=last_contact,
                    lost_contact=lost,
                    is_new_employment=person.is_new_employment,
                    dues_category=category,
                    dues_income_basis=income,
                    dues_monthly=monthly_dues(category=category, monthly_income=income),
                    dues_assessed_on=today - timedelta(days=30),
                )
            )
    PartyMembership.objects.bulk_create(memberships, batch_size=BATCH)
    _seed_dues(rng, today)


def _co_manager(organization, street, street_orgs, committees, occupation) -> PartyOrganization | None:
    """Where a mobile member is co-managed: never their own organization. A member of an
    industry branch is co-managed by the street where they work (块); a member of a street's
    committee by the industry committee of that branch's trade (条)."""
    local = street_orgs.get(street.pk) if street else None
    if local is not None and local.pk != organization.pk:
        return local
    return committees.get(INDUSTRY_FOR.get(occupation, "HY-WYPS"))


def _seed_dues(rng: random.Random, today: date) -> None:
    """Six months of payments for most members; every 13th registered member is in arrears."""
    payments: list[DuesPayment] = []
    this_month = today.replace(day=1)
    registered = PartyMembership.objects.filter(is_invisible=False).order_by("id")
    for index, membership in enumerate(registered):
        months = range(8, 14) if index % 13 == 0 else range(1, 7)
        for back in months:
            period = add_months(this_month, -back)
            if membership.joined_on and period < membership.joined_on.replace(day=1):
                continue
            payments.append(
                DuesPayment(
                    membership=membership,
                    period=period,
                    amount=membership.dues_monthly,
                    paid_on=add_months(period, 1) - timedelta(days=rng.randint(1, 20)),
                )
            )
    DuesPayment.objects.bulk_create(payments, batch_size=BATCH)


def seed_quotas(today: date) -> dict[int, DevelopmentQuota]:
    """Nanjing reserved 2,030 places for new sectors (38% of the city total); Qinhuai its share."""
    quotas = {}
    city_body = Body.objects.filter(code="SJ-LXGW").first()
    qinhuai_body = Body.objects.filter(code=f"QW-{QINHUAI}").first()
    for year in (today.year - 1, today.year):
        if city_body:
            DevelopmentQuota.objects.get_or_create(
                body=city_body, year=year, defaults={"amount": 2030, "note": "全市新兴领域专项发展指标（占全市38%）"}
            )
        if qinhuai_body:
            quotas[year] = DevelopmentQuota.objects.get_or_create(
                body=qinhuai_body, year=year, defaults={"amount": 60, "note": "秦淮区两新组织年度发展指标"}
            )[0]
    return quotas


def seed_pipeline(rng: random.Random, today: date, quotas: dict[int, DevelopmentQuota]) -> None:
    """Development records in every stage, with dates that satisfy the waiting times."""
    if DevelopmentRecord.objects.exists():
        return
    qinhuai = Territory.objects.get(code=QINHUAI)
    candidates = list(
        Person.objects.filter(territory__path__startswith=qinhuai.path, membership__isnull=True)
        .exclude(occupation=Occupation.OFFICE)
        .order_by("id_number")[:400]
    )
    rng.shuffle(candidates)
    branch = PartyOrganization.objects.filter(code=f"ZB-{QINHUAI}-HY-KD").first() or PartyOrganization.objects.get(
        code=f"QW-{QINHUAI}"
    )
    plan = [(Stage.APPLICANT, 8), (Stage.ACTIVIST, 10), (Stage.CANDIDATE, 6), (Stage.PROBATIONARY, 3), (Stage.FULL, 2)]
    people = iter(candidates)
    names = list(
        PartyMembership.objects.filter(organization=branch, status="full").values_list("person__name", flat=True)[:2]
    )
    introducers = "、".join(names) if len(names) == 2 else "王建国、李红梅"
    last_year_start = date(today.year - 1, 1, 1)
    for stage, how_many in plan:
        for _ in range(how_many):
            person = next(people, None)
            if person is None or not person.birth_date or (today - person.birth_date).days < 22 * 366:
                continue
            if stage == Stage.FULL:
                # Admitted last year, at least a year ago, so the year's probation is over.
                span = (today - timedelta(days=366) - last_year_start).days
                admitted = last_year_start + timedelta(days=rng.randint(0, max(span, 0)))
            else:
                admitted = today - timedelta(days=rng.randint(20, 200))
            candidate_on = admitted - timedelta(days=rng.randint(60, 120))
            activist_on = add_months(candidate_on, -13)
            applied_on = activist_on - timedelta(days=rng.randint(30, 90))
            if stage == Stage.APPLICANT:
                applied_on = today - timedelta(days=rng.randint(5, 60))
            elif stage == Stage.ACTIVIST:
                activist_on = today - timedelta(days=rng.randint(10, 300))
                applied_on = activist_on - timedelta(days=rng.randint(30, 90))
            record = services.development_start(person=person, organization=branch, applied_on=applied_on)
            if stage >= Stage.ACTIVIST:
                services.development_advance(record=record, stage=Stage.ACTIVIST, on=activist_on)
            if stage >= Stage.CANDIDATE:
                services.development_advance(
                    record=record, stage=Stage.CANDIDATE, on=candidate_on, introducers=introducers
                )
            if stage >= Stage.PROBATIONARY:
                services.development_advance(
                    record=record, stage=Stage.PROBATIONARY, on=admitted, quota=quotas.get(admitted.year)
                )
            if stage >= Stage.FULL:
                services.development_advance(record=record, stage=Stage.FULL, on=add_months(admitted, 12))


def seed_transfers(rng: random.Random, today: date) -> None:
    """A transfer in every state, between Qinhuai's street committees and branches."""
    if Transfer.objects.exists():
        return
    qinhuai = Territory.objects.get(code=QINHUAI)
    members = list(
        PartyMembership.objects.filter(
            person__territory__path__startswith=qinhuai.path, is_invisible=False, organization__isnull=False
        )
        .select_related("organization", "person")
        .order_by("id")[:12]
    )
    targets = list(PartyOrganization.objects.filter(code__startswith=f"JD-{QINHUAI}").order_by("code")[:6]) or list(
        PartyOrganization.objects.filter(territory=qinhuai)[:3]
    )
    reasons = ["工作单位变动", "居住地变动", "流动党员回原籍", "平台站点调整"]
    states = [
        "requested",
        "requested",
        "approved",
        "approved",
        "accepted",
        "accepted",
        "rejected",
        "cancelled",
        "expired",
    ]
    for membership, state in zip(members, states, strict=False):
        target = next((t for t in targets if t.pk != membership.organization_id), None)
        if target is None:
            continue
        transfer = services.transfer_request(membership=membership, to_organization=target, reason=rng.choice(reasons))
        if state in ("approved", "accepted", "rejected"):
            transfer = services.transfer_approve(transfer=transfer)
        if state == "accepted":
            services.transfer_accept(transfer=transfer, note="线上接收")
        elif state == "rejected":
            services.transfer_reject(transfer=transfer, reason="介绍信信息与党员档案不一致，请核实后重新发起")
        elif state == "cancelled":
            services.transfer_cancel(transfer=transfer, note="党员本人申请撤销")
        elif state == "expired":
            past = timezone.now() - timedelta(days=100)
            Transfer.objects.filter(pk=transfer.pk).update(
                requested_at=past, valid_until=add_months(today, -3) - timedelta(days=5)
            )
            services.transfers_expire(today=today)


ROLL_ORGANIZATIONS, ROLL_MEETINGS = 10, 2


def seed_attendance(rng: random.Random) -> None:
    """Per-person rolls for the latest meetings of some 秦淮 branches (about 85% present, a few
    excused), recorded through the service so that each meeting's counts follow its roll."""
    from members.attendance import meeting_attendance_record, meeting_roll
    from organizations.models import Meeting

    if MeetingAttendance.objects.exists():
        return
    branches = (
        PartyOrganization.objects.filter(
            territory__path__startswith=_path(QINHUAI), kind="branch", member_count__gte=3, member_count__lte=30
        )
        .filter(meetings__isnull=False)
        .distinct()
        .order_by("path")[:ROLL_ORGANIZATIONS]
    )
    for branch in branches:
        for meeting in Meeting.objects.filter(organization=branch).order_by("-held_on")[:ROLL_MEETINGS]:
            roll = [p.pk for p in meeting_roll(meeting)]
            excused = [pk for pk in roll if rng.random() < 0.05]
            attended = [pk for pk in roll if pk not in excused and rng.random() < 0.9]
            try:
                meeting_attendance_record(meeting=meeting, attended=attended, excused=excused)
            except ValidationError:
                continue  # a meeting the rules would not record now (e.g. before a re-founding)


def _path(code: str) -> str:
    return Territory.objects.get(code=code).path


@transaction.atomic
def seed(stdout=None) -> None:
    if not Territory.objects.filter(code=QINHUAI).exists():
        return
    rng = random.Random(20251123)
    today = timezone.localdate()
    created = seed_persons(rng, today)
    seed_memberships(rng, today)
    quotas = seed_quotas(today)
    seed_pipeline(rng, today, quotas)
    seed_transfers(rng, today)
    staff.seed_staff(rng, today)
    counts.recount_all()
    staff.seed_committees()
    seed_attendance(rng)
    if stdout is not None:
        stdout.write(
            f"人员：新增 {len(created)} 人，共 {Person.objects.count()} 人；党员 {PartyMembership.objects.count()} 名\n"
        )
