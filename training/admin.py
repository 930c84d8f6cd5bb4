"""Admin (Chinese) for budget lines, courses and sessions; saves go through the services.
Attendance is marked on the session roster page (or the API), where hours are checked."""

from django import forms
from django.contrib import admin
from django.db import transaction
from django.urls import reverse
from django.utils.html import format_html

from organizations.admin_base import ScopedAdmin, ScopedInline
from training import services
from training.models import Budget, Course, Enrolment, Session


class ServiceForm(forms.ModelForm):
    """Runs the service as a dry run (rolled back) during validation, so a refusal (overspent
    budget, out of scope) shows on the form instead of a 500; ``save_model`` then calls the
    same service for real. One rule, written once, in the service."""

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
        except services.TrainingError as exc:
            self.add_error(None, str(exc))
        finally:
            self.instance.pk, self.instance._state.adding = pk, adding


def service_form(model, service, argument, fields):
    return type(
        f"{model.__name__}ServiceForm",
        (ServiceForm,),
        {
            "service": staticmethod(service),
            "argument": argument,
            "Meta": type("Meta", (), {"model": model, "fields": fields}),
        },
    )


class ServiceAdmin(ScopedAdmin):
    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.request_user = request.user
        return form


@admin.register(Budget)
class BudgetAdmin(ServiceAdmin):
    form = service_form(Budget, services.budget_save, "budget", ["year", "name", "amount_yuan", "body", "territory"])
    list_display = ["name", "year", "amount_yuan", "body", "territory"]
    list_filter = ["year"]
    list_select_related = ["body", "territory"]
    autocomplete_fields = ["territory"]

    def save_model(self, request, obj, form, change):
        services.budget_save(budget=obj, actor=request.user)


@admin.register(Course)
class CourseAdmin(ServiceAdmin):
    form = service_form(
        Course,
        services.course_save,
        "course",
        ["title", "kind", "level", "audience", "organiser", "territory", "year", "description"],
    )
    list_display = ["title", "year", "kind", "level", "audience", "organiser", "territory"]
    list_filter = ["year", "kind", "level", "audience"]
    list_select_related = ["organiser", "territory"]
    search_fields = ["title"]
    autocomplete_fields = ["territory"]

    def save_model(self, request, obj, form, change):
        services.course_save(course=obj, actor=request.user)


class EnrolmentInline(ScopedInline, admin.TabularInline):
    model = Enrolment
    fields = ["person", "post", "organization", "status", "hours_credited"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Session)
class SessionAdmin(ServiceAdmin):
    form = service_form(
        Session,
        services.session_save,
        "session",
        ["course", "number", "starts_on", "ends_on", "place", "hours", "capacity", "budget", "cost_yuan"],
    )
    list_display = ["__str__", "starts_on", "ends_on", "hours", "capacity", "cost_yuan", "budget", "roster_link"]
    list_filter = ["course__level", "course__kind"]
    list_select_related = ["course", "budget"]
    search_fields = ["course__title", "place"]
    date_hierarchy = "starts_on"
    inlines = [EnrolmentInline]

    def save_model(self, request, obj, form, change):
        services.session_save(session=obj, actor=request.user)

    @admin.display(description="花名册")
    def roster_link(self, obj):
        return format_html('<a href="{}">报名与考勤</a>', reverse("training:session", args=[obj.pk]))


@admin.register(Enrolment)
class EnrolmentAdmin(ScopedAdmin):
    list_display = ["person", "session", "post", "organization", "status", "hours_credited"]
    list_filter = ["status", "post"]
    list_select_related = ["person", "session__course", "organization"]
    search_fields = ["person__name", "session__course__title"]

    def has_add_permission(self, request):
        return False  # enrolment is on the roster page, where capacity and scope are checked

    def has_change_permission(self, request, obj=None):
        return False if obj is not None else super().has_change_permission(request, obj)
