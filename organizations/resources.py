"""django-import-export resources: the admin's simple import/export of small lists.

Imports go through the scope rule too: FK cells resolve only to records the importing user may
see, and existing rows are matched only inside that scope, so an import can neither read nor
overwrite another street's data. (Departments' big survey files use the 双线摸排 pipeline.)
"""

from __future__ import annotations

from import_export import fields, resources, widgets

from organizations.models import Territory, Unit
from organizations.scope import restrict
from organizations.validators import normalize_credit_code


class ScopedForeignKeyWidget(widgets.ForeignKeyWidget):
    def get_queryset(self, value, row, *args, **kwargs):
        return restrict(super().get_queryset(value, row, *args, **kwargs), kwargs.get("user"))


class ScopedResource(resources.ModelResource):
    """Existing rows are looked up only among those the importing user may see."""

    _user = None

    def before_import(self, dataset, **kwargs):
        self._user = kwargs.get("user")
        super().before_import(dataset, **kwargs)

    def get_queryset(self):
        queryset = super().get_queryset()
        return restrict(queryset, self._user) if self._user is not None else queryset


class UnitResource(ScopedResource):
    territory = fields.Field(
        column_name="辖区代码",
        attribute="territory",
        widget=ScopedForeignKeyWidget(Territory, field="code"),
    )
    credit_code = fields.Field(column_name="统一社会信用代码", attribute="credit_code")
    name = fields.Field(column_name="单位名称", attribute="name")
    kind = fields.Field(column_name="单位类型", attribute="kind")

    class Meta:
        model = Unit
        import_id_fields = ["credit_code"]
        fields = ["credit_code", "name", "kind", "territory"]
        export_order = ["credit_code", "name", "kind", "territory"]
        skip_unchanged = True
        report_skipped = True

    def before_import_row(self, row, **kwargs):
        if row.get("统一社会信用代码"):
            row["统一社会信用代码"] = normalize_credit_code(row["统一社会信用代码"])
