"""Admin screens of the cadence: key tasks, plans, assessment, secretary projects and
rectification lists are maintained here; the weekly-report flow and dashboards have own pages."""

from django import forms
from django.contrib import admin
from django.urls import reverse

from cadence import models as m
from organizations.admin_base import ScopedAdmin, ScopedFileWidget, ScopedInline


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


class EvidenceWidget(ScopedFileWidget):
    def url_for(self, update) -> str | None:
        return reverse("cadence:key-task-evidence", args=[update.pk]) if isinstance(update, m.KeyTaskUpdate) else None


@admin.register(m.KeyTaskUpdate)
class KeyTaskUpdateAdmin(ScopedAdmin):
    list_display = ["task", "status", "progress", "author", "created_at"]
    list_select_related = ["task", "author"]
    readonly_fields = ["author", "created_at"]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "evidence":
            kwargs["widget"] = EvidenceWidget
        return super().formfield_for_dbfield(db_field, request, **kwargs)


class CriterionForm(forms.ModelForm):
    """指标 is chosen among the KPIs the assessment can compute, by their Chinese names; a typed
    name (“组织覆盖率”) used to be stored as the key and score every district 0."""

    kpi = forms.ChoiceField(label="指标")

    class Meta:
        model = m.ScoringCriterion
        fields = ["kpi", "weight", "floor", "target"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from cadence.kpis import available_kpis

        self.fields["kpi"].choices = [("", "---------")] + [(k.key, k.label) for k in available_kpis()]


class CriterionInline(ScopedInline, admin.TabularInline):
    model = m.ScoringCriterion
    form = CriterionForm
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
