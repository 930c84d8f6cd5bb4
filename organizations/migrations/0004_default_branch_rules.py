# Frozen: the starting rules as they stood when this migration was written. Later changes to
# organizations.rules.DEFAULT_RULES reach existing databases through migrations of their own.
from django.db import migrations

# code, name, threshold, severity, message, basis
DEFAULT_RULES = [
    (
        "branch_min_full_members",
        "党支部正式党员不少于3人",
        3,
        "error",
        "正式党员不足{threshold}人，不能成立党支部（因党员不足而联合组建的联合党支部除外）",
        "《中国共产党支部工作条例（试行）》第六条",
    ),
    (
        "joint_branch_max_units",
        "联合党支部覆盖单位一般不超过5家",
        5,
        "warning",
        "联合党支部覆盖单位超过{threshold}家，须记录理由",
        "《中国共产党支部工作条例（试行）》第六条",
    ),
    (
        "branch_over_members",
        "党支部党员超过50人宜设党总支",
        50,
        "advisory",
        "党员超过{threshold}人，可考虑成立党总支",
        "《中国共产党支部工作条例（试行）》第七条",
    ),
    (
        "organization_over_members",
        "党员100人以上宜设党委",
        100,
        "advisory",
        "党员达到{threshold}人，可考虑成立基层党委",
        "《中国共产党章程》第三十条",
    ),
    (
        "committee_required",
        "正式党员7人以上应设支部委员会",
        7,
        "warning",
        "正式党员达到{threshold}人，应设立支部委员会（书记及至少2名委员）",
        "《中国共产党支部工作条例（试行）》第十八条",
    ),
    (
        "should_build_min_full_members",
        "单位正式党员3人以上应建立党组织",
        3,
        "error",
        "单位正式党员达到{threshold}人且未建立党组织（应建未建）",
        "《中国共产党章程》第三十条",
    ),
    (
        "cadence_general_assembly",
        "党员大会召开周期（月）",
        3,
        "warning",
        "党员大会每{threshold}个月至少召开一次",
        "三会一课",
    ),
    (
        "cadence_committee_meeting",
        "支委会召开周期（月）",
        1,
        "warning",
        "支委会每{threshold}个月至少召开一次",
        "三会一课",
    ),
    (
        "cadence_group_meeting",
        "党小组会召开周期（月）",
        1,
        "warning",
        "党小组会每{threshold}个月至少召开一次",
        "三会一课",
    ),
    ("cadence_theme_day", "主题党日周期（月）", 1, "warning", "主题党日每{threshold}个月至少开展一次", "三会一课"),
    ("cadence_party_lecture", "党课周期（月）", 3, "warning", "党课每{threshold}个月至少讲一次", "三会一课"),
    (
        "cadence_life_meeting",
        "组织生活会周期（月）",
        12,
        "warning",
        "组织生活会每{threshold}个月至少召开一次",
        "三会一课",
    ),
]


def add_default_rules(apps, schema_editor):
    BranchRule = apps.get_model("organizations", "BranchRule")
    existing = set(BranchRule.objects.values_list("code", flat=True))
    BranchRule.objects.bulk_create(
        BranchRule(
            code=code, name=name, threshold=threshold, severity=severity, message=message, basis=basis, sort_order=i
        )
        for i, (code, name, threshold, severity, message, basis) in enumerate(DEFAULT_RULES)
        if code not in existing
    )


class Migration(migrations.Migration):
    dependencies = [("organizations", "0003_units_orgs_rules_meetings")]

    operations = [migrations.RunPython(add_default_rules, migrations.RunPython.noop)]
