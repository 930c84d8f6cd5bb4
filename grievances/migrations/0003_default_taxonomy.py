# Frozen: the starting taxonomy and SLA table as they stood when this migration was written.
from django.db import migrations

# code, name, keywords, default priority
CATEGORIES = [
    ("hazard", "安全隐患", "隐患,井盖,积水,塌陷,漏电,电线,护栏,坑洼,火灾,倒塌,裸露", "urgent"),
    ("traffic", "交通安全", "闯红灯,事故,路口,逆行,撞,红绿灯,斑马线,超速,交通", "urgent"),
    ("labour", "劳动权益", "工资,欠薪,拖欠,劳动合同,社保,克扣,罚款,扣钱,保险,工伤", "complex"),
    ("housing", "住房", "住房,租房,公寓,宿舍,房租,住宿,小蜂公寓", "complex"),
    ("schooling", "子女入学", "入学,上学,学校,幼儿园,学位,读书,转学,孩子", "complex"),
    ("entry", "进门难", "进门,不让进,门禁,保安,进小区,送货上门,电动车进,禁止外卖", "normal"),
    ("parking", "停车", "停车,车位,违停,停放,贴条,拖车", "normal"),
    ("charging", "充电", "充电,换电,电池,充电桩,插座,电瓶", "normal"),
    ("meals", "就餐", "吃饭,就餐,午饭,热饭,食堂,饭菜,盒饭,微波炉", "normal"),
    ("health", "健康关爱", "体检,看病,医疗,中暑,受伤,药品,心理", "normal"),
    ("suggestion", "意见建议", "建议,希望,能否,可否,增设,增加", "normal"),
    ("other", "其他", "", "normal"),
]

# priority → (respond hours, resolve amount, unit)
DEFAULT_SLAS = {"urgent": (2, 24, "hours"), "normal": (24, 7, "workdays"), "complex": (48, 15, "workdays")}


def install(apps, schema_editor):
    Category = apps.get_model("grievances", "Category")
    SlaPolicy = apps.get_model("grievances", "SlaPolicy")
    for order, (code, name, keywords, priority) in enumerate(CATEGORIES):
        Category.objects.get_or_create(
            code=code, defaults={"name": name, "keywords": keywords, "default_priority": priority, "sort_order": order}
        )
    for priority, (respond, amount, unit) in DEFAULT_SLAS.items():
        SlaPolicy.objects.get_or_create(
            category=None,
            priority=priority,
            defaults={"respond_hours": respond, "resolve_amount": amount, "resolve_unit": unit},
        )


class Migration(migrations.Migration):
    dependencies = [("grievances", "0002_alter_grievanceevent_new_state_and_more")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
