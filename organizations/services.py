"""Writes of the ground floor."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction

from organizations.models import Body, PartyOrganization, StaffPost, Territory
from organizations.roles import Role, group_name, sync_role_groups
from organizations.scope import forget_scope


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
