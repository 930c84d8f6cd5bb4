"""django-import-export resources: the admin's simple import/export of small lists.

Imports go through the scope rule too: FK cells resolve only to records the importing user may
see, and existing rows are matched only inside that scope, so an import can neither read nor
overwrite another street's data. (Departments' big survey files use the 双线摸排 pipeline.)

Exports neutralise formula injection cell by cell (``neutralize_formula``: = + - @ TAB CR), on top
of django-import-export's own ``IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT``, which only strips "=".
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from import_export import fields, resources, widgets

from core.excel import neutralize_formula
from core.text import clean_line, clean_text
from organizations.models import Instructor, PartyOrganization, Territory, Unit
from organizations.scope import can_place, placeable, restrict
from organizations.validators import normalize_credit_code


class ScopedForeignKeyWidget(widgets.ForeignKeyWidget):
    def get_queryset(self, value, row, *args, **kwargs):
        # Placing a row: territory is not shared reference data for an importer (THE write rule).
        return placeable(super().get_queryset(value, row, *args, **kwargs), kwargs.get("user"))

    def clean(self, value, row=None, **kwargs):
        try:
            return super().clean(clean_line(value) if isinstance(value, str) else value, row, **kwargs)
        except self.model.DoesNotExist as exc:
            raise ValueError(f"找不到{self.model._meta.verbose_name}“{value}”，或不在您的管辖范围内") from exc


class ChoiceWidget(widgets.Widget):
    """Accepts a choice's code or its Chinese label ("企业" or "enterprise"); exports the label."""

    def __init__(self, choices, *, required: bool = True, default: str = ""):
        super().__init__()
        self.choices = [(str(v), str(label)) for v, label in choices]
        self.required = required
        self.default = default

    def clean(self, value, row=None, **kwargs):
        text = clean_text(value)
        if not text:
            if self.required and not self.default:
                raise ValueError("不能为空")
            return self.default
        for code, label in self.choices:
            if text in (code, label):
                return code
        raise ValueError(f"“{text}”不是可选值（可选：{'、'.join(label for _c, label in self.choices)}）")

    def render(self, value, obj=None, **kwargs):
        return dict(self.choices).get(str(value), "" if value is None else str(value))


class ScopedResource(resources.ModelResource):
    """Existing rows are looked up only among those the importing user may see, and every row is
    held to THE write rule, as an admin form is: the role must hold the model permission (add
    for a new row, change for an existing one), may not change a field the admin shows it
    read-only, and the record after the row's save must lie inside the importer's scope. A row
    failing any of these is an error of that row, and its save is rolled back (a savepoint per
    row; the admin then rolls back the whole import, as for any invalid row)."""

    _user = None
    _request = None

    def before_import(self, dataset, **kwargs):
        self._user = kwargs.get("user")
        self._request = kwargs.get("request")
        super().before_import(dataset, **kwargs)

    def _readonly_attnames(self, instance) -> set[str]:
        from django.contrib import admin

        model_admin = admin.site._registry.get(self._meta.model)
        if model_admin is None or self._request is None:
            return set()
        names = set(model_admin.get_readonly_fields(self._request, instance))
        attnames = set()
        for field in self._meta.model._meta.concrete_fields:
            if field.name in names or field.attname in names:
                attnames.add(field.attname)
        return attnames

    def _check_row_write(self, instance, is_create: bool) -> None:
        user = self._user
        if user is None:
            return  # a command or a test using the resource directly: no importing user
        opts = self._meta.model._meta
        action = "add" if is_create else "change"
        if not user.has_perm(f"{opts.app_label}.{action}_{opts.model_name}"):
            verb = "新增" if is_create else "修改"
            raise ValidationError(f"您没有{verb}{opts.verbose_name}的权限")
        if is_create:
            return
        locked = self._readonly_attnames(instance)
        if locked:
            stored = self._meta.model._default_manager.filter(pk=instance.pk).values(*locked).first() or {}
            changed = [a for a in sorted(locked) if a in stored and stored[a] != getattr(instance, a)]
            if changed:
                labels = "、".join(str(f.verbose_name) for f in opts.concrete_fields if f.attname in changed)
                raise ValidationError(f"您无权修改字段：{labels}")

    def save_instance(self, instance, is_create, row, **kwargs):
        self._check_row_write(instance, is_create)
        with transaction.atomic():
            super().save_instance(instance, is_create, row, **kwargs)
            if self._user is not None and not can_place(self._user, instance):
                raise ValidationError("该行保存后的记录不在您的管辖范围内（辖区、党组织、领导机构或站点），未导入")

    def delete_instance(self, instance, row, **kwargs):
        opts = self._meta.model._meta
        if self._user is not None and not self._user.has_perm(f"{opts.app_label}.delete_{opts.model_name}"):
            raise ValidationError(f"您没有删除{opts.verbose_name}的权限")
        super().delete_instance(instance, row, **kwargs)

    def get_queryset(self):
        queryset = super().get_queryset()
        return restrict(queryset, self._user) if self._user is not None else queryset

    def export_field(self, field, instance, **kwargs):
        return neutralize_formula(super().export_field(field, instance, **kwargs))


class UnitResource(ScopedResource):
    territory = fields.Field(
        column_name="辖区代码",
        attribute="territory",
        widget=ScopedForeignKeyWidget(Territory, field="code"),
    )
    credit_code = fields.Field(column_name="统一社会信用代码", attribute="credit_code")
    name = fields.Field(column_name="单位名称", attribute="name")
    kind = fields.Field(column_name="单位类型", attribute="kind", widget=ChoiceWidget(Unit.Kind.choices))
    industry = fields.Field(
        column_name="所属行业", attribute="industry", widget=ChoiceWidget(Unit.Industry.choices, default="other")
    )
    size = fields.Field(column_name="规模", attribute="size", widget=ChoiceWidget(Unit.Size.choices, required=False))
    employee_count = fields.Field(column_name="从业人员数", attribute="employee_count", widget=widgets.IntegerWidget())
    new_employment_worker_count = fields.Field(
        column_name="新就业群体人数", attribute="new_employment_worker_count", widget=widgets.IntegerWidget()
    )
    address = fields.Field(column_name="地址", attribute="address")
    organization = fields.Field(
        column_name="覆盖党组织编码",
        attribute="organization",
        widget=ScopedForeignKeyWidget(PartyOrganization, field="code"),
    )
    is_private_top500 = fields.Field(
        column_name="民营企业500强", attribute="is_private_top500", widget=widgets.BooleanWidget()
    )
    is_internet_top100 = fields.Field(
        column_name="互联网企业100强", attribute="is_internet_top100", widget=widgets.BooleanWidget()
    )
    is_little_giant = fields.Field(
        column_name="专精特新小巨人", attribute="is_little_giant", widget=widgets.BooleanWidget()
    )

    class Meta:
        model = Unit
        import_id_fields = ["credit_code"]
        fields = [
            "credit_code",
            "name",
            "kind",
            "industry",
            "size",
            "employee_count",
            "new_employment_worker_count",
            "address",
            "territory",
            "organization",
            "is_private_top500",
            "is_internet_top100",
            "is_little_giant",
        ]
        export_order = fields
        skip_unchanged = True
        report_skipped = True
        # Run the model's validation (credit-code checksum, joint-branch limit) on every row.
        clean_model_instances = True

    def get_export_queryset(self, request=None, **kwargs):
        return super().get_export_queryset(request, **kwargs).select_related("territory", "organization")

    def before_import_row(self, row, **kwargs):
        if row.get("统一社会信用代码"):
            row["统一社会信用代码"] = normalize_credit_code(row["统一社会信用代码"])
        if "单位名称" in row:
            row["单位名称"] = clean_line(row["单位名称"])


class PartyOrganizationResource(ScopedResource):
    # New rows set status/kind/placement; validate_instance refuses any change to an existing row.
    guards_event_fields = True

    """Organizations by 组织编码. New rows are placed in the tree under 上级组织编码 (which must
    be visible to the importer); existing rows keep their place (moving is a 转入)."""

    code = fields.Field(column_name="组织编码", attribute="code")
    name = fields.Field(column_name="名称", attribute="name")
    kind = fields.Field(column_name="类别", attribute="kind", widget=ChoiceWidget(PartyOrganization.Kind.choices))
    status = fields.Field(
        column_name="状态",
        attribute="status",
        widget=ChoiceWidget(PartyOrganization.Status.choices, default="preparing"),
    )
    parent_code = fields.Field(column_name="上级组织编码", attribute=None, readonly=False)
    territory = fields.Field(
        column_name="属地代码", attribute="territory", widget=ScopedForeignKeyWidget(Territory, field="code")
    )
    industry_committee = fields.Field(
        column_name="双纳管行业党委编码",
        attribute="industry_committee",
        widget=ScopedForeignKeyWidget(PartyOrganization, field="code"),
    )
    establishment_mode = fields.Field(
        column_name="组建方式",
        attribute="establishment_mode",
        widget=ChoiceWidget(PartyOrganization.EstablishmentMode.choices, default="single"),
    )
    founded_on = fields.Field(column_name="成立日期", attribute="founded_on", widget=widgets.DateWidget())
    founding_document_no = fields.Field(column_name="成立批复文号", attribute="founding_document_no")
    instructor = fields.Field(
        column_name="党建工作指导员", attribute="instructor", widget=ScopedForeignKeyWidget(Instructor, field="name")
    )
    full_member_count = fields.Field(column_name="正式党员数", attribute="full_member_count", readonly=True)
    member_count = fields.Field(column_name="党员总数", attribute="member_count", readonly=True)

    class Meta:
        model = PartyOrganization
        import_id_fields = ["code"]
        fields = [
            "code",
            "name",
            "kind",
            "status",
            "parent_code",
            "territory",
            "industry_committee",
            "establishment_mode",
            "founded_on",
            "founding_document_no",
            "instructor",
            "full_member_count",
            "member_count",
        ]
        export_order = fields
        skip_unchanged = True
        report_skipped = True

    _parent_codes: dict[str, str] | None = None

    def get_export_queryset(self, request=None, **kwargs):
        return (
            super()
            .get_export_queryset(request, **kwargs)
            .select_related("territory", "industry_committee", "instructor")
            .order_by("path")
        )

    def before_export(self, queryset, **kwargs):
        # Parents by path prefix, read once: an export of 20k organizations is not 20k queries.
        steplen = PartyOrganization.steplen
        parent_paths = {p[:-steplen] for p in queryset.values_list("path", flat=True) if len(p) > steplen}
        self._parent_codes = dict(PartyOrganization.objects.filter(path__in=parent_paths).values_list("path", "code"))
        super().before_export(queryset, **kwargs)

    def dehydrate_parent_code(self, obj):
        if self._parent_codes is None:
            parent = PartyOrganization.objects.get_parent(obj)
            return parent.code if parent else ""
        return self._parent_codes.get(obj.path[: -PartyOrganization.steplen], "") or ""

    def before_import_row(self, row, **kwargs):
        if row.get("组织编码"):
            row["组织编码"] = "".join(clean_text(row["组织编码"]).split()).upper()

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        # The model's rules (activation needs 3 full members, joint-branch limit) apply to imports;
        # the tree columns are filled when the row is placed under its parent.
        errors = dict(import_validation_errors or {})
        if instance.pk:
            # State and placement change only through the lifecycle services (rule, reason, event).
            stored = PartyOrganization.objects.filter(pk=instance.pk).values(
                *[PartyOrganization._meta.get_field(f).attname for f in PartyOrganization.EVENT_FIELDS]
            )[0]
            for name in PartyOrganization.EVENT_FIELDS:
                attname = PartyOrganization._meta.get_field(name).attname
                if stored[attname] != getattr(instance, attname):
                    label = PartyOrganization._meta.get_field(name).verbose_name
                    errors[name] = f"已有组织的“{label}”不能通过导入修改，请在该组织的“生命周期”中办理"
        try:
            instance.full_clean(exclude=[*errors, "path", "depth", "numchild"], validate_unique=validate_unique)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def import_instance(self, instance, row, **kwargs):
        super().import_instance(instance, row, **kwargs)
        instance._import_parent_code = (row.get("上级组织编码") or "").strip()

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        if field.attribute is None:
            return
        super().import_field(field, instance, row, is_m2m, **kwargs)

    def do_instance_save(self, instance, is_create):
        from core.tree import add_node

        if not is_create:
            instance.save()
            return
        code = getattr(instance, "_import_parent_code", "")
        parent = restrict(PartyOrganization.objects.filter(code=code), self._user).first() if code else None
        if parent is None:
            raise ValidationError(f"上级组织编码“{code}”不存在或不在您的管辖范围内（新建组织须指定上级）")
        values = {
            (f.attname if f.is_relation else f.name): getattr(instance, f.attname)
            for f in PartyOrganization._meta.concrete_fields
            if f.name not in ("id", "path", "depth", "numchild", "updated_at")
        }
        created = add_node(PartyOrganization, parent, **values)
        instance.pk, instance.path, instance.depth, instance.numchild = created.pk, created.path, created.depth, 0
