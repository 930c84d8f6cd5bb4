from django import forms
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from core.admin_changelist import PortalChangeListMixin
from core.images import sanitize_photo
from organizations.admin_base import ScopedAdmin, ScopedFileWidget, ScopedInline
from organizations.admin_filters import territory_filters
from stations.models import (
    CareActivity,
    Inspection,
    InspectionItem,
    InspectionPhoto,
    InspectionResult,
    OpeningHours,
    Service,
    ServicePoint,
    Station,
    StationFeedback,
    Visit,
)
from stations.selectors import OFFICER_ONLY_FIELDS, is_overdue, is_station_manager_only, overdue_q
from stations.services import (
    inspection_refresh,
    service_point_save,
    service_point_set_active,
    station_refresh_compliance,
)


class OpeningHoursInline(ScopedInline, admin.TabularInline):
    model = OpeningHours
    extra = 0


class OverdueFilter(admin.SimpleListFilter):
    title = "六个一检查"
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("1", "逾期未检查"), ("0", "按期")]

    def queryset(self, request, queryset):
        if self.value() == "1":
            return queryset.filter(overdue_q())
        if self.value() == "0":
            return queryset.exclude(overdue_q())
        return queryset


@admin.register(Station)
class StationAdmin(ScopedAdmin):
    survey_import_kind = "stations"  # 导入 → the survey upload (core.admin_export)
    list_display = [
        "code",
        "name",
        "tier",
        "territory",
        "status",
        "is_24h",
        "compliant",
        "last_inspected_on",
        "overdue_flag",
        "links",
    ]
    export_extra = ("host_type", "address", "contact_phone")
    list_filter = [*territory_filters(), "tier", "status", "is_24h", "host_type", "compliant", OverdueFilter]
    search_fields = ["name", "=code", "address"]
    list_select_related = ["territory"]
    autocomplete_fields = []
    filter_horizontal = ["services"]
    readonly_fields = ["lng_wgs84", "lat_wgs84", "last_inspected_on", "compliant", "updated_at"]
    inlines = [OpeningHoursInline]
    fieldsets = [
        (
            None,
            {"fields": ["code", "name", "tier", "host_type", "hosting_unit", "territory", "status", "manager_post"]},
        ),
        ("位置", {"fields": ["address", ("longitude", "latitude", "coord_system"), ("lng_wgs84", "lat_wgs84")]}),
        ("服务", {"fields": ["is_24h", "services", "contact_phone", "description"]}),
        ("六个一", {"fields": [("last_inspected_on", "compliant"), "updated_at"]}),
    ]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if is_station_manager_only(request.user):
            fields += OFFICER_ONLY_FIELDS
        return fields

    def export_columns(self, request):
        # The QR links are for the screen; the file gets the host, address and station phone instead.
        return [c for c in super().export_columns(request) if c.header != "二维码"]

    @admin.display(description="逾期", boolean=True)
    def overdue_flag(self, obj):
        return is_overdue(obj)

    @admin.display(description="二维码")
    def links(self, obj):
        return format_html(
            '<a href="/stations/{0}/poster/">海报</a> · <a href="/stations/{0}/qr.png">PNG</a> · '
            '<a href="/stations/{0}/qr.svg">SVG</a> · <a href="/s/{0}/" target="_blank">扫码页</a>',
            obj.code,
        )


class InspectionResultInline(ScopedInline, admin.TabularInline):
    model = InspectionResult
    extra = 0

    def get_extra(self, request, obj=None, **kwargs):
        # A new inspection opens with one row per active checklist item.
        return InspectionItem.objects.filter(is_active=True).count() if obj is None else 0

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        if obj is None:
            items = list(InspectionItem.objects.filter(is_active=True))
            base_init = formset.__init__

            def __init__(self, *args, **kw):
                kw.setdefault("initial", [{"item": item.pk} for item in items])
                base_init(self, *args, **kw)

            formset.__init__ = __init__
        return formset


def inspection_photo_url(photo: InspectionPhoto) -> str:
    return reverse("station-inspection-photo", args=[photo.pk])


class ScopedPhotoWidget(ScopedFileWidget):
    def url_for(self, photo) -> str | None:
        return inspection_photo_url(photo) if isinstance(photo, InspectionPhoto) else None


class InspectionPhotoForm(forms.ModelForm):
    class Meta:
        model = InspectionPhoto
        fields = ["image", "caption"]
        widgets = {"image": ScopedPhotoWidget}

    def clean_image(self):
        image = self.cleaned_data.get("image")
        if image and hasattr(image, "content_type"):  # a new upload, not the stored file
            return sanitize_photo(image)
        return image


class InspectionPhotoInline(ScopedInline, admin.TabularInline):
    model = InspectionPhoto
    form = InspectionPhotoForm
    extra = 1
    readonly_fields = ["photo_link"]

    def get_fields(self, request, obj=None):
        # A view-only user (a station manager) would see the stored file as a read-only field,
        # which the admin renders as its /media/ URL; they get the scoped link instead.
        if self.has_change_permission(request, obj):
            return ["image", "caption"]
        return ["photo_link", "caption"]

    @admin.display(description="照片")
    def photo_link(self, obj):
        if not obj.pk:
            return "—"
        return format_html(
            '<a href="{0}"><img src="{0}" alt="{1}" style="max-height:80px"></a>', inspection_photo_url(obj), obj
        )


@admin.register(Inspection)
class InspectionAdmin(ScopedAdmin):
    list_display = ["station", "inspected_on", "inspector_name", "is_compliant"]
    list_filter = ["is_compliant", "inspected_on"]
    search_fields = ["station__name", "=station__code", "inspector_name"]
    list_select_related = ["station"]
    date_hierarchy = "inspected_on"
    readonly_fields = ["is_compliant", "inspector"]
    inlines = [InspectionResultInline, InspectionPhotoInline]
    fields = ["station", "inspected_on", "inspector_name", "inspector", "notes", "is_compliant"]

    def get_readonly_fields(self, request, obj=None):
        # Once recorded, which station and which day an inspection was is its history.
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, "station", "inspected_on"] if obj is not None else fields

    def save_model(self, request, obj, form, change):
        if not change:
            obj.inspector = request.user
        if not obj.inspector_name:
            obj.inspector_name = request.user.get_full_name() or request.user.username
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        inspection_refresh(inspection=form.instance)

    def delete_model(self, request, obj):
        station = obj.station
        super().delete_model(request, obj)
        station_refresh_compliance(station=station)


@admin.register(Visit)
class VisitAdmin(ScopedAdmin):
    list_display = ["day", "station", "service", "count", "recorded_by"]
    list_filter = ["service", "day"]
    search_fields = ["station__name", "=station__code"]
    list_select_related = ["station", "service", "recorded_by"]
    date_hierarchy = "day"
    readonly_fields = ["recorded_by"]

    def save_model(self, request, obj, form, change):
        obj.recorded_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(CareActivity)
class CareActivityAdmin(ScopedAdmin):
    list_display = ["held_on", "title", "kind", "station", "participants", "items_given", "items_count"]
    list_filter = ["kind", "held_on"]
    search_fields = ["title", "station__name", "=station__code"]
    list_select_related = ["station"]
    date_hierarchy = "held_on"
    exclude = ["created_by"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(StationFeedback)
class StationFeedbackAdmin(ScopedAdmin):
    """Riders' one-tap words: read here, written only from the public QR page."""

    list_display = ["created_at", "station", "kind", "text"]
    list_filter = ["kind", "created_at"]
    search_fields = ["station__name", "=station__code", "text"]
    list_select_related = ["station"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Service)
class ServiceAdmin(PortalChangeListMixin, admin.ModelAdmin):
    """Shared catalogue (not placed in the hierarchy); only the municipal committee edits it."""

    list_display = ["name", "code", "sort_order", "is_active"]
    list_editable = ["sort_order", "is_active"]


@admin.register(InspectionItem)
class InspectionItemAdmin(PortalChangeListMixin, admin.ModelAdmin):
    list_display = ["name", "code", "sort_order", "is_active"]
    list_editable = ["sort_order", "is_active"]


@admin.register(ServicePoint)
class ServicePointAdmin(ScopedAdmin):
    """友好地图点位. Saved through ``service_point_save`` like every other door; the code is
    numbered automatically when left blank."""

    list_display = ["code", "name", "kind", "territory", "is_24h", "is_active", "updated_at"]
    list_filter = ["kind", "is_active", "is_24h"]
    search_fields = ["name", "=code", "address"]
    list_select_related = ["territory"]
    readonly_fields = ["lng_wgs84", "lat_wgs84", "updated_at"]
    actions = ["hide_from_map", "show_on_map"]
    fieldsets = [
        (None, {"fields": ["code", "name", "kind", "territory", "is_active"]}),
        ("位置", {"fields": ["address", ("longitude", "latitude", "coord_system"), ("lng_wgs84", "lat_wgs84")]}),
        ("服务", {"fields": ["is_24h", "hours_text", "offers", "contact_phone", "updated_at"]}),
    ]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if "code" in form.base_fields:
            form.base_fields["code"].required = False
            form.base_fields["code"].help_text = "留空则自动编号"
        return form

    def save_model(self, request, obj, form, change):
        service_point_save(point=obj, actor=request.user)

    @admin.action(description="从友好地图隐藏所选点位", permissions=["change"])
    def hide_from_map(self, request, queryset):
        for point in queryset.order_by("pk"):
            service_point_set_active(point=point, active=False, actor=request.user)
        self.message_user(request, f"已隐藏 {queryset.count()} 个点位")

    @admin.action(description="在友好地图显示所选点位", permissions=["change"])
    def show_on_map(self, request, queryset):
        for point in queryset.order_by("pk"):
            service_point_set_active(point=point, active=True, actor=request.user)
        self.message_user(request, f"已显示 {queryset.count()} 个点位")
