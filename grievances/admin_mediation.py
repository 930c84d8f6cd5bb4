"""Admin of 劳动争议调解: committees, and mediation records opened, held and closed through
``grievances.mediation`` (the form shows the service's rules next to the fields)."""

from __future__ import annotations

import re

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from core.text import clean_code
from grievances import mediation as services
from grievances.models import Mediation, MediationCommittee, MediationSession
from organizations.admin_base import ScopedAdmin, ScopedInline


@admin.register(MediationCommittee)
class MediationCommitteeAdmin(ScopedAdmin):
    list_display = ["name", "kind", "territory", "phone", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name"]
    list_select_related = ["territory"]


class SessionForm(forms.ModelForm):
    class Meta:
        model = MediationSession
        fields = ["held_on", "place", "attendees", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 2})}


class SessionInline(ScopedInline, admin.StackedInline):
    """Sessions are appended, never edited: the record of what was said stays as written."""

    model = MediationSession
    form = SessionForm
    extra = 0
    can_delete = False

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request, obj=None):
        return obj is not None and obj.status == Mediation.Status.OPEN and super().has_add_permission(request, obj)


class MediationForm(forms.ModelForm):
    outcome = forms.ChoiceField(
        label="结案",
        required=False,
        choices=[("", "暂不结案")] + [(s, Mediation.Status(s).label) for s in services.CLOSED_STATUSES],
    )
    agreement_text = forms.CharField(label="调解协议内容", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    amount = forms.CharField(label="协议金额（元）", required=False, help_text="如 3200 或 3,200.50；无金额留空")
    referral = forms.ChoiceField(label="移交机构", required=False, choices=[("", "—"), *Mediation.Referral.choices])
    note = forms.CharField(label="结案说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    class Meta:
        model = Mediation
        fields = ["grievance", "committee", "mediator"]

    def clean(self):
        data = super().clean()
        try:
            if self.instance.pk is None:
                if data.get("grievance") and data.get("committee"):
                    services.mediation_open_check(
                        grievance=data["grievance"], committee=data["committee"], mediator=data.get("mediator", "")
                    )
            elif data.get("outcome"):
                data["amount_fen"] = services.parse_amount_fen(data.get("amount"))
                services.mediation_close_check(
                    mediation=self.instance,
                    outcome=data["outcome"],
                    agreement=data.get("agreement_text", ""),
                    amount_fen=data["amount_fen"],
                    referral_to=data.get("referral", ""),
                )
        except ValidationError as exc:
            mapping = {"agreement": "agreement_text", "referral_to": "referral"}
            if hasattr(exc, "error_dict"):
                for field, errors in exc.message_dict.items():
                    field = mapping.get(field, field)
                    self.add_error(field if field in self.fields else None, errors)
            else:
                self.add_error(None, exc.messages)
        return data


_TICKET = re.compile(r"^SQ\d{8}-\d+$")


@admin.register(Mediation)
class MediationAdmin(ScopedAdmin):
    form = MediationForm
    list_display = ["grievance", "committee", "mediator", "status", "opened_at", "closed_at", "amount_yuan"]
    list_filter = ["status", "referral_to", "committee__kind"]
    search_fields = ["=grievance__ticket", "mediator", "committee__name"]
    list_select_related = ["grievance", "committee"]
    raw_id_fields = ["grievance"]
    inlines = [SessionInline]

    def get_search_results(self, request, queryset, search_term):
        # A ticket typed full width or lower case is folded like at every door (``=`` is only
        # case-insensitive); a mediator's or committee's name is searched as typed.
        if _TICKET.match(code := clean_code(search_term)):
            search_term = code
        return super().get_search_results(request, queryset, search_term)

    def get_readonly_fields(self, request, obj=None):
        base = ["status", "opened_at", "closed_at", "agreement", "amount_yuan", "referral_to", "outcome_note"]
        return [*base, "grievance", "committee", "mediator"] if obj else []

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["grievance", "committee", "mediator"]
        fields = ["grievance", "committee", "mediator", "status", "opened_at"]
        if obj.status == Mediation.Status.OPEN:
            return [*fields, "outcome", "agreement_text", "amount", "referral", "note"]
        return [*fields, "closed_at", "agreement", "amount_yuan", "referral_to", "outcome_note"]

    @admin.display(description="协议金额（元）")
    def amount_yuan(self, obj):
        return obj.amount_yuan or "—"

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "committee":
            # Committees are reference data: a street handles its cases with the district's centre.
            kwargs["queryset"] = MediationCommittee.objects.filter(is_active=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if not change:
            opened = services.mediation_open(
                grievance=data["grievance"], committee=data["committee"], mediator=data["mediator"], actor=request.user
            )
            obj.pk = opened.pk
            obj.refresh_from_db()
        elif data.get("outcome"):
            services.mediation_close(
                mediation=obj,
                outcome=data["outcome"],
                agreement=data.get("agreement_text", ""),
                amount_fen=data.get("amount_fen"),
                referral_to=data.get("referral", ""),
                note=data.get("note", ""),
                actor=request.user,
            )

    def save_formset(self, request, form, formset, change):
        for session in formset.save(commit=False):
            services.mediation_session_record(
                mediation=form.instance,
                held_on=session.held_on,
                notes=session.notes,
                place=session.place,
                attendees=session.attendees,
                actor=request.user,
            )
