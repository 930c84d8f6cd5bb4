"""Roles of staff posts and the model permissions each role's group carries.

Each app grants its own permissions in ``AppConfig.ready`` through ``grant(...)``; the groups
are synced after every migrate (and by ``add_officer``), so the matrix lives in code, reviewed
like code. Object-level access is not here: that is the scope rule in ``organizations.scope``.
"""

from __future__ import annotations

from collections import defaultdict

from django.db import models


class Role(models.TextChoices):
    MUNICIPAL = "municipal", "市委两新工委"
    MEMBER_UNIT = "member_unit", "委员/成员单位"
    DISTRICT = "district", "区委两新工委"
    INDUSTRY = "industry", "行业党委"
    STREET = "street", "街道党工委"
    STATION = "station", "驿站站长"


_PERMISSIONS: dict[str, set[str]] = defaultdict(set)

VIEW = ("view",)
EDIT = ("view", "add", "change")
MANAGE = ("view", "add", "change", "delete")


def grant(roles: list[str] | tuple[str, ...], model_label: str, actions: tuple[str, ...]) -> None:
    """``grant([Role.DISTRICT], "organizations.unit", EDIT)`` gives view/add/change on Unit."""
    app_label, model_name = model_label.lower().split(".")
    for role in roles:
        for action in actions:
            _PERMISSIONS[str(role)].add(f"{app_label}.{action}_{model_name}")


def grant_codename(roles: list[str] | tuple[str, ...], permission: str) -> None:
    """Grant a custom permission, e.g. ``"members.view_full_id_number"``."""
    for role in roles:
        _PERMISSIONS[str(role)].add(permission)


def permissions_for(role: str) -> frozenset[str]:
    return frozenset(_PERMISSIONS.get(str(role), ()))


def group_name(role: str) -> str:
    return f"角色：{Role(role).label}"


ALL_ROLES = tuple(Role)
STAFF_ROLES = (Role.MUNICIPAL, Role.DISTRICT, Role.STREET, Role.INDUSTRY)


def grant_defaults() -> None:
    grant(ALL_ROLES, "organizations.territory", VIEW)
    grant(ALL_ROLES, "organizations.body", VIEW)
    grant([Role.MUNICIPAL], "organizations.body", MANAGE)
    grant(STAFF_ROLES, "organizations.partyorganization", VIEW)
    grant([Role.MUNICIPAL, Role.DISTRICT, Role.INDUSTRY], "organizations.partyorganization", EDIT)
    grant((*STAFF_ROLES, Role.MEMBER_UNIT), "organizations.unit", VIEW)
    grant([Role.MUNICIPAL, Role.DISTRICT, Role.INDUSTRY, Role.STREET], "organizations.unit", EDIT)
    grant([Role.MUNICIPAL], "organizations.territory", EDIT)
    grant([Role.MUNICIPAL], "organizations.staffpost", MANAGE)
    grant([Role.DISTRICT], "organizations.staffpost", VIEW)
    # The audit trail spans every district, so only the municipal committee reads it whole;
    # others read an object's own history from that object's admin page.
    grant([Role.MUNICIPAL], "auditlog.logentry", VIEW)
    grant([Role.MUNICIPAL], "django_celery_beat.periodictask", VIEW)
    # Issue 3: duty lists, organization details, rules and 三会一课.
    grant(ALL_ROLES, "organizations.responsibility", VIEW)
    grant([Role.MUNICIPAL], "organizations.responsibility", MANAGE)
    grant(STAFF_ROLES, "organizations.instructor", VIEW)
    grant([Role.MUNICIPAL, Role.DISTRICT, Role.STREET], "organizations.instructor", EDIT)
    grant([Role.MUNICIPAL], "organizations.branchrule", EDIT)
    grant(STAFF_ROLES, "organizations.committeemember", VIEW)
    grant([Role.MUNICIPAL, Role.DISTRICT, Role.INDUSTRY], "organizations.committeemember", MANAGE)
    grant(STAFF_ROLES, "organizations.vanguardpost", VIEW)
    grant([Role.MUNICIPAL, Role.DISTRICT, Role.INDUSTRY], "organizations.vanguardpost", MANAGE)
    grant(STAFF_ROLES, "organizations.organizationevent", VIEW)
    grant(STAFF_ROLES, "organizations.meeting", VIEW)
    grant([Role.MUNICIPAL, Role.DISTRICT, Role.INDUSTRY, Role.STREET], "organizations.meeting", EDIT)


def sync_role_groups() -> None:
    """Make each role's group hold exactly the permissions granted in code."""
    from django.contrib.auth.models import Group, Permission

    for role in Role:
        group, _ = Group.objects.get_or_create(name=group_name(role))
        wanted = permissions_for(role)
        q = models.Q(pk__in=[])
        for perm in wanted:
            app_label, codename = perm.split(".", 1)
            q |= models.Q(content_type__app_label=app_label, codename=codename)
        group.permissions.set(Permission.objects.filter(q))


def sync_role_groups_on_migrate(sender, **kwargs) -> None:
    # post_migrate is sent once per app with models, in INSTALLED_APPS order, and each app's
    # permissions exist only after its own signal: the sync runs once, after the last app's. (Run
    # after every app it cost ~25 syncs per `migrate` and per flush of a transactional test.)
    from django.apps import apps

    if kwargs.get("using", "default") != "default":
        return
    last = [config for config in apps.get_app_configs() if config.models_module is not None][-1]
    if sender is not None and sender.label != last.label:
        return
    sync_role_groups()
