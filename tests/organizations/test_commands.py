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
