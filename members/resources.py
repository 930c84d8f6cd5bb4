"""Admin import of persons and members (django-import-export).

Exports are the changelists' own (``core.admin_export``), masked as on screen. Imports take
full values, validate every row with the model's own rules (GB 11643 checksum, birth
date/gender cross-check, numbers that lost digits in Excel) and resolve codes only inside the
importing user's scope. Survey files (双线摸排) go through the portal's import
pipeline instead, which calls the same validators.
"""

from __future__ import annotations

from import_export import fields, widgets

from members import counts
from members.models import Occupation, PartyMembership, Person, Platform
from members.validators import normalize_id_number, normalize_phone
from organizations.models import PartyOrganization, Territory, Unit
from organizations.resources import ScopedForeignKeyWidget, ScopedResource

_YES = {"是", "Y", "YES", "TRUE", "1", "√"}


class UserScopedWidget(ScopedForeignKeyWidget):
    """The scoped FK widget, also when import-export looks a row up by its import id (that path
    passes no ``user``): the resource hands the importing user to its widgets before the import."""

    user = None

    def get_queryset(self, value, row, *args, **kwargs):
        if kwargs.get("user") is None:
            kwargs["user"] = self.user
        return super().get_queryset(value, row, *args, **kwargs)


class _UserAwareResource(ScopedResource):
    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        for field in self.fields.values():
            if isinstance(field.widget, UserScopedWidget):
                field.widget.user = kwargs.get("user")


def _choice_value(choices, text) -> str:
    """Accept either the stored value or its Chinese label in a cell."""
    text = (text or "").strip()
    for value, label in choices:
        if text in (value, label):
            return value
    return text


class PersonResource(_UserAwareResource):
    name = fields.Field(column_name="姓名", attribute="name")
    id_number = fields.Field(column_name="身份证号", attribute="id_number")
    phone = fields.Field(column_name="手机号", attribute="phone")
    occupation = fields.Field(column_name="职业类别", attribute="occupation")
    platform = fields.Field(column_name="所属平台", attribute="platform")
    territory = fields.Field(
        column_name="辖区代码", attribute="territory", widget=UserScopedWidget(Territory, field="code")
    )
    employer = fields.Field(
        column_name="所在单位信用代码", attribute="employer", widget=UserScopedWidget(Unit, field="credit_code")
    )

    class Meta:
        model = Person
        import_id_fields = ["id_number"]
        fields = ["name", "id_number", "phone", "occupation", "platform", "territory", "employer"]
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True

    def before_import_row(self, row, **kwargs):
        if row.get("身份证号") is not None:
            row["身份证号"] = normalize_id_number(row["身份证号"])
        if row.get("手机号") is not None:
            row["手机号"] = normalize_phone(row["手机号"])
        row["职业类别"] = _choice_value(Occupation.choices, row.get("职业类别")) or Occupation.OTHER
        row["所属平台"] = _choice_value(Platform.choices, row.get("所属平台"))

    def after_save_instance(self, instance, row, **kwargs):
        if not kwargs.get("dry_run") and hasattr(instance, "membership"):
            counts.refresh_for_units({instance.employer_id})


class BooleanCellWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        return str(value or "").strip().upper() in _YES

    def render(self, value, obj=None, **kwargs):
        return "是" if value else "否"


class MembershipResource(_UserAwareResource):
    person = fields.Field(
        column_name="身份证号", attribute="person", widget=UserScopedWidget(Person, field="id_number")
    )
    status = fields.Field(column_name="党员类别", attribute="status")
    organization = fields.Field(
        column_name="所在党组织编码",
        attribute="organization",
        widget=UserScopedWidget(PartyOrganization, field="code"),
    )
    joined_on = fields.Field(column_name="入党日期", attribute="joined_on", widget=widgets.DateWidget("%Y-%m-%d"))
    full_member_on = fields.Field(
        column_name="转正日期", attribute="full_member_on", widget=widgets.DateWidget("%Y-%m-%d")
    )
    is_mobile = fields.Field(column_name="流动党员", attribute="is_mobile", widget=BooleanCellWidget())
    origin_organization_name = fields.Field(column_name="流出地党组织", attribute="origin_organization_name")
    is_invisible = fields.Field(column_name="隐形党员", attribute="is_invisible", widget=BooleanCellWidget())
    is_new_employment = fields.Field(
        column_name="新就业群体党员", attribute="is_new_employment", widget=BooleanCellWidget()
    )

    class Meta:
        model = PartyMembership
        import_id_fields = ["person"]
        fields = [
            "person",
            "status",
            "organization",
            "joined_on",
            "full_member_on",
            "is_mobile",
            "origin_organization_name",
            "is_invisible",
            "is_new_employment",
        ]
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        self._touched_orgs: set[int] = set()

    def before_import_row(self, row, **kwargs):
        if row.get("身份证号") is not None:
            row["身份证号"] = normalize_id_number(row["身份证号"])
        row["党员类别"] = _choice_value(PartyMembership.Status.choices, row.get("党员类别"))

    def after_save_instance(self, instance, row, **kwargs):
        if not kwargs.get("dry_run"):
            self._touched_orgs.add(instance.organization_id)
            counts.refresh_for_units({instance.person.employer_id})

    def after_import(self, dataset, result, **kwargs):
        super().after_import(dataset, result, **kwargs)
        if not kwargs.get("dry_run"):
            counts.refresh_for_organizations(getattr(self, "_touched_orgs", set()))
