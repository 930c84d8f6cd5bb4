# Frozen: the starting catalogue as it stood when this migration was written (stations.catalogue
# keeps the same rows for the demo; administrators edit the table afterwards).
from django.db import migrations

SERVICES = [
    ("rest", "歇脚休息"),
    ("charging", "手机充电"),
    ("heating", "餐食加热"),
    ("water", "饮水"),
    ("toilet", "如厕"),
    ("medicine", "常用药品"),
    ("directions", "指路问询"),
    ("legal", "法律援助"),
    ("counselling", "心理疏导"),
    ("meals", "爱心餐"),
    ("housing", "小蜂公寓"),
    ("childcare", "爱心托管"),
]

INSPECTION_ITEMS = [
    ("study", "一个学习阵地", "有党建学习角或学习资料，定期组织学习"),
    ("needs", "一个问需阵地", "设置诉求收集点（意见箱或扫码反馈），诉求有登记"),
    ("rest", "一个休憩空间", "有座椅、遮阳避雨的休息区域，环境整洁"),
    ("facilities", "一套便民设施", "饮水、充电、热饭、药箱等设施可用"),
    ("signage", "一块标识公示牌", "统一标识、开放时间、服务项目和二维码公示"),
    ("ledger", "一本服务台账", "服务人次、活动记录按时登记"),
]


def forwards(apps, schema_editor):
    Service = apps.get_model("stations", "Service")
    InspectionItem = apps.get_model("stations", "InspectionItem")
    for order, (code, name) in enumerate(SERVICES, start=1):
        Service.objects.get_or_create(code=code, defaults={"name": name, "sort_order": order})
    for order, (code, name, description) in enumerate(INSPECTION_ITEMS, start=1):
        InspectionItem.objects.get_or_create(
            code=code, defaults={"name": name, "description": description, "sort_order": order}
        )


class Migration(migrations.Migration):
    dependencies = [("stations", "0002_inspectionitem_service_visit_station_compliant_and_more")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
