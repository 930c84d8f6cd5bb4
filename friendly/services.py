"""Writes of the friendly city: communities and their 公约, entrances, passes, scans, claims."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.images import sanitize_photo
from core.masking import mask_phone
from friendly import passes
from friendly.models import CommunityEntrance, FriendlyCommunity, MerchantClaim, PassScan, RiderPass
from members.models import NEW_EMPLOYMENT_OCCUPATIONS, Person
from organizations.models import Territory
from stations.models import ServicePoint
from stations.services import service_point_save

# A pass with less than this left is replaced rather than shown: a rider starting a shift
# should not be turned away at a gate half an hour later.
REISSUE_MARGIN = timedelta(hours=1)


# --- communities and entrances ----------------------------------------------------------------


def community_save(*, community: FriendlyCommunity, actor=None) -> FriendlyCommunity:
    if community.territory_id and community.territory.level != Territory.Level.COMMUNITY:
        raise ValidationError({"territory": f"“{community.territory.name}”不是社区，请选择社区一级的区划"})
    if not (community.convention or "").strip():
        raise ValidationError({"convention": "请填写社区公约"})
    community.full_clean()
    community.save()
    return community


@transaction.atomic
def community_publish(*, community: FriendlyCommunity, actor=None) -> FriendlyCommunity:
    """挂牌: publish the current 公约 (a new version each time) and open the gates to the pass."""
    if not community.entrances.exists():
        raise ValidationError(f"“{community.name}”还没有登记入口，至少登记一个门岗后才能挂牌")
    community.status = FriendlyCommunity.Status.PUBLISHED
    community.published_on = timezone.localdate()
    community.convention_version += 1
    community.save(update_fields=["status", "published_on", "convention_version", "updated_at"])
    return community


@transaction.atomic
def community_suspend(*, community: FriendlyCommunity, actor=None) -> FriendlyCommunity:
    community.status = FriendlyCommunity.Status.SUSPENDED
    community.save(update_fields=["status", "updated_at"])
    for entrance in community.entrances.select_related("point").order_by("pk"):
        if entrance.point is not None:
            entrance.point.is_active = False
            service_point_save(point=entrance.point, actor=actor)
    return community


@transaction.atomic
def entrance_save(*, entrance: CommunityEntrance, actor=None) -> CommunityEntrance:
    """Save an entrance and keep its friendly-map point in step (created on first save)."""
    if not entrance.guard_key:
        entrance.guard_key = secrets.token_urlsafe(12)
    entrance.full_clean()
    community = entrance.community
    point = entrance.point or ServicePoint(kind=ServicePoint.Kind.ENTRANCE, territory=community.territory)
    point.name = f"{community.name}·{entrance.name}"
    point.territory = community.territory
    point.address = entrance.address
    point.longitude, point.latitude = entrance.longitude, entrance.latitude
    point.coord_system = ServicePoint._meta.get_field("coord_system").default
    point.offers = "凭宁新码通行" if entrance.accepts_pass else "请在门岗登记"
    point.is_active = community.status != FriendlyCommunity.Status.SUSPENDED
    entrance.point = service_point_save(point=point, actor=actor)
    entrance.save()
    return entrance


# --- passes ----------------------------------------------------------------------------------


def worker_for_phone(phone: str) -> Person | None:
    """The one registered person with this phone; None when unknown or ambiguous (two records
    sharing a phone are sorted out by staff, a pass must name one person)."""
    if not phone:
        return None
    people = list(Person.objects.filter(phone=phone)[:2])
    return people[0] if len(people) == 1 else None


@transaction.atomic
def pass_issue(*, person: Person) -> RiderPass:
    """The worker's current pass, or a new one. Only new-employment workers get a pass."""
    if person.occupation not in NEW_EMPLOYMENT_OCCUPATIONS:
        raise ValidationError("宁新码只发给登记在册的新就业群体劳动者（骑手、快递员、网约车司机等）")
    now = timezone.now()
    # Lock the person's row so two taps at once do not issue two passes.
    Person.objects.select_for_update().filter(pk=person.pk).first()
    current = (
        RiderPass.objects.filter(person=person, revoked_at__isnull=True, expires_at__gt=now + REISSUE_MARGIN)
        .order_by("-expires_at")
        .first()
    )
    if current is not None:
        return current
    for _ in range(5):
        try:
            with transaction.atomic():
                return RiderPass.objects.create(
                    person=person,
                    code=passes.new_code(),
                    issued_at=now,
                    expires_at=now + timedelta(seconds=passes.ttl_seconds()),
                )
        except IntegrityError:  # a code collision (one in 8.5e11): draw again
            continue
    raise RuntimeError("could not draw a free pass code")


@transaction.atomic
def pass_revoke(*, rider_pass: RiderPass, reason: str, actor=None) -> RiderPass:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"revoked_reason": "请填写作废原因"})
    updated = RiderPass.objects.filter(pk=rider_pass.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_reason=reason[:200]
    )
    if not updated:
        raise ValidationError("该通行证已作废")
    rider_pass.refresh_from_db()
    return rider_pass


@dataclass(frozen=True)
class Verdict:
    result: str
    rider_pass: RiderPass | None
    entrance: CommunityEntrance | None

    @property
    def valid(self) -> bool:
        return self.result == PassScan.Result.VALID

    @property
    def label(self) -> str:
        return PassScan.Result(self.result).label


def pass_check(*, token: str = "", code: str = "", entrance: CommunityEntrance | None = None) -> Verdict:
    """Check a pass from its QR token or its typed code; record the scan (counted per community).

    Returns the verdict for the guard's screen; never raises for a bad token or code.
    """
    method = PassScan.Method.QR if token else PassScan.Method.TYPED
    rider_pass = None
    if token:
        try:
            code = passes.read(token)
        except passes.StaleToken:
            result = PassScan.Result.EXPIRED
            code = ""
        except passes.BadToken:
            result = PassScan.Result.FORGED
            code = ""
    code = passes.normalize_code(code)
    if code:
        rider_pass = RiderPass.objects.select_related("person").filter(code=code).first()
        if rider_pass is None:
            result = PassScan.Result.UNKNOWN
        elif rider_pass.revoked_at is not None:
            result = PassScan.Result.REVOKED
        elif rider_pass.expires_at <= timezone.now():
            result = PassScan.Result.EXPIRED
        else:
            result = PassScan.Result.VALID
    elif not token:
        result = PassScan.Result.UNKNOWN
    if entrance is not None and not entrance.accepts_pass:
        entrance = None
    PassScan.objects.create(
        entrance=entrance,
        community_id=entrance.community_id if entrance else None,
        rider_pass=rider_pass,
        result=result,
        method=method,
    )
    return Verdict(result=result, rider_pass=rider_pass, entrance=entrance)


# --- 爱'新'商家 claims ------------------------------------------------------------------------


@transaction.atomic
def merchant_claim_submit(*, data: dict, photo=None) -> MerchantClaim:
    """A merchant's claim from the public form; the photo is re-encoded without its metadata."""
    territory = data["territory"]
    if territory.level != Territory.Level.STREET:
        raise ValidationError({"territory": "请选择商家所在的街道（镇）"})
    if not (data.get("green_channel") or data.get("care_meal") or (data.get("other_offers") or "").strip()):
        raise ValidationError({"other_offers": "请至少选择或填写一项为新就业群体提供的服务"})
    claim = MerchantClaim(**data)
    if photo:
        claim.photo = sanitize_photo(photo, label="门头照片")
    claim.full_clean(exclude=["photo"])
    claim.save()
    return claim


@transaction.atomic
def merchant_claim_update(*, claim: MerchantClaim, actor=None) -> MerchantClaim:
    """The reviewer corrects a pending claim (places the shop, fixes a typo) before deciding."""
    if claim.status != MerchantClaim.Status.PENDING:
        raise ValidationError("已审核的认领不能再修改")
    claim.full_clean()
    claim.save()
    return claim


@transaction.atomic
def merchant_claim_approve(*, claim: MerchantClaim, actor) -> MerchantClaim:
    """认定: the merchant goes on the friendly map as a 爱心商家. Claims without coordinates are
    sent back to the reviewer, who places the shop (from Amap, GCJ-02) before approving."""
    claim = MerchantClaim.objects.select_for_update().get(pk=claim.pk)
    if claim.status != MerchantClaim.Status.PENDING:
        raise ValidationError(f"“{claim.merchant_name}”已审核（{claim.get_status_display()}），不能重复认定")
    if claim.longitude is None or claim.latitude is None:
        raise ValidationError(f"“{claim.merchant_name}”缺少经纬度：请先在认领记录中填写店铺位置再认定")
    point = service_point_save(
        point=ServicePoint(
            kind=ServicePoint.Kind.MERCHANT,
            name=claim.merchant_name,
            territory=claim.territory,
            address=claim.address,
            longitude=claim.longitude,
            latitude=claim.latitude,
            hours_text=claim.hours_text,
            offers=claim.offers_text,
        ),
        actor=actor,
    )
    claim.status = MerchantClaim.Status.APPROVED
    claim.point = point
    claim.reviewed_by = actor
    claim.reviewed_at = timezone.now()
    claim.save(update_fields=["status", "point", "reviewed_by", "reviewed_at"])
    return claim


@transaction.atomic
def merchant_claim_reject(*, claim: MerchantClaim, actor, reason: str) -> MerchantClaim:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(f"“{claim.merchant_name}”：不通过须填写审核意见，告知商家原因")
    updated = MerchantClaim.objects.filter(pk=claim.pk, status=MerchantClaim.Status.PENDING).update(
        status=MerchantClaim.Status.REJECTED, reviewed_by=actor, reviewed_at=timezone.now(), review_note=reason[:200]
    )
    if not updated:
        raise ValidationError(f"“{claim.merchant_name}”已审核，不能再退回")
    claim.refresh_from_db()
    return claim


def masked_contact(claim: MerchantClaim) -> str:
    return f"{claim.contact_name} {mask_phone(claim.contact_phone)}"
