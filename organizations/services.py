"""Writes of the ground floor."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction

from core.validation import DateChecks
from organizations.models import Body, PartyOrganization, StaffPost, Territory
from organizations.roles import Role, group_name, sync_role_groups
from organizations.scope import assert_placed, forget_scope, scope_changed


def resolve_node(*, role: str, node_code: str) -> dict:
    """The FK kwargs of a post for ``role`` at the node with ``node_code``."""
    field = StaffPost.NODE_FOR_ROLE[Role(role)]
    model = {"territory": Territory, "organization": PartyOrganization, "body": Body}[field]
    try:
        return {field: model.objects.get(code=node_code)}
    except model.DoesNotExist as exc:
        raise ValidationError(
            f"找不到代码为 {node_code} 的{model._meta.verbose_name}（角色 {role} 需要{model._meta.verbose_name}）"
        ) from exc


@transaction.atomic
def staff_post_save(*, post: StaffPost) -> StaffPost:
    """Save a post and give its user what the role needs: staff access and the role's group."""
    post.full_clean()
    post.save()
    user = post.user
    if not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    group, created = Group.objects.get_or_create(name=group_name(post.role))
    if created or not group.permissions.exists():
        sync_role_groups()
    user.groups.add(group)
    forget_scope(user)
    return post


@transaction.atomic
def officer_upsert(
    *,
    username: str,
    role: str,
    node_code: str,
    password: str | None = None,
    title: str = "",
    full_name: str = "",
) -> StaffPost:
    """Create or update ``username`` and their post of ``role`` at ``node_code`` (idempotent)."""
    if role not in Role.values:
        raise ValidationError(f"未知角色 {role}，可选：{', '.join(Role.values)}")
    node = resolve_node(role=role, node_code=node_code)
    User = get_user_model()
    user, _ = User.objects.get_or_create(username=username)
    if full_name and user.first_name != full_name:
        user.first_name = full_name
    if password:
        user.set_password(password)
    elif not user.has_usable_password() and user.password == "":
        user.set_unusable_password()
    user.is_staff = True
    user.save()
    post = StaffPost.objects.filter(user=user, role=role, **node).first() or StaffPost(user=user, role=role, **node)
    post.is_active = True
    if title:
        post.title = title
    return staff_post_save(post=post)


@transaction.atomic
def territory_add(*, parent, code: str, name: str, level: str):
    """A new territory node, its code checked against the 统计用区划代码 structure, its level and
    its parent (so ``ABC``, a 玄武 code under 秦淮 or a city under a street are refused)."""
    from core.text import clean_code, clean_line
    from core.tree import add_node

    candidate = Territory(code=clean_code(code), name=clean_line(name), level=level)
    candidate.intended_parent = parent
    candidate.full_clean(exclude=["path", "depth", "numchild"])
    return add_node(Territory, parent, code=candidate.code, name=candidate.name, level=level)


# --- Party organization lifecycle (成立 / 转入 / 转出 / 升格 / 撤销) -------------------------------
# Each writes the organization's change and its dated event in one transaction; the events are
# the organization's history and are never edited afterwards.


def _lock(organization):
    from organizations.models import PartyOrganization

    return PartyOrganization.objects.select_for_update().get(pk=organization.pk)


def _event(organization, *, kind: str, on, actor=None, **fields):
    from organizations.models import OrganizationEvent

    founded = organization.founded_on if kind != OrganizationEvent.Kind.ESTABLISHED else None
    DateChecks().fact("occurred_on", on, "事件日期", not_before=founded, subject="该组织成立日期").raise_if_any()

    return OrganizationEvent.objects.create(
        organization=organization,
        kind=kind,
        occurred_on=on,
        recorded_by=actor if actor is not None and actor.is_authenticated else None,
        **fields,
    )


@transaction.atomic
def organization_establish(*, organization, on, document_no: str = "", reason: str = "", actor=None):
    """成立: a preparing organization becomes active. Refused for a branch (joint ones included)
    under the minimum of full members, per the rule table."""
    from organizations.models import OrganizationEvent, PartyOrganization

    DateChecks().fact("occurred_on", on, "成立日期").raise_if_any()
    org = _lock(organization)
    if org.status == PartyOrganization.Status.ACTIVE:
        raise ValidationError(f"“{org.name}”已是正常状态，无需再次成立")
    if org.status == PartyOrganization.Status.DISSOLVED:
        raise ValidationError(f"“{org.name}”已撤销，不能再成立；请新建党组织")
    org.status = PartyOrganization.Status.ACTIVE
    org.founded_on = on
    if document_no:
        org.founding_document_no = document_no
    org.full_clean()
    org.save(update_fields=["status", "founded_on", "founding_document_no", "updated_at"])
    _event(org, kind=OrganizationEvent.Kind.ESTABLISHED, on=on, document_no=document_no, reason=reason, actor=actor)
    return org


@transaction.atomic
def organization_transfer_in(*, organization, new_parent, on, counterpart: str = "", reason: str = "", actor=None):
    """转入: the organization comes under ``new_parent`` (e.g. from another district or system)."""
    from organizations.models import OrganizationEvent, PartyOrganization

    org = _lock(organization)
    if new_parent.pk == org.pk or new_parent.path.startswith(org.path):
        raise ValidationError("不能转入到本组织或其下级组织")
    if org.status == PartyOrganization.Status.DISSOLVED:
        raise ValidationError(f"“{org.name}”已撤销，不能转入")
    old_parent = PartyOrganization.objects.get_parent(org)
    new_parent.refresh_from_db()
    PartyOrganization.objects.move(org, new_parent, pos="sorted-child")
    scope_changed()  # the subtree's paths changed (a move writes them without signals)
    org.refresh_from_db()
    if org.status == PartyOrganization.Status.TRANSFERRED_OUT:
        org.status = PartyOrganization.Status.ACTIVE
        org.save(update_fields=["status", "updated_at"])
    _event(
        org,
        kind=OrganizationEvent.Kind.TRANSFERRED_IN,
        on=on,
        reason=reason,
        counterpart=counterpart or (old_parent.name if old_parent else ""),
        actor=actor,
    )
    return org


@transaction.atomic
def organization_transfer_out(*, organization, on, counterpart: str, reason: str = "", actor=None):
    """转出: the organization leaves this portal's management (its destination is recorded)."""
    from organizations.models import OrganizationEvent, PartyOrganization

    if not counterpart.strip():
        raise ValidationError({"counterpart": "转出须填写去向（转往的上级党组织）"})
    org = _lock(organization)
    if org.status in (PartyOrganization.Status.DISSOLVED, PartyOrganization.Status.TRANSFERRED_OUT):
        raise ValidationError(f"“{org.name}”当前状态为{org.get_status_display()}，不能转出")
    org.status = PartyOrganization.Status.TRANSFERRED_OUT
    org.save(update_fields=["status", "updated_at"])
    _event(org, kind=OrganizationEvent.Kind.TRANSFERRED_OUT, on=on, reason=reason, counterpart=counterpart, actor=actor)
    return org


@transaction.atomic
def organization_upgrade(*, organization, on, to_kind: str = "", document_no: str = "", reason: str = "", actor=None):
    """升格: exactly one step up the ladder (临时支部 → 支部 → 总支 → 党委), when the members reach
    the rule table's threshold for the new level.

    Thresholds: a 党总支 needs ``branch_over_members`` members (50; the 条例 says "超过50人的可以
    成立党总支" — we read it as 50 or more, so a branch at the line is not stuck), a 党委
    ``organization_over_members`` (100, 党章第三十条), a 党支部 ``branch_min_full_members`` full
    members (3). Skipping a level is refused: each step is its own approval with its own document."""
    from organizations import rules as R
    from organizations.models import OrganizationEvent, PartyOrganization

    Kind = PartyOrganization.Kind
    org = _lock(organization)
    if org.status != PartyOrganization.Status.ACTIVE:
        raise ValidationError(f"“{org.name}”当前状态为{org.get_status_display()}，只有正常状态的组织可以升格")
    target = PartyOrganization.UPGRADE_LADDER.get(org.kind, "")
    if not target:
        raise ValidationError({"to_kind": f"{org.get_kind_display()}不能再升格"})
    if to_kind and to_kind != target:
        raise ValidationError(
            {
                "to_kind": f"升格须逐级办理：{org.get_kind_display()}只能升格为{Kind(target).label}，不能直接升格为"
                f"{Kind(to_kind).label if to_kind in Kind.values else to_kind}"
            }
        )
    current = R.rules()
    need = {
        Kind.GENERAL_BRANCH: (current[R.BRANCH_OVER_MEMBERS], org.member_count, "党员"),
        Kind.COMMITTEE: (current[R.ORG_OVER_MEMBERS], org.member_count, "党员"),
        Kind.BRANCH: (current[R.BRANCH_MIN_FULL], org.full_member_count, "正式党员"),
    }.get(target)
    if need and need[0].is_active and need[1] < need[0].threshold:
        rule, have, what = need
        raise ValidationError(
            {"to_kind": f"升格为{Kind(target).label}须有{what}{rule.threshold}人以上，“{org.name}”现有{have}人"}
        )
    from_kind = org.kind
    org.kind = target
    if from_kind == Kind.JOINT_BRANCH:
        org.formed_for_shortage = False
    org.save(update_fields=["kind", "formed_for_shortage", "updated_at"])
    _event(
        org,
        kind=OrganizationEvent.Kind.UPGRADED,
        on=on,
        from_kind=from_kind,
        to_kind=target,
        document_no=document_no,
        reason=reason,
        actor=actor,
    )
    return org


@transaction.atomic
def organization_dissolve(*, organization, on, reason: str, document_no: str = "", actor=None):
    """撤销 (with a reason): refused while active sub-organizations remain or members are still
    registered in it (they must be transferred first, 组织关系转接); covered units are released."""
    from organizations.models import OrganizationEvent, PartyOrganization

    if not reason.strip():
        raise ValidationError({"reason": "撤销党组织须填写原因"})
    org = _lock(organization)
    if org.status == PartyOrganization.Status.DISSOLVED:
        raise ValidationError(f"“{org.name}”已撤销")
    live_children = PartyOrganization.objects.get_descendants(org).exclude(status=PartyOrganization.Status.DISSOLVED)
    if live_children.exists():
        names = "、".join(live_children.values_list("name", flat=True)[:3])
        raise ValidationError(f"“{org.name}”下仍有未撤销的下级组织（{names}等），请先撤销或转出下级组织")
    if org.member_count:
        raise ValidationError(
            f"“{org.name}”仍有{org.member_count}名党员的组织关系在本组织，请先办理组织关系转接，再撤销"
        )
    org.status = PartyOrganization.Status.DISSOLVED
    org.save(update_fields=["status", "updated_at"])
    released = org.covered_units.update(organization=None)
    _event(
        org,
        kind=OrganizationEvent.Kind.DISSOLVED,
        on=on,
        reason=reason if not released else f"{reason}（解除覆盖单位{released}家）",
        document_no=document_no,
        actor=actor,
    )
    return org


@transaction.atomic
def organization_relocate(
    *, organization, on, reason: str, territory=None, industry_committee=None, clear_industry=False, actor=None
):
    """调整属地/双纳管: the organization's territory (块) or co-managing industry committee (条)
    changes. Both decide who sees it, so the change needs a reason and leaves a dated event."""
    from organizations.models import OrganizationEvent, PartyOrganization

    if not (reason or "").strip():
        raise ValidationError({"reason": "调整属地或双纳管须填写原因"})
    org = _lock(organization)
    if org.status == PartyOrganization.Status.DISSOLVED:
        raise ValidationError(f"“{org.name}”已撤销，不能调整")
    changes = []
    if territory is not None and territory.pk != org.territory_id:
        changes.append(f"属地：{org.territory.name} → {territory.name}")
        org.territory = territory
    if clear_industry and org.industry_committee_id:
        changes.append(f"双纳管：{org.industry_committee.name} → 无")
        org.industry_committee = None
    elif industry_committee is not None and industry_committee.pk != org.industry_committee_id:
        old = org.industry_committee.name if org.industry_committee_id else "无"
        changes.append(f"双纳管：{old} → {industry_committee.name}")
        org.industry_committee = industry_committee
    if not changes:
        raise ValidationError("属地和双纳管行业党委都没有变化")
    org.full_clean(exclude=["path", "depth", "numchild", "code"])
    org.save(update_fields=["territory", "industry_committee", "updated_at"])
    _event(
        org,
        kind=OrganizationEvent.Kind.RELOCATED,
        on=on,
        reason=f"{reason.strip()}（{'；'.join(changes)}）",
        actor=actor,
    )
    return org


LIFECYCLE_SERVICES = {
    "relocated": organization_relocate,
    "established": organization_establish,
    "transferred_in": organization_transfer_in,
    "transferred_out": organization_transfer_out,
    "upgraded": organization_upgrade,
    "dissolved": organization_dissolve,
}


@transaction.atomic
def organization_lifecycle(kind: str, *, organization, actor, **kwargs):
    """THE door of a lifecycle event (admin page, events API): the event's service, then the
    write rule — a relocation or a release (解除双纳管) may not take the organization out of the
    writer's own scope (``OutOfScope``, rolled back)."""
    result = LIFECYCLE_SERVICES[kind](organization=organization, actor=actor, **kwargs)
    assert_placed(actor, organization)
    return result


# --- organizations, units, meetings --------------------------------------------------------------


@transaction.atomic
def organization_create(*, parent, **fields):
    """A new organization under ``parent`` in the subordination tree (a root when None)."""
    from core.tree import add_node
    from organizations.models import PartyOrganization

    candidate = PartyOrganization(**fields)
    candidate.full_clean(exclude=["path", "depth", "numchild"], validate_unique=False)
    if candidate.code and PartyOrganization.objects.filter(code=candidate.code).exists():
        raise ValidationError({"code": f"组织编码 {candidate.code} 已存在"})
    if candidate.status not in (PartyOrganization.Status.PREPARING, PartyOrganization.Status.ACTIVE):
        raise ValidationError({"status": "新建党组织只能是“筹建中”或“正常”；撤销、转出须在生命周期中办理"})
    if candidate.status == PartyOrganization.Status.ACTIVE and candidate.founded_on is None:
        raise ValidationError({"founded_on": "登记已成立的党组织须填写成立日期"})
    created = add_node(PartyOrganization, parent, **fields)
    if created.status == PartyOrganization.Status.ACTIVE:
        # Registering an organization founded before the portal existed is its 成立 on record.
        _event(created, kind="established", on=created.founded_on, reason="建档登记（已成立的党组织）")
    return created


@transaction.atomic
def meeting_record(*, meeting, actor=None):
    """Record a 三会一课 meeting (validated) and who recorded it."""
    if actor is not None and actor.is_authenticated and meeting.recorded_by_id is None:
        meeting.recorded_by = actor
    meeting.full_clean()
    meeting.save()
    return meeting


def territory_load_official(city: str, *, data_dir=None, edition: str | None = None, on=None):
    """Apply an edition of the 统计用区划代码 table to ``city``'s subtree (see official_territory)."""
    from organizations.official_territory import EDITION, load_official_territory

    return load_official_territory(city, data_dir=data_dir, edition=edition or EDITION, on=on)
