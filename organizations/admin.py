from django import forms
from django.contrib import admin
from django.utils.html import format_html
from import_export.admin import ImportExportMixin
from treebeard.forms import movenodeform_factory

from organizations.admin_base import ScopedAdmin
from organizations.models import Body, PartyOrganization, StaffPost, Territory, Unit
from organizations.resources import UnitResource


def _indented(obj) -> str:
    return format_html('<span style="padding-left:{}em">{}</span>', max(obj.depth - 1, 0) * 1.5, obj.name)


@admin.register(Territory)
class TerritoryAdmin(ScopedAdmin):
    form = movenodeform_factory(Territory, fields=["code", "name", "level"])
    list_display = ["indented_name", "code", "level"]
    list_filter = ["level"]
    search_fields = ["name", "code"]
    ordering = ["path"]

    @admin.display(description="名称", ordering="path")
    def indented_name(self, obj):
        return _indented(obj)


@admin.register(Body)
class BodyAdmin(ScopedAdmin):
    list_display = ["name", "short_name", "kind", "parent", "territory"]
    list_filter = ["kind"]
    list_select_related = ["parent", "territory"]
    search_fields = ["name", "short_name"]
    autocomplete_fields = ["parent", "territory"]


@admin.register(PartyOrganization)
class PartyOrganizationAdmin(ScopedAdmin):
    form = movenodeform_factory(PartyOrganization, fields=["name", "kind", "status", "territory", "industry_committee"])
    list_display = ["indented_name", "kind", "status", "territory", "industry_committee"]
    list_filter = ["kind", "status"]
    list_select_related = ["territory", "industry_committee"]
    search_fields = ["name"]
    ordering = ["path"]
    autocomplete_fields = ["territory", "industry_committee"]

    @admin.display(description="名称", ordering="path")
    def indented_name(self, obj):
        return _indented(obj)


@admin.register(Unit)
class UnitAdmin(ImportExportMixin, ScopedAdmin):
    resource_classes = [UnitResource]
    list_display = ["name", "credit_code", "kind", "territory", "organization"]
    list_filter = ["kind"]
    list_select_related = ["territory", "organization"]
    search_fields = ["name", "=credit_code"]
    autocomplete_fields = ["territory", "organization"]


class StaffPostForm(forms.ModelForm):
    class Meta:
        model = StaffPost
        fields = ["user", "role", "title", "territory", "organization", "body", "is_active"]


@admin.register(StaffPost)
class StaffPostAdmin(ScopedAdmin):
    form = StaffPostForm
    list_display = ["user", "role", "node_display", "title", "is_active"]
    list_filter = ["role", "is_active"]
    list_select_related = ["user", "territory", "organization", "body"]
    search_fields = ["user__username", "user__first_name", "title"]
    autocomplete_fields = ["user", "territory", "organization", "body"]

    @admin.display(description="所在节点")
    def node_display(self, obj):
        return obj.node

    def save_model(self, request, obj, form, change):
        from organizations.services import staff_post_save

        staff_post_save(post=obj)
