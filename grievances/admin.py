"""Admin for the taxonomy, routing rules, SLAs, holidays, the blocklist, campaigns and projects.

Cases themselves are handled on the staff pages (/grievances/); the admin shows them read-only
so the state machine and its timeline cannot be bypassed by editing a row.
"""

from __future__ import annotations

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from core.admin_changelist import PortalChangeListMixin
from core.masking import mask_phone
from core.text import clean_code
from grievances.models import (
    BlockedSubmitter,
    Campaign,
    Category,
    GovernanceProject,
    Grievance,
    GrievanceEvent,
    Milestone,
    RoutingRule,
    SlaPolicy,
)
from organizations.admin_base import ScopedAdmin, ScopedInline
from organizations.admin_filters import territory_filters


@admin.register(Category)
class CategoryAdmin(PortalChangeListMixin, admin.ModelAdmin):
    list_display = ["code", "name", "default_priority", "is_active", "sort_order"]
    list_editable = ["is_active", "sort_order"]
    search_fields = ["code", "name", "keywords"]


@admin.register(SlaPolicy)
class SlaPolicyAdmin(PortalChangeListMixin, admin.ModelAdmin):
    list_display = ["category", "priority", "respond_hours", "resolve_amount", "resolve_unit"]
    list_filter = ["priority", "resolve_unit"]


@admin.register(BlockedSubmitter)
class BlockedSubmitterAdmin(PortalChangeListMixin, admin.ModelAdmin):
    list_display = ["kind", "value", "reason", "until", "created_at"]
    list_filter = ["kind"]
    search_fields = ["value", "reason"]


@admin.register(RoutingRule)
class RoutingRuleAdmin(ScopedAdmin):
    list_display = ["category", "territory", "body", "is_lead", "is_active"]
    list_filter = ["category", "is_lead", "is_active"]
    list_select_related = ["category", "territory", "body"]
    autocomplete_fields = []


@admin.register(Campaign)
class CampaignAdmin(ScopedAdmin):
    list_display = ["title", "code", "territory", "starts_on", "ends_on", "summary_link"]
    list_select_related = ["territory"]
    prepopulated_fields = {}

    @admin.display(description="汇总")
    def summary_link(self, obj):
        return format_html('<a href="{}">征集汇总</a>', reverse("grievances:campaign", args=[obj.code]))


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0


@admin.register(GovernanceProject)
class GovernanceProjectAdmin(ScopedAdmin):
    list_display = ["title", "category", "territory", "status", "owner", "progress"]
    list_filter = ["status", "category"]
    list_select_related = ["category", "territory", "owner"]
    readonly_fields = ["cluster_key", "closed_at", "explanation"]
    inlines = [MilestoneInline]


class EventInline(ScopedInline, admin.TabularInline):
    model = GrievanceEvent
    extra = 0
    can_delete = False
    fields = ["at", "kind", "actor", "actor_label", "old_state", "new_state", "note"]
    readonly_fields = fields

    def get_queryset(self, request):
        # Events are reached through their (already scoped) case.
        return admin.TabularInline.get_queryset(self, request).select_related("actor")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Grievance)
class GrievanceAdmin(ScopedAdmin):
    list_display = ["ticket", "channel", "category", "territory", "state", "body", "resolve_due_at", "escalation_level"]
    # A date filter, not date_hierarchy: the hierarchy's year links scan the whole scoped table
    # on every first page (a quarter of a second at 200k cases), the filter's fixed ranges don't.
    list_filter = [*territory_filters(), "state", "channel", "category", "priority", "escalation_level", "submitted_at"]
    list_select_related = ["category", "territory", "body"]
    search_fields = ["ticket"]
    search_help_text = "受理编号或其开头，如 SQ20261129"
    inlines = [EventInline]
    exclude = ["contact_name", "contact_phone", "person", "sla_resolve_unit"]
    readonly_fields = ["submitter"]

    def get_readonly_fields(self, request, obj=None):
        # The snapshot unit is stored as its code ("hours"): shown by its Chinese label instead.
        fields = [
            "sla_resolve_unit_label" if f.name == "sla_resolve_unit" else f.name
            for f in Grievance._meta.fields
            if f.name not in self.exclude or f.name == "sla_resolve_unit"
        ]
        return ["submitter", *fields, "co_bodies"]

    def has_change_permission(self, request, obj=None):
        # Every field is read-only here (cases change only through the case page's actions),
        # so the form is a view: no 保存 button that would report a change when nothing changed.
        return False

    @admin.display(description="办结时限单位")
    def sla_resolve_unit_label(self, obj):
        return SlaPolicy.Unit(obj.sla_resolve_unit).label if obj.sla_resolve_unit in SlaPolicy.Unit.values else "—"

    @admin.display(description="提交人")
    def submitter(self, obj):
        # The admin is shared by every role, so it always masks; handlers see the full contact
        # on the case page (/grievances/<ticket>/), which checks who handles the case.
        return f"{obj.submitter_label} {mask_phone(obj.submitter_phone)}".strip()

    def get_search_results(self, request, queryset, search_term):
        # Tickets are searched by prefix: LIKE 'SQ…%' runs on the ticket's pattern index, where
        # the admin's default icontains would scan every case.
        term = clean_code(search_term)
        if not term:
            return queryset, False
        return queryset.filter(ticket__startswith=term), False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def view_on_site(self, obj):
        return reverse("grievances:detail", args=[obj.ticket])


# 劳动争议调解 registers its own admin pages.
from grievances import admin_mediation  # noqa: E402, F401
