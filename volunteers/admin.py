"""Admin (Chinese) for teams, members, activities and appointments; writes call the services.
Membership history (left_on) and participations are read-only here."""

from django import forms
from django.contrib import admin, messages
from django.db import transaction

from organizations.admin_base import ScopedAdmin, ScopedInline
from volunteers import services
from volunteers.models import Activity, Appointment, Participation, ProbeReport, Team, TeamMember


class DryRunForm(forms.ModelForm):
    """Runs the service rolled back during validation so its refusal shows on the form."""

    service = None
    argument = ""

    def _post_clean(self):
        super()._post_clean()
        if self.errors:
            return
        pk, adding = self.instance.pk, self.instance._state.adding
        try:
            with transaction.atomic():
                type(self).service(**{self.argument: self.instance}, actor=self.request_user)
                transaction.set_rollback(True)
        except services.VolunteerError as exc:
            self.add_error(None, str(exc))
        finally:
            self.instance.pk, self.instance._state.adding = pk, adding


def dry_run_form(model, service, argument, fields):
    meta = type("Meta", (), {"model": model, "fields": fields})
    return type(
        f"{model.__name__}Form", (DryRunForm,), {"service": staticmethod(service), "argument": argument, "Meta": meta}
    )


class DryRunAdmin(ScopedAdmin):
    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.request_user = request.user
        return form


class MemberInline(ScopedInline, admin.TabularInline):
    model = TeamMember
    fields = ["person", "role", "joined_on", "left_on"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Team)
class TeamAdmin(DryRunAdmin):
    form = dry_run_form(
        Team,
        services.team_save,
        "team",
        ["name", "kind", "territory", "station", "organization", "leader", "founded_on", "description", "is_active"],
    )
    list_display = ["name", "kind", "territory", "station", "leader", "founded_on", "is_active"]
    list_filter = ["kind", "is_active"]
    list_select_related = ["territory", "station", "leader"]
    search_fields = ["name"]
    autocomplete_fields = ["territory", "organization", "leader"]
    inlines = [MemberInline]

    def save_model(self, request, obj, form, change):
        services.team_save(team=obj, actor=request.user)


@admin.register(TeamMember)
class TeamMemberAdmin(ScopedAdmin):
    list_display = ["person", "team", "role", "joined_on", "left_on"]
    list_filter = ["role"]
    list_select_related = ["person", "team"]
    search_fields = ["person__name", "team__name"]
    actions = ["leave"]

    def has_add_permission(self, request):
        return False  # members join on the team page, where the person is found in scope

    def has_change_permission(self, request, obj=None):
        return False if obj is not None else super().has_change_permission(request, obj)

    @admin.action(description="办理离队（今天）", permissions=["leave"])
    def leave(self, request, queryset):
        for member in queryset.select_related("team", "person"):
            try:
                services.member_leave(member=member, actor=request.user)
            except services.VolunteerError as exc:
                self.message_user(request, str(exc), messages.ERROR)

    def has_leave_permission(self, request):
        return request.user.has_perm("volunteers.change_teammember")


class ParticipationInline(ScopedInline, admin.TabularInline):
    model = Participation
    fields = ["person", "hours"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Activity)
class ActivityAdmin(ScopedAdmin):
    list_display = ["title", "team", "held_on", "place"]
    list_select_related = ["team"]
    search_fields = ["title", "team__name"]
    date_hierarchy = "held_on"
    readonly_fields = ["team", "title", "held_on", "place", "description", "recorded_by"]
    inlines = [ParticipationInline]

    def has_add_permission(self, request):
        return False  # recorded on the team page with its participants and hours


@admin.register(Appointment)
class AppointmentAdmin(DryRunAdmin):
    form = dry_run_form(
        Appointment,
        services.appointment_save,
        "appointment",
        ["person", "title", "team", "territory", "issued_by", "certificate_no", "starts_on", "ends_on"],
    )
    list_display = ["title", "person", "team", "issued_by", "starts_on", "ends_on"]
    list_filter = ["title"]
    list_select_related = ["person", "team"]
    search_fields = ["person__name", "title", "certificate_no"]
    autocomplete_fields = ["person", "territory"]

    def save_model(self, request, obj, form, change):
        services.appointment_save(appointment=obj, actor=request.user)


@admin.register(ProbeReport)
class ProbeReportAdmin(ScopedAdmin):
    list_display = ["team", "report"]
    list_select_related = ["team", "report"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
