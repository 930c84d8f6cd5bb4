"""Development: yearly quotas and the applicant → activist → candidate → probationary → full pipeline."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Count, Q

from core.admin import ConfirmActionMixin
from members import services
from members.admin.common import PersonSearchMixin, service_form
from members.models import DevelopmentQuota, DevelopmentRecord, Stage
from organizations.admin_base import ScopedAdmin
from organizations.scope import restrict


class DevelopmentStartMixin:
    def create(self, data):
        record = services.development_start(
            person=data["person"],
            organization=data["organization"],
            applied_on=data["applied_on"],
            actor=self.request_user,
        )
        if data.get("introducers"):
            record.introducers = data["introducers"]
            record.save(update_fields=["introducers"])
        return record


@admin.register(DevelopmentQuota)
class DevelopmentQuotaAdmin(ScopedAdmin):
    list_display = ["body", "year", "amount", "used", "remaining", "note"]
    list_filter = ["year"]
    list_select_related = ["body"]
    search_fields = ["body__name"]

    def get_queryset(self, request):
        used = Count("records", filter=Q(records__stage__gte=Stage.PROBATIONARY))
        return super().get_queryset(request).annotate(used_places=used)

    @admin.display(description="已使用", ordering="used_places")
    def used(self, obj):
        return obj.used_places

    @admin.display(description="剩余")
    def remaining(self, obj):
        return max(obj.amount - obj.used_places, 0)


class AdvanceForm(forms.Form):
    on = forms.DateField(label="日期", widget=forms.DateInput(attrs={"type": "date"}))
    introducers = forms.CharField(label="入党介绍人（确定发展对象时填写）", required=False)
    quota = forms.ModelChoiceField(
        label="占用发展指标（接收预备党员时选择）", queryset=DevelopmentQuota.objects.none(), required=False
    )


class ExtendForm(forms.Form):
    months = forms.IntegerField(label="延长月数（6–12）", min_value=1, max_value=24)


@admin.register(DevelopmentRecord)
class DevelopmentRecordAdmin(ConfirmActionMixin, PersonSearchMixin, ScopedAdmin):
    person_path = "person"
    list_display = ["person", "stage", "organization", "applied_on", "activist_on", "candidate_on", "admitted_on"]
    list_filter = ["stage", "is_closed"]
    list_select_related = ["person", "organization"]
    search_fields = ["person__name"]
    autocomplete_fields = ["person", "organization", "quota"]
    readonly_fields = ["stage", "activist_on", "candidate_on", "admitted_on", "full_member_on", "quota"]
    fields = [
        "person",
        "organization",
        "stage",
        "applied_on",
        "activist_on",
        "candidate_on",
        "admitted_on",
        "full_member_on",
        "introducers",
        "probation_extension_months",
        "quota",
        "is_closed",
        "closed_reason",
    ]
    actions = ["advance", "extend_probation"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ["stage", "activist_on", "candidate_on", "admitted_on", "full_member_on", "quota", "is_closed"]
        # Closing is development_close (it needs the reason): typing 终止原因 on an open record asks
        # for it; a closed record stays closed.
        fields = [*self.readonly_fields, "person", "organization", "applied_on", "probation_extension_months"]
        return [*fields, "is_closed", "closed_reason"] if obj.is_closed else [*fields, "is_closed"]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if obj is None:
            form = service_form(DevelopmentStartMixin, form, request.user)
        return form

    def save_model(self, request, obj, form, change):
        if change:
            reason = (form.cleaned_data.get("closed_reason") or "").strip()
            obj.closed_reason = DevelopmentRecord.objects.get(pk=obj.pk).closed_reason
            obj.save()
            if reason and not obj.is_closed:
                services.development_close(record=obj, reason=reason, actor=request.user)

    @admin.action(description="延长预备期", permissions=["change"])
    def extend_probation(self, request, queryset):
        form = self.bound_action_form(request, ExtendForm)
        return self.confirm_and_loop(
            request,
            queryset,
            action="extend_probation",
            title="延长预备期",
            hint="预备期可延长一次，时间为6至12个月；党员的预备期满日期随之顺延。",
            form=form,
            rows=queryset.select_related("person"),
            each=lambda record: services.development_extend_probation(
                record=record, months=form.cleaned_data["months"], actor=request.user
            ),
            label=lambda record: record.person.name,
            done=lambda n: f"{n}人的预备期已延长",
        )

    @admin.action(description="进入下一阶段（核对规定的培养时间）", permissions=["change"])
    def advance(self, request, queryset):
        form = self.bound_action_form(request, AdvanceForm)
        form.fields["quota"].queryset = restrict(DevelopmentQuota.objects.select_related("body"), request.user)

        def advance(record):
            try:
                services.development_advance(
                    record=record,
                    stage=record.stage + 1,
                    on=form.cleaned_data["on"],
                    introducers=form.cleaned_data["introducers"] or None,
                    quota=form.cleaned_data["quota"],
                    actor=request.user,
                )
            except ValueError as exc:
                # The stage after "full member" does not exist; say so in words.
                raise ValidationError("已是正式党员，没有下一阶段") from exc

        return self.confirm_and_loop(
            request,
            queryset,
            action="advance",
            title="进入下一阶段",
            hint=(
                "系统将逐人核对：积极分子培养满一年方可确定为发展对象；预备期满一年方可转正；"
                "接收预备党员须占用当年发展指标。"
            ),
            form=form,
            rows=queryset.select_related("person"),
            each=advance,
            label=lambda record: record.person.name,
            done=lambda n: f"{n}人已进入下一阶段",
        )
