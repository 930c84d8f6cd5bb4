from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import format_html

from friendly import services
from friendly.models import CommunityEntrance, FriendlyCommunity, MerchantClaim, PassScan, RiderPass
from friendly.selectors import day_start
from organizations.admin_base import ScopedAdmin, ScopedInline


def _each(modeladmin, request, queryset, call, done: str) -> None:
    """Run a service on each selected row in primary-key order; name every row refused."""
    ok = 0
    for obj in queryset.order_by("pk"):
        try:
            call(obj)
        except ValidationError as exc:
            modeladmin.message_user(request, f"{obj}：{'；'.join(exc.messages)}", messages.ERROR)
        else:
            ok += 1
    if ok:
        modeladmin.message_user(request, f"{done} {ok} 条")


class EntranceInline(ScopedInline, admin.TabularInline):
    model = CommunityEntrance
    extra = 0
    fields = ["name", "address", "longitude", "latitude", "accepts_pass", "guard_link"]
    readonly_fields = ["guard_link"]

    @admin.display(description="门岗核验链接")
    def guard_link(self, obj):
        if not obj.pk:
            return "保存后生成"
        url = reverse("friendly:guard", args=[obj.guard_key])
        return format_html('<a href="{}" target="_blank">打开门岗页</a>', url)


@admin.register(FriendlyCommunity)
class FriendlyCommunityAdmin(ScopedAdmin):
    list_display = ["name", "territory", "status", "published_on", "convention_version", "entrance_count", "scans"]
    list_filter = ["status"]
    search_fields = ["name", "territory__name"]
    list_select_related = ["territory"]
    readonly_fields = ["status", "published_on", "convention_version", "public_link"]
    fields = ["name", "territory", "property_company", "convention", "status", "published_on", "convention_version"]
    inlines = [EntranceInline]
    actions = ["publish", "suspend"]

    def get_fields(self, request, obj=None):
        return [*self.fields, "public_link"] if obj else self.fields

    def get_queryset(self, request):
        from django.db.models import Count, Q

        return (
            super()
            .get_queryset(request)
            .annotate(
                n_entrances=Count("entrances", distinct=True),
                n_scans_today=Count("scans", filter=Q(scans__scanned_at__gte=day_start()), distinct=True),
            )
        )

    @admin.display(description="入口数")
    def entrance_count(self, obj):
        return obj.n_entrances

    @admin.display(description="今日核验")
    def scans(self, obj):
        return obj.n_scans_today

    @admin.display(description="公开页")
    def public_link(self, obj):
        if obj.status != FriendlyCommunity.Status.PUBLISHED:
            return "挂牌后公开"
        return format_html('<a href="{0}" target="_blank">{0}</a>', reverse("friendly:community", args=[obj.pk]))

    def save_model(self, request, obj, form, change):
        services.community_save(community=obj, actor=request.user)

    def save_formset(self, request, form, formset, change):
        entrances = formset.save(commit=False)
        for gone in formset.deleted_objects:
            gone.delete()
        for entrance in entrances:
            entrance.community = form.instance
            services.entrance_save(entrance=entrance, actor=request.user)

    @admin.action(description="挂牌（发布公约）", permissions=["change"])
    def publish(self, request, queryset):
        _each(self, request, queryset, lambda c: services.community_publish(community=c, actor=request.user), "已挂牌")

    @admin.action(description="暂停", permissions=["change"])
    def suspend(self, request, queryset):
        _each(self, request, queryset, lambda c: services.community_suspend(community=c, actor=request.user), "已暂停")


@admin.register(RiderPass)
class RiderPassAdmin(ScopedAdmin):
    """Passes are issued on the rider's phone only; officers can look one up and revoke it."""

    list_display = ["code", "person", "issued_at", "expires_at", "revoked_at"]
    search_fields = ["=code", "person__name"]
    list_select_related = ["person"]
    readonly_fields = ["code", "person", "issued_at", "expires_at", "revoked_at", "revoked_reason"]
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    @admin.action(description="作废所选通行证（冒用、离职等）", permissions=["change"])
    def revoke(self, request, queryset):
        reason = f"由 {request.user.get_full_name() or request.user.username} 在管理后台作废"
        _each(self, request, queryset, lambda p: services.pass_revoke(rider_pass=p, reason=reason), "已作废")


@admin.register(PassScan)
class PassScanAdmin(ScopedAdmin):
    list_display = ["scanned_at", "community", "entrance", "result", "method"]
    list_filter = ["result", "method"]
    list_select_related = ["community", "entrance"]
    date_hierarchy = "scanned_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(MerchantClaim)
class MerchantClaimAdmin(ScopedAdmin):
    list_display = ["merchant_name", "territory", "offers", "status", "submitted_at", "reviewed_at"]
    list_filter = ["status", "green_channel", "care_meal"]
    search_fields = ["merchant_name", "address", "=credit_code"]
    list_select_related = ["territory"]
    readonly_fields = ["status", "submitted_at", "reviewed_by", "reviewed_at", "point", "photo_link", "contact"]
    fields = [
        "merchant_name",
        "credit_code",
        "territory",
        "address",
        ("longitude", "latitude"),
        "hours_text",
        ("green_channel", "care_meal"),
        "other_offers",
        "contact",
        "photo_link",
        "review_note",
        "status",
        "submitted_at",
        "reviewed_by",
        "reviewed_at",
        "point",
    ]
    actions = ["approve", "reject"]

    def has_add_permission(self, request):
        return False  # claims come from the merchants' public form

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.status != MerchantClaim.Status.PENDING:
            return False  # decided: read-only
        return super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        services.merchant_claim_update(claim=obj, actor=request.user)

    @admin.display(description="服务")
    def offers(self, obj):
        return obj.offers_text

    @admin.display(description="联系人")
    def contact(self, obj):
        return services.masked_contact(obj)

    @admin.display(description="门头照片")
    def photo_link(self, obj):
        if not obj.photo:
            return "—"
        url = reverse("friendly:merchant-photo", args=[obj.pk])
        return format_html('<a href="{0}"><img src="{0}" alt="门头照片" style="max-height:120px"></a>', url)

    @admin.action(description="认定为爱'新'商家（上友好地图）", permissions=["change"])
    def approve(self, request, queryset):
        _each(self, request, queryset, lambda c: services.merchant_claim_approve(claim=c, actor=request.user), "已认定")

    @admin.action(description="不通过（须先填写审核意见）", permissions=["change"])
    def reject(self, request, queryset):
        _each(
            self,
            request,
            queryset,
            lambda c: services.merchant_claim_reject(claim=c, actor=request.user, reason=c.review_note),
            "已退回",
        )
