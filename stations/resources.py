"""Import/export of the station registry (django-import-export), scoped like everything else."""

from __future__ import annotations

from import_export import fields, widgets

from core.text import clean_code, clean_text
from organizations.models import Territory
from organizations.resources import ScopedForeignKeyWidget, ScopedResource
from stations.models import Service, Station


class ChoiceLabelWidget(widgets.Widget):
    """Reads either the stored value or its Chinese label (旗舰型 → flagship); writes the label."""

    def __init__(self, choices, column: str):
        self.choices = choices
        self.column = column
        super().__init__()

    def clean(self, value, row=None, **kwargs):
        text = clean_text(str(value)) if value is not None else ""
        if not text:
            return None
        for stored, label in self.choices:
            if text in (stored, label):
                return stored
        allowed = "、".join(label for _, label in self.choices)
        raise ValueError(f"“{self.column}”的值“{text}”无效，可选：{allowed}")

    def render(self, value, obj=None, **kwargs):
        return dict(self.choices).get(value, value or "")


class YesNoWidget(widgets.BooleanWidget):
    TRUE_VALUES = ["1", 1, True, "true", "TRUE", "True", "是", "Y", "y"]
    FALSE_VALUES = ["0", 0, False, "false", "FALSE", "False", "否", "N", "n", ""]

    def render(self, value, obj=None, **kwargs):
        return "是" if value else "否"


class StationResource(ScopedResource):
    code = fields.Field(column_name="驿站编码", attribute="code")
    name = fields.Field(column_name="名称", attribute="name")
    tier = fields.Field(column_name="类型", attribute="tier", widget=ChoiceLabelWidget(Station.Tier.choices, "类型"))
    host_type = fields.Field(
        column_name="依托阵地", attribute="host_type", widget=ChoiceLabelWidget(Station.HostType.choices, "依托阵地")
    )
    territory = fields.Field(
        column_name="辖区代码", attribute="territory", widget=ScopedForeignKeyWidget(Territory, field="code")
    )
    address = fields.Field(column_name="地址", attribute="address")
    longitude = fields.Field(column_name="经度", attribute="longitude", widget=widgets.DecimalWidget())
    latitude = fields.Field(column_name="纬度", attribute="latitude", widget=widgets.DecimalWidget())
    coord_system = fields.Field(
        column_name="坐标系",
        attribute="coord_system",
        widget=ChoiceLabelWidget([("gcj02", "GCJ-02"), ("wgs84", "WGS-84")], "坐标系"),
    )
    status = fields.Field(
        column_name="状态", attribute="status", widget=ChoiceLabelWidget(Station.Status.choices, "状态")
    )
    is_24h = fields.Field(column_name="24小时", attribute="is_24h", widget=YesNoWidget())
    services = fields.Field(
        column_name="服务项目",
        attribute="services",
        widget=widgets.ManyToManyWidget(Service, field="name", separator="、"),
    )

    class Meta:
        model = Station
        import_id_fields = ["code"]
        fields = [
            "code",
            "name",
            "tier",
            "host_type",
            "territory",
            "address",
            "longitude",
            "latitude",
            "coord_system",
            "status",
            "is_24h",
            "services",
        ]
        export_order = fields
        skip_unchanged = True
        report_skipped = True
        use_transactions = True
        clean_model_instances = True

    def before_import_row(self, row, **kwargs):
        if row.get("驿站编码"):
            row["驿站编码"] = clean_code(row["驿站编码"])
        for column in ("经度", "纬度"):
            if isinstance(row.get(column), str):
                row[column] = row[column].strip() or None
        if not row.get("坐标系"):
            row["坐标系"] = "gcj02"  # what Amap/高德 pick-up tools give; most lists come from there
        if isinstance(row.get("服务项目"), str):
            row["服务项目"] = row["服务项目"].replace("，", "、").replace(",", "、")
