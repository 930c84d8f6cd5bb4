"""The session's copy of the world (tests/conftest.py) is the world build_world() makes."""

from django.contrib.auth import get_user_model
from django.db import connection, transaction

from organizations.models import Body, PartyOrganization, StaffPost, Territory
from tests.conftest import _restore_world
from tests.world import build_world


def _contents():
    users = get_user_model().objects.order_by("username")
    return {
        "territories": list(
            Territory.objects.order_by("path").values_list("path", "code", "name", "level", "numchild")
        ),
        "organizations": list(
            PartyOrganization.objects.order_by("path").values_list("path", "code", "kind", "territory__code")
        ),
        "bodies": list(Body.objects.order_by("code").values_list("code", "kind", "parent__code", "territory__code")),
        "users": [
            (u.username, u.is_staff, u.is_active, u.check_password("Test@pass-2025"), sorted(u.get_all_permissions()))
            for u in users
        ],
        "posts": list(
            StaffPost.objects.order_by("user__username").values_list(
                "user__username", "role", "territory__code", "organization__code", "body__code", "is_active"
            )
        ),
    }


def test_the_copy_is_the_world_build_world_makes(db, _world_copy):
    with transaction.atomic():
        world = _restore_world(connection, _world_copy)
        assert world is not None and world.fuzimiao.name == "夫子庙街道"
        copied = _contents()
        transaction.set_rollback(True)
    with transaction.atomic():
        build_world()
        built = _contents()
        transaction.set_rollback(True)
    assert copied == built and len(copied["users"]) == 7
    # A new row after the copy takes the next id, not one of the copy's.
    with transaction.atomic():
        world = _restore_world(connection, _world_copy)
        body = Body.objects.create(code="T-NEW", name="新单位", kind=world.scjg.kind, territory=world.city)
        assert body.pk > max(Body.objects.exclude(pk=body.pk).values_list("pk", flat=True))
        transaction.set_rollback(True)
