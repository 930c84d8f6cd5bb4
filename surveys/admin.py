from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from organizations.admin_base import ScopedAdmin
from surveys.models import HeaderAlias, ImportBatch
from surveys.specs import SPECS


@admin.register(HeaderAlias)
class HeaderAliasAdmin(admin.ModelAdmin):
    """The alias table is shared reference data (not placed in the hierarchy): the municipal
    committee maintains it, districts may read it."""

    list_display = ["alias", "field", "field_label", "kind"]
    list_filter = ["kind", "field"]
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
