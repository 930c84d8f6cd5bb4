"""Admin screens of the cadence: key tasks, plans, assessment, secretary projects and
rectification lists are maintained here; the weekly-report flow and dashboards have own pages."""

from django.contrib import admin
from django.contrib.admin.widgets import AdminFileWidget
from django.urls import reverse

from organizations.admin_base import ScopedAdmin, ScopedInline
from portal.cadence import models as m


class MilestoneInline(ScopedInline, admin.TabularInline):
    model = m.Milestone
    extra = 1


@admin.register(m.WorkPlan)
class WorkPlanAdmin(ScopedAdmin):
    list_display = ["title", "kind", "year_start", "year_end", "parent", "territory"]
    list_filter = ["kind"]
    list_select_related = ["parent", "territory"]
    autocomplete_fields = ["territory"]
    search_fields = ["title"]


@admin.register(m.KeyTask)
class KeyTaskAdmin(ScopedAdmin):
    list_display = ["number", "title", "plan", "lead_body", "status", "progress", "due_date"]
    list_display_links = ["number", "title"]
    list_filter = ["plan", "status"]
    list_select_related = ["plan", "lead_body"]
    search_fields = ["title"]
    autocomplete_fields = ["territory", "lead_body"]
    filter_horizontal = ["supporting_bodies"]
    inlines = [MilestoneInline]


class _StoredEvidence:
    def __init__(self, name: str, url: str):
        self.name, self.url = name, url

    def __str__(self) -> str:
        return self.name


class EvidenceWidget(AdminFileWidget):
    """Links the stored evidence through its scoped download view, not its /media/ path
    (which is never served)."""

    def format_value(self, value):
        value = super().format_value(value)
        update = getattr(value, "instance", None)
        if isinstance(update, m.KeyTaskUpdate) and update.pk:
            return _StoredEvidence(value.name, reverse("cadence:key-task-evidence", args=[update.pk]))
        return value


@admin.register(m.KeyTaskUpdate)
class KeyTaskUpdateAdmin(ScopedAdmin):
    list_display = ["task", "status", "progress", "author", "created_at"]
    list_select_related = ["task", "author"]
    readonly_fields = ["author", "created_at"]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "evidence":
            kwargs["widget"] = EvidenceWidget
        return super().formfield_for_dbfield(db_field, request, **kwargs)


class CriterionInline(ScopedInline, admin.TabularInline):
    model = m.ScoringCriterion
    extra = 1


@admin.register(m.ScoringScheme)
class ScoringSchemeAdmin(ScopedAdmin):
    list_display = ["year", "name"]
    inlines = [CriterionInline]


@admin.register(m.AssessmentResult)
class AssessmentResultAdmin(ScopedAdmin):
    list_display = ["scheme", "district", "score", "computed_at"]
    list_select_related = ["scheme", "district"]
    readonly_fields = ["scheme", "district", "score", "breakdown", "computed_at"]

    def has_add_permission(self, request):
        return False


@admin.register(m.SecretaryProject)
class SecretaryProjectAdmin(ScopedAdmin):
    list_display = ["year", "title", "secretary", "organization", "territory", "status"]
    list_filter = ["year", "status"]
    list_select_related = ["organization", "territory"]
    search_fields = ["title", "secretary"]
    autocomplete_fields = ["organization", "territory"]
    readonly_fields = ["status", "acceptance_comment", "accepted_at", "accepted_by"]


class RectificationItemInline(ScopedInline, admin.TabularInline):
    model = m.RectificationItem
    extra = 1
    fields = ["number", "problem", "measure", "responsible", "due_date", "status", "closing_note"]
    readonly_fields = ["status", "closing_note"]


@admin.register(m.RectificationList)
class RectificationListAdmin(ScopedAdmin):
    list_display = ["title", "source", "territory", "due_date", "created_at"]
    list_select_related = ["territory"]
    autocomplete_fields = ["territory"]
    search_fields = ["title"]
    inlines = [RectificationItemInline]


@admin.register(m.DailySnapshot)
class DailySnapshotAdmin(ScopedAdmin):
    list_display = ["date", "kind", "territory", "organization", "computed_at"]
    list_filter = ["kind"]
    list_select_related = ["territory", "organization"]
    date_hierarchy = "date"
    readonly_fields = ["kind", "date", "node_key", "territory", "organization", "figures", "computed_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
