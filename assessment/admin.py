"""Admin (Chinese): cycles and reviews are read here and moved on the review page (services);
indices and their indicators are configured here, through the services (weights ≤ 100)."""

from django import forms
from django.contrib import admin, messages
from django.db import transaction

from assessment import services
from assessment.models import Indicator, ManualScore, ReviewCycle, SecretaryReview, VanguardIndex
from organizations.admin_base import ScopedAdmin, ScopedInline


class ReadOnly:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ReviewCycle)
class ReviewCycleAdmin(ReadOnly, ScopedAdmin):
    list_display = ["title", "year", "body", "territory", "status"]
    list_filter = ["year", "status"]
    list_select_related = ["body", "territory"]
    actions = ["close"]

    @admin.action(description="结束评议（须全部评议完毕）", permissions=["close"])
    def close(self, request, queryset):
        for cycle in queryset:
            try:
                services.cycle_close(cycle=cycle, actor=request.user)
                self.message_user(request, f"“{cycle}”已结束", messages.SUCCESS)
            except services.AssessmentError as exc:
                self.message_user(request, f"“{cycle}”：{exc}", messages.ERROR)

    def has_close_permission(self, request):
        return request.user.has_perm("assessment.change_reviewcycle")


@admin.register(SecretaryReview)
class SecretaryReviewAdmin(ReadOnly, ScopedAdmin):
    list_display = ["secretary_name", "organization", "cycle", "status", "score", "grade"]
    list_filter = ["status", "grade", "cycle"]
    list_select_related = ["organization", "cycle"]
    search_fields = ["secretary_name", "organization__name"]


class IndicatorForm(forms.ModelForm):
    class Meta:
        model = Indicator
        fields = ["name", "source", "weight", "full_marks", "sort_order"]


class IndicatorInline(ScopedInline, admin.TabularInline):
    model = Indicator
    form = IndicatorForm
    extra = 1


@admin.register(VanguardIndex)
class VanguardIndexAdmin(ScopedAdmin):
    list_display = ["name", "year", "territory", "organization", "min_sample"]
    list_select_related = ["territory", "organization"]
    autocomplete_fields = ["territory", "organization"]
    inlines = [IndicatorInline]

    def save_model(self, request, obj, form, change):
        services.index_save(index=obj, actor=request.user)

    def save_formset(self, request, form, formset, change):
        # Indicators go through the service one by one, inside the admin's transaction: a
        # refusal (weights over 100) undoes the whole save and says why.
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            obj.delete()
        try:
            with transaction.atomic():
                for indicator in instances:
                    indicator.index = form.instance
                    services.indicator_save(indicator=indicator, actor=request.user)
        except services.AssessmentError as exc:
            messages.error(request, f"指标未保存：{exc}")
        if not services.weights_complete(form.instance):
            messages.warning(request, "各指标权重合计不等于 100，排名暂不发布")


@admin.register(ManualScore)
class ManualScoreAdmin(ReadOnly, ScopedAdmin):
    list_display = ["person", "indicator", "value", "recorded_by"]
    list_select_related = ["person", "indicator"]
