"""The stored wording of the 3-full-member rule still promised joint branches an exemption the
regulation does not give; reword rows that keep the shipped text (an edited row is left alone)."""

from django.db import migrations

OLD = "正式党员不足{threshold}人，不能成立党支部（因党员不足而联合组建的联合党支部除外）"
NEW = "正式党员不足{threshold}人，不能成立党支部（联合党支部同样须有{threshold}名以上正式党员）"


def forward(apps, schema_editor):
    BranchRule = apps.get_model("organizations", "BranchRule")
    BranchRule.objects.filter(code="branch_min_full_members", message=OLD).update(message=NEW)


def backward(apps, schema_editor):
    BranchRule = apps.get_model("organizations", "BranchRule")
    BranchRule.objects.filter(code="branch_min_full_members", message=NEW).update(message=OLD)


class Migration(migrations.Migration):
    dependencies = [("organizations", "0005_event_relocated_joint_rule")]

    operations = [migrations.RunPython(forward, backward)]
