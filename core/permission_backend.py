"""Django's ModelBackend with a user's permissions kept across requests (``core.user_cache``).

Every staff page asks for the user's own and their groups' permissions: two queries per request,
always the same answer until a group or a permission changes. They are stored per user under
version tokens that change when the user's groups or own permissions change (that user) or when a
group's permissions, a group or a permission change (everybody); see ``connect_signals``.
Superusers (every permission, read by Django from the table) are not stored.
"""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend

from core import user_cache

CACHE_NAME = "perms"


class CachedModelBackend(ModelBackend):
    def _get_permissions(self, user_obj, obj, from_name):
        if (
            obj is None
            and user_obj.is_active
            and not user_obj.is_anonymous
            and not user_obj.is_superuser
            and not hasattr(user_obj, f"_{from_name}_perm_cache")
        ):
            load = super()._get_permissions

            def both():
                return {name: load(user_obj, None, name) for name in ("user", "group")}

            for name, perms in user_cache.cached_for_user(CACHE_NAME, user_obj.pk, (), both).items():
                setattr(user_obj, f"_{name}_perm_cache", set(perms))
        return super()._get_permissions(user_obj, obj, from_name)


def connect_signals() -> None:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group, Permission
    from django.db.models.signals import m2m_changed, post_delete, post_save

    User = get_user_model()

    def everybody(**kwargs):
        user_cache.changed(CACHE_NAME)

    def membership(sender, instance, action, reverse, pk_set, **kwargs):
        if not action.startswith("post_"):
            return
        if not reverse:
            user_cache.changed(CACHE_NAME, user_id=instance.pk)
        elif pk_set:
            for user_id in pk_set:
                user_cache.changed(CACHE_NAME, user_id=user_id)
        else:
            user_cache.changed(CACHE_NAME)

    def group_permissions(sender, action, **kwargs):
        if action.startswith("post_"):
            user_cache.changed(CACHE_NAME)

    m2m_changed.connect(membership, sender=User.groups.through, weak=False, dispatch_uid="perms-groups")
    m2m_changed.connect(membership, sender=User.user_permissions.through, weak=False, dispatch_uid="perms-own")
    m2m_changed.connect(group_permissions, sender=Group.permissions.through, weak=False, dispatch_uid="perms-group")
    for model in (Group, Permission):
        post_save.connect(everybody, sender=model, weak=False, dispatch_uid=f"perms-{model.__name__}-save")
        post_delete.connect(everybody, sender=model, weak=False, dispatch_uid=f"perms-{model.__name__}-delete")
