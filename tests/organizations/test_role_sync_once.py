"""The role groups are synced once per post_migrate round (after the last app), not once per app."""

from unittest import mock

from django.contrib.auth.models import Group
from django.core.management.sql import emit_post_migrate_signal

from organizations import roles


def test_post_migrate_syncs_the_role_groups_once_with_every_permission(db):
    Group.objects.all().delete()
    with mock.patch.object(roles, "sync_role_groups", wraps=roles.sync_role_groups) as sync:
        emit_post_migrate_signal(0, False, "default")
    assert sync.call_count == 1
    for role in roles.Role:
        group = Group.objects.get(name=roles.group_name(role))
        granted = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}
        assert granted == set(roles.permissions_for(role))
