"""Admin for the catalogue, tasks and rewards. The ledger is read-only here: awards, reversals
and redemptions go through the staff pages (services), which enforce caps and balances."""

from django import forms
from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html

from members.admin.people import PersonAdmin
from organizations.admin_base import ScopedAdmin, ScopedInline
from organizations.roles import Role
from points.models import (
    HomeStation,
    PhotoReport,
    PointAccount,
    PointCategory,
    PointEntry,
    PointRule,
    Redemption,
    Reward,
    RewardNight,
    TaskClaim,
    VolunteerTask,
)
from points.services import PointsError, home_station_set, points_redemption_fulfil


class ReadOnlyMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PointCategory)
class PointCategoryAdmin(ScopedAdmin):
    list_display = ["name", "code", "territory", "sort_order", "is_active"]
    list_filter = ["is_active"]
    list_select_related = ["territory"]
    search_fields = ["name", "code"]
    autocomplete_fields = ["territory"]


class PointRuleForm(forms.ModelForm):
    award_roles = forms.MultipleChoiceField(
        label="可授予角色", choices=Role.choices, widget=forms.CheckboxSelectMultiple, required=True
    )

    class Meta:
        model = PointRule
        fields = [
            "category",
            "code",
            "name",
            "description",
            "points",
            "award_roles",
            "daily_cap",
            "monthly_cap",
            "valid_days",
            "territory",
            "sort_order",
            "is_active",
        ]


@admin.register(PointRule)
class PointRuleAdmin(ScopedAdmin):
    form = PointRuleForm
    list_display = [
        "name",
        "code",
        "category",
        "points",
        "daily_cap",
        "monthly_cap",
        "valid_days",
        "territory",
        "is_active",
    ]
    list_filter = ["category", "is_active"]
    list_select_related = ["category", "territory"]
    search_fields = ["name", "code"]
    autocomplete_fields = ["territory"]


@admin.register(PointAccount)
class PointAccountAdmin(ReadOnlyMixin, ScopedAdmin):
    list_display = ["person", "balance", "earned_total", "updated_at", "ledger_link"]
    list_select_related = ["person"]
    search_fields = ["person__name"]
    ordering = ["-updated_at"]

    @admin.display(description="流水")
    def ledger_link(self, obj):
        return format_html('<a href="{}">查看流水</a>', reverse("points:account", args=[obj.pk]))


@admin.register(PointEntry)
class PointEntryAdmin(ReadOnlyMixin, ScopedAdmin):
    list_display = ["created_at", "account", "kind", "delta", "balance_after", "rule", "actor", "note"]
    list_filter = ["kind"]
    list_select_related = ["account__person", "rule", "actor"]
    search_fields = ["account__person__name", "=idempotency_key"]
    # No date_hierarchy: its year links are a DISTINCT DATE_TRUNC over the whole scoped ledger
    # (millions of rows) on every page view.

    def get_queryset(self, request):
        # The actor is shown by name: never read password hashes into a list page.
        return super().get_queryset(request).defer("actor__password")


class TaskClaimInline(ScopedInline, ReadOnlyMixin, admin.TabularInline):
    model = TaskClaim
    fields = ["person", "status", "claimed_at", "decided_at", "decided_by", "entry"]
    readonly_fields = fields
    extra = 0


@admin.register(VolunteerTask)
class VolunteerTaskAdmin(ScopedAdmin):
    list_display = ["title", "kind", "publisher", "starts_at", "slots", "points", "status"]
    list_filter = ["kind", "status"]
    list_select_related = ["station", "publisher_body"]
    search_fields = ["title", "place"]
    autocomplete_fields = ["territory"]
    inlines = [TaskClaimInline]
    readonly_fields = ["created_by", "created_at"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(PhotoReport)
class PhotoReportAdmin(ReadOnlyMixin, ScopedAdmin):
    list_display = ["submitted_at", "kind", "short_text", "station", "status", "grievance_id", "review_link"]
    list_filter = ["status", "kind"]
    list_select_related = ["station"]
    search_fields = ["text", "location_text"]
    # The stored file as a read-only field would be rendered as its /media/ URL, which nothing
    # serves; the photo is shown through the scoped view instead.
    exclude = ["phone", "photo"]
    readonly_fields = ["photo_link"]

    @admin.display(description="描述")
    def short_text(self, obj):
        return obj.text[:30]

    @admin.display(description="照片")
    def photo_link(self, obj):
        return format_html(
            '<a href="{0}"><img src="{0}" alt="上报照片" style="max-height:240px"></a>',
            reverse("points:report-photo", args=[obj.pk]),
        )

    @admin.display(description="核实")
    def review_link(self, obj):
        return format_html('<a href="{}">打开</a>', reverse("points:report", args=[obj.pk]))


class RewardNightInline(admin.TabularInline):
    # Nights are placed through their reward, whose page the scope rule already guards.
    model = RewardNight
    fields = ["date", "capacity", "taken"]
    readonly_fields = ["taken"]
    extra = 1


@admin.register(Reward)
class RewardAdmin(ScopedAdmin):
    list_display = ["name", "kind", "cost", "stock", "territory", "station", "is_active"]
    list_filter = ["kind", "is_active"]
    list_select_related = ["territory", "station"]
    search_fields = ["name"]
    autocomplete_fields = ["territory"]
    inlines = [RewardNightInline]


@admin.register(Redemption)
class RedemptionAdmin(ReadOnlyMixin, ScopedAdmin):
    list_display = ["requested_at", "person", "reward", "night", "cost", "status", "decided_by"]
    list_filter = ["status"]
    list_select_related = ["person", "reward", "night", "decided_by"]
    search_fields = ["person__name", "reward__name"]
    actions = ["fulfil"]

    @admin.action(description="标记为已领取", permissions=["fulfil"])
    def fulfil(self, request, queryset):
        done = 0
        for redemption in queryset.filter(status=Redemption.Status.REQUESTED):
            try:
                points_redemption_fulfil(redemption=redemption, actor=request.user)
                done += 1
            except PointsError as exc:
                self.message_user(request, f"{redemption}：{exc}", messages.ERROR)
        self.message_user(request, f"已办结 {done} 条兑换", messages.SUCCESS)

    def has_fulfil_permission(self, request):
        return request.user.has_perm("points.change_redemption")


class HomeStationFormSet(forms.BaseInlineFormSet):
    """Saves through ``home_station_set``, like every other door."""

    def save_new(self, form, commit=True):
        return home_station_set(person=self.instance, station=form.cleaned_data["station"])

    def save_existing(self, form, obj, commit=True):
        return home_station_set(person=self.instance, station=form.cleaned_data["station"])

    def delete_existing(self, obj, commit=True):
        if commit:
            home_station_set(person=self.instance, station=None)


class HomeStationInline(ScopedInline, admin.TabularInline):
    model = HomeStation
    formset = HomeStationFormSet
    fields = ["station"]
    autocomplete_fields = ["station"]
    extra = 0
    max_num = 1
    verbose_name = verbose_name_plural = "常驻驿站"


# The home station was a field of the person's page and stays on it; the link is this app's, so
# this app adds it to the members admin (a higher floor may extend a lower one, not the reverse).
PersonAdmin.inlines = [*PersonAdmin.inlines, HomeStationInline]
