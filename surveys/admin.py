from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from core.admin_changelist import PortalChangeListMixin
from organizations.admin_base import ScopedAdmin
from surveys.models import HeaderAlias, ImportBatch, ValueMapping
from surveys.specs import SPECS


class AliasFieldFilter(admin.SimpleListFilter):
    """对应字段 by its Chinese label: the stored value is the field's code name."""

    title = "对应字段"
    parameter_name = "field"

    def lookups(self, request, model_admin):
        labels = {f.name: f.label for spec in SPECS.values() for f in spec.fields}
        return sorted(labels.items(), key=lambda item: item[1])

    def queryset(self, request, queryset):
        return queryset.filter(field=self.value()) if self.value() else queryset


@admin.register(HeaderAlias)
class HeaderAliasAdmin(PortalChangeListMixin, admin.ModelAdmin):
    """The alias table is shared reference data (not placed in the hierarchy): the municipal
    committee maintains it, districts may read it."""

    list_display = ["alias", "field_label", "kind"]
    list_filter = ["kind", AliasFieldFilter]
    search_fields = ["alias", "field"]

    @admin.display(description="字段含义")
    def field_label(self, obj):
        specs = [SPECS[obj.kind]] if obj.kind in SPECS else list(SPECS.values())
        for spec in specs:
            spec_field = spec.field(obj.field)
            if spec_field:
                return spec_field.label
        return "（未知字段）"

    def save_model(self, request, obj, form, change):
        from core.text import clean_text

        obj.alias = clean_text(obj.alias)
        super().save_model(request, obj, form, change)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        names = sorted({f"{f.name}（{f.label}）" for spec in SPECS.values() for f in spec.fields})
        form.base_fields["field"].help_text = "可用字段：" + "、".join(names)
        return form


@admin.register(ImportBatch)
class ImportBatchAdmin(ScopedAdmin):
    """Read-only in the admin: batches are created by upload and moved on by the pipeline."""

    list_display = [
        "id",
        "kind",
        "file_name",
        "source",
        "territory",
        "status",
        "progress",
        "created_by",
        "created_at",
        "page_link",
    ]
    list_filter = ["kind", "status"]
    search_fields = ["file_name", "source", "file_hash"]
    # The uploaded file itself is not offered: the admin would link its /media/ path, which is
    # never served; file_name says what it was, and the batch page shows what it held.
    exclude = ["file"]
    readonly_fields = [f.name for f in ImportBatch._meta.fields if f.name != "file"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="批次页面")
    def page_link(self, obj):
        return format_html('<a href="{}">查看</a>', reverse("surveys:batch-detail", args=[obj.pk]))


@admin.register(ValueMapping)
class ValueMappingAdmin(ScopedAdmin):
    """Mappings learned on batch pages, per source department; edited through their service."""

    list_display = ["value", "target_display", "field_display", "source", "kind", "territory", "updated_at"]
    list_filter = ["kind", "field"]
    search_fields = ["value", "source"]
    fields = ["kind", "source", "field", "value", "target", "territory", "source_body", "created_by", "updated_at"]
    readonly_fields = ["source_body", "created_by", "updated_at"]
    autocomplete_fields = ["territory"]

    @admin.display(description="对应取值")
    def target_display(self, obj):
        return obj.target_label

    @admin.display(description="列")
    def field_display(self, obj):
        return obj.field_label

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        names = sorted({f"{f.name}（{f.label}）" for spec in SPECS.values() for f in spec.fields if f.choice})
        form.base_fields["field"].help_text = "选项列：" + "、".join(names)
        form.base_fields["territory"].required = False
        return form

    def save_model(self, request, obj, form, change):
        from surveys.services import value_mapping_write

        value_mapping_write(mapping=obj, actor=request.user)


def _lineage_display(model_admin, obj):
    from django.template.loader import render_to_string

    from surveys.selectors import lineage_for

    if obj is None or obj.pk is None:
        return "—"
    entries = lineage_for(obj)
    if not entries:
        return "未经导入写入"
    return render_to_string("surveys/lineage.html", {"entries": entries})


def attach_lineage(model) -> None:
    """Show 导入来源 on the admin page of a record the pipeline writes. The apps below cannot
    import surveys (floors), so surveys adds the read-only section to their registered admins."""
    model_admin = admin.site._registry.get(model)
    if model_admin is None or getattr(model_admin, "survey_lineage_attached", False):
        return
    cls = type(model_admin)
    cls.survey_lineage = admin.display(description="导入来源（哪个批次新增或更新了哪些字段）")(_lineage_display)
    get_readonly_fields, get_fieldsets = cls.get_readonly_fields, cls.get_fieldsets

    def readonly(self, request, obj=None):
        fields = list(get_readonly_fields(self, request, obj))
        return [*fields, "survey_lineage"] if obj is not None else fields

    def fieldsets(self, request, obj=None):
        sets = list(get_fieldsets(self, request, obj))
        named = {name for _, options in sets for name in options.get("fields", ())}
        if obj is not None and "survey_lineage" not in named:
            sets.append(("导入来源", {"fields": ["survey_lineage"]}))
        return sets

    cls.get_readonly_fields, cls.get_fieldsets = readonly, fieldsets
    model_admin.survey_lineage_attached = True


for _spec in SPECS.values():
    attach_lineage(_spec.model)
