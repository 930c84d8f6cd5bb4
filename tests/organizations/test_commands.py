import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from organizations.models import StaffPost
from organizations.scope import scope_for

pytestmark = pytest.mark.django_db


@pytest.mark.smoke
def test_add_officer_creates_and_updates(world):
    call_command(
        "add_officer",
        "wang",
        "--role",
        "street",
        "--node",
        "320104005000",
        "--password",
        "x-Pass-123",
    )
    call_command("add_officer", "wang", "--role", "street", "--node", "320104005000", "--title", "组织委员")
    posts = StaffPost.objects.filter(user__username="wang")
    assert posts.count() == 1
    post = posts.get()
    assert post.title == "组织委员" and post.user.is_staff
    assert post.user.check_password("x-Pass-123")
    assert post.user.groups.filter(name__contains="街道党工委").exists()
    assert scope_for(post.user).territory_paths == frozenset({world.zhonghuamen.path})


def test_add_officer_industry_and_member_unit(world):
    call_command("add_officer", "zhou", "--role", "industry", "--node", "HY-KD")
    call_command("add_officer", "wu", "--role", "member_unit", "--node", "SJ-SCJG")
    assert StaffPost.objects.get(user__username="zhou").organization == world.kuaidi_committee
    assert StaffPost.objects.get(user__username="wu").body == world.scjg


def test_add_officer_rejects_wrong_level_and_unknown_node(world):
    with pytest.raises(CommandError, match="街道"):
        call_command("add_officer", "li", "--role", "street", "--node", "320104")
    with pytest.raises(CommandError, match="找不到"):
        call_command("add_officer", "li", "--role", "district", "--node", "999999")


def test_seed_demo_is_idempotent(db, monkeypatch):
    from django.apps import apps

    from members import demo as members_demo

    # Idempotency does not depend on the size: the demo's worker counts cut as in test_demo_truth
    # (5,000 workers in Qinhuai are for `make run`), which takes most of two full seeds' time.
    monkeypatch.setattr(members_demo, "QINHUAI_WORKERS", 600)
    monkeypatch.setattr(members_demo, "OTHER_DISTRICT_WORKERS", 40)
    call_command("seed_demo")
    counts = {m._meta.label: m.objects.count() for m in apps.get_models()}
    call_command("seed_demo")
    again = {m._meta.label: m.objects.count() for m in apps.get_models()}
    changed = {k: (counts[k], again[k]) for k in counts if counts[k] != again[k]}
    # The audit trail and sessions may grow; domain rows must not.
    changed.pop("auditlog.LogEntry", None)
    assert changed == {}
