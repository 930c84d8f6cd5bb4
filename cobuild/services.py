"""Every write of 三张清单 and 共建: the admin, the API and the board all call these.

Each function checks that the actor may act on the alliance (the scope rule decides), validates
everything before writing and raises ``CobuildError`` with a Chinese message naming the field.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cobuild.models import (
    Agreement,
    AgreementParty,
    Alliance,
    AllianceMember,
    Claim,
    Need,
    Project,
    ProjectUpdate,
    Resource,
)
from organizations.scope import can_see


class CobuildError(ValueError):
    """A refused write; the message is Chinese and says which field and why."""


def _check_alliance(actor, alliance: Alliance) -> None:
    if actor is not None and not can_see(actor, alliance):
        raise CobuildError(f"联盟：“{alliance}”不在您的管辖范围内")


def _full_clean(obj, exclude=None) -> None:
    try:
        obj.full_clean(exclude=exclude)
    except ValidationError as exc:
        labels = {f.name: f.verbose_name for f in obj._meta.fields}
        parts = []
        for field, messages in exc.message_dict.items():
            label = labels.get(field, "")
            parts.extend(f"{label}：{m}" if label else m for m in messages)
        raise CobuildError("；".join(parts)) from exc


def _same_alliance(alliance: Alliance, member: AllianceMember | None, label: str) -> None:
    if member is not None and member.alliance_id != alliance.pk:
        raise CobuildError(f"{label}：“{member}”不是“{alliance}”的成员单位")


@transaction.atomic
def alliance_save(*, alliance: Alliance, actor=None) -> Alliance:
    if alliance.pk is None and actor is not None and not can_see(actor, alliance.territory):
        raise CobuildError(f"所在辖区：“{alliance.territory}”不在您的管辖范围内")
    if alliance.pk is not None:
        _check_alliance(actor, alliance)
    _full_clean(alliance)
    alliance.save()
    return alliance


@transaction.atomic
def member_save(*, member: AllianceMember, actor=None) -> AllianceMember:
    _check_alliance(actor, member.alliance)
    _full_clean(member)
    member.save()
    return member


@transaction.atomic
def resource_save(*, resource: Resource, actor=None) -> Resource:
    _check_alliance(actor, resource.alliance)
    _same_alliance(resource.alliance, resource.owner, "提供单位")
    _full_clean(resource)
    resource.save()
    return resource


@transaction.atomic
def need_save(*, need: Need, actor=None) -> Need:
    """Create or edit a need; its status moves only through claims (and ``need_close``)."""
    _check_alliance(actor, need.alliance)
    _same_alliance(need.alliance, need.holder, "提出单位")
    if need.pk is not None:
        need.status = Need.objects.values_list("status", flat=True).get(pk=need.pk)
    else:
        need.status = Need.Status.OPEN
    _full_clean(need)
    need.save()
    return need


@transaction.atomic
def need_close(*, need: Need, actor=None) -> Need:
    _check_alliance(actor, need.alliance)
    need = Need.objects.select_for_update().get(pk=need.pk)
    if need.status == Need.Status.MET:
        raise CobuildError("状态：需求已满足，无需关闭")
    need.status = Need.Status.CLOSED
    need.save(update_fields=["status"])
    return need


def _claim(*, need: Need, resource: Resource, actor, direction: str, note: str) -> Claim:
    _check_alliance(actor, need.alliance)
    need = Need.objects.select_for_update().get(pk=need.pk)
    if need.status not in (Need.Status.OPEN, Need.Status.CLAIMED):
        raise CobuildError(f"需求：“{need}”{need.get_status_display()}，不能再认领")
    if resource.alliance_id != need.alliance_id:
        raise CobuildError(f"资源：“{resource}”不属于“{need.alliance}”")
    if not resource.is_available:
        raise CobuildError(f"资源：“{resource}”暂不可认领")
    if Claim.objects.filter(need=need, resource=resource).exists():
        raise CobuildError(f"认领：“{resource}”已对接过“{need}”")
    claim = Claim.objects.create(need=need, resource=resource, direction=direction, note=note.strip(), created_by=actor)
    if need.status == Need.Status.OPEN:
        need.status = Need.Status.CLAIMED
        need.save(update_fields=["status"])
    return claim


@transaction.atomic
def need_claim(*, need: Need, resource: Resource, actor, note: str = "") -> Claim:
    """A member unit offers one of its resources for a need (单位认领需求)."""
    return _claim(need=need, resource=resource, actor=actor, direction=Claim.Direction.UNIT_CLAIMS_NEED, note=note)


@transaction.atomic
def resource_request(*, resource: Resource, need: Need, actor, note: str = "") -> Claim:
    """A need's holder asks for a listed resource (需求方申请资源)."""
    return _claim(
        need=need, resource=resource, actor=actor, direction=Claim.Direction.NEED_REQUESTS_RESOURCE, note=note
    )


@transaction.atomic
def claim_decide(*, claim: Claim, actor, accept: bool) -> Claim:
    """The other side answers: accepted (已对接) or declined; a need with no live claim left is
    open again."""
    _check_alliance(actor, claim.need.alliance)
    claim = Claim.objects.select_for_update().select_related("need").get(pk=claim.pk)
    if claim.status != Claim.Status.PENDING:
        raise CobuildError(f"状态：该认领已{claim.get_status_display()}")
    claim.status = Claim.Status.ACCEPTED if accept else Claim.Status.DECLINED
    claim.decided_by, claim.decided_at = actor, timezone.now()
    claim.save(update_fields=["status", "decided_by", "decided_at"])
    need = claim.need
    live = Claim.objects.filter(need=need, status__in=[Claim.Status.PENDING, Claim.Status.ACCEPTED]).exists()
    if not live and need.status == Need.Status.CLAIMED:
        need.status = Need.Status.OPEN
        need.save(update_fields=["status"])
    return claim


@transaction.atomic
def claim_fulfil(*, claim: Claim, actor, on: date | None = None) -> Claim:
    """The service was delivered: the claim is done and the need is met."""
    _check_alliance(actor, claim.need.alliance)
    claim = Claim.objects.select_for_update().select_related("need").get(pk=claim.pk)
    if claim.status != Claim.Status.ACCEPTED:
        raise CobuildError("状态：只有已对接的认领才能标记完成")
    claim.status = Claim.Status.FULFILLED
    claim.save(update_fields=["status"])
    need = claim.need
    need.status, need.met_on = Need.Status.MET, on or timezone.localdate()
    need.save(update_fields=["status", "met_on"])
    return claim


@transaction.atomic
def project_save(*, project: Project, actor=None, needs=None) -> Project:
    """Create (申报) or edit a project; review and progress have their own services."""
    _check_alliance(actor, project.alliance)
    _same_alliance(project.alliance, project.lead, "牵头单位")
    if project.pk is not None:
        current = Project.objects.values("status", "progress").get(pk=project.pk)
        project.status, project.progress = current["status"], current["progress"]
    else:
        project.status, project.progress = Project.Status.PROPOSED, 0
    _full_clean(project)
    project.save()
    if needs is not None:
        foreign = [n for n in needs if n.alliance_id != project.alliance_id]
        if foreign:
            raise CobuildError(f"回应需求：“{foreign[0]}”不属于“{project.alliance}”")
        project.needs.set(needs)
    return project


@transaction.atomic
def project_review(*, project: Project, actor, approve: bool, opinion: str) -> Project:
    """论证: a proposed project is approved or rejected, with the reviewers' opinion."""
    _check_alliance(actor, project.alliance)
    project = Project.objects.select_for_update().get(pk=project.pk)
    if project.status != Project.Status.PROPOSED:
        raise CobuildError(f"状态：项目{project.get_status_display()}，不能再论证")
    if not opinion.strip():
        raise CobuildError("论证意见：不能为空")
    project.status = Project.Status.APPROVED if approve else Project.Status.REJECTED
    project.review_opinion, project.reviewed_by, project.reviewed_at = opinion.strip(), actor, timezone.now()
    project.save(update_fields=["status", "review_opinion", "reviewed_by", "reviewed_at"])
    return project


@transaction.atomic
def project_progress(*, project: Project, actor, progress: int, note: str, on: date | None = None) -> ProjectUpdate:
    """A progress report; 100% finishes the project."""
    _check_alliance(actor, project.alliance)
    project = Project.objects.select_for_update().get(pk=project.pk)
    if project.status not in (Project.Status.APPROVED, Project.Status.IN_PROGRESS):
        raise CobuildError(f"状态：项目{project.get_status_display()}，不能填报进展（需先论证通过）")
    if progress is None or not 0 <= progress <= 100:
        raise CobuildError("进度：应在 0 到 100 之间")
    if progress < project.progress:
        raise CobuildError(f"进度：不能低于已填报的 {project.progress}%")
    if not note.strip():
        raise CobuildError("进展说明：不能为空")
    update = ProjectUpdate.objects.create(project=project, progress=progress, note=note.strip(), recorded_by=actor)
    project.progress = progress
    if progress == 100:
        project.status, project.done_on = Project.Status.DONE, on or timezone.localdate()
    else:
        project.status = Project.Status.IN_PROGRESS
    project.save(update_fields=["progress", "status", "done_on"])
    return update


def agreement_problems(
    *, alliance: Alliance, parties: list[tuple[AllianceMember, str]], renews: Agreement | None = None
) -> list[str]:
    """Why these parties cannot sign (empty when they can). ``agreement_sign`` refuses on any;
    a form asks first, to show the reasons beside the rows before anything is saved."""
    errors = []
    if len(parties) < 2:
        errors.append("签约方：至少两家单位")
    for member, obligations in parties:
        if member.alliance_id != alliance.pk:
            errors.append(f"签约方：“{member}”不是“{alliance}”的成员单位")
        if not obligations.strip():
            errors.append(f"承诺事项：“{member}”未填写")
    if len({m.pk for m, _ in parties}) != len(parties):
        errors.append("签约方：同一单位重复出现")
    if renews is not None and Agreement.objects.filter(renews=renews).exists():
        errors.append(f"续签自：“{renews}”已续签过")
    return errors


@transaction.atomic
def agreement_sign(
    *,
    alliance: Alliance,
    actor,
    title: str,
    signed_on: date,
    starts_on: date,
    ends_on: date,
    parties: list[tuple[AllianceMember, str]],
    content: str = "",
    renews: Agreement | None = None,
) -> Agreement:
    """Sign an agreement with at least two parties, each with its obligations."""
    _check_alliance(actor, alliance)
    errors = agreement_problems(alliance=alliance, parties=parties, renews=renews)
    if errors:
        raise CobuildError("；".join(errors))
    agreement = Agreement(
        alliance=alliance,
        title=title.strip(),
        content=content.strip(),
        signed_on=signed_on,
        starts_on=starts_on,
        ends_on=ends_on,
        renews=renews,
    )
    _full_clean(agreement)
    agreement.save()
    AgreementParty.objects.bulk_create(
        [AgreementParty(agreement=agreement, member=m, obligations=o.strip()) for m, o in parties]
    )
    return agreement


@transaction.atomic
def agreement_renew(*, agreement: Agreement, actor, years: int = 1, signed_on: date | None = None) -> Agreement:
    """Renew for ``years`` more with the same parties and obligations, starting the day after."""
    starts = agreement.ends_on + timedelta(days=1)
    parties = [(p.member, p.obligations) for p in agreement.parties.select_related("member")]
    return agreement_sign(
        alliance=agreement.alliance,
        actor=actor,
        title=agreement.title,
        content=agreement.content,
        signed_on=signed_on or timezone.localdate(),
        starts_on=starts,
        ends_on=starts.replace(year=starts.year + years) - timedelta(days=1),
        parties=parties,
        renews=agreement,
    )
