"""Transfers of organizational relation (组织关系转接): requested by form, moved on by actions."""

from __future__ import annotations

from django import forms
from django.contrib import admin

from core.admin import ConfirmActionMixin
from members import services
from members.admin.common import PersonSearchMixin, service_form
from members.models import Transfer, TransferEvent
from organizations.admin_base import ScopedAdmin
from organizations.models import PartyOrganization


class TransferRequestMixin:
    def create(self, data):
        return services.transfer_request(
            membership=data["membership"],
            to_organization=data["to_organization"],
            reason=data["reason"],
            actor=self.request_user,
        )


class TransferEventInline(admin.TabularInline):
    model = TransferEvent
    extra = 0
    can_delete = False
    fields = ["at", "action", "actor", "note"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class RejectForm(forms.Form):
    reason = forms.CharField(label="退回原因", max_length=200)


@admin.register(Transfer)
class TransferAdmin(ConfirmActionMixin, PersonSearchMixin, ScopedAdmin):
    person_path = "membership__person"
    list_display = ["member", "from_organization", "to_organization", "status", "requested_at", "valid_until"]
    list_filter = ["status"]
    list_select_related = ["membership__person", "from_organization", "to_organization"]
    search_fields = ["membership__person__name"]
    autocomplete_fields = ["membership"]
    inlines = [TransferEventInline]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "to_organization":
            # The receiving organization may be anywhere in the city (that is the point of an
            # online transfer), so its choices are not limited to the requester's scope.
            kwargs["queryset"] = PartyOrganization.objects.exclude(status=PartyOrganization.Status.DISSOLVED)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    actions = ["approve", "accept", "reject", "cancel"]

    def get_queryset(self, request):
        # Both ends of a transfer see it: the door is Transfer.objects.visible_to.
        return admin.ModelAdmin.get_queryset(self, request).visible_to(request.user)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["membership", "to_organization", "reason"]
        return [
            "membership",
            "from_organization",
            "to_organization",
            "status",
            "reason",
            "reject_reason",
            "requested_at",
            "valid_until",
            "decided_at",
        ]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.get_fields(request, obj)

    @admin.display(description="党员", ordering="membership__person__name")
    def member(self, obj):
        return obj.membership.person.name

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        return service_form(TransferRequestMixin, form, request.user) if obj is None else form

    def save_model(self, request, obj, form, change):
        """Created by the form (transfer_request); steps are the actions, never an edit."""

    def _step(self, request, queryset, func, *, action, title, hint, done):
        """A step without a form: confirm, then ``func(transfer=…, actor=…)`` for each row."""
        return self.confirm_and_loop(
            request,
            queryset,
            action=action,
            title=title,
            hint=hint,
            rows=queryset.select_related("membership__person", "from_organization", "to_organization"),
            each=lambda transfer: func(transfer=transfer, actor=request.user),
            label=lambda transfer: transfer.membership.person.name,
            done=lambda n: f"{n}件{done}",
        )

    @admin.action(description="转出审批通过", permissions=["change"])
    def approve(self, request, queryset):
        return self._step(
            request,
            queryset,
            services.transfer_approve,
            action="approve",
            title="转出审批通过",
            hint="审批通过后，介绍信发往转入党组织，由其接收。",
            done="已审批通过，等待转入党组织接收",
        )

    @admin.action(description="接收（转入党组织）", permissions=["change"])
    def accept(self, request, queryset):
        return self._step(
            request,
            queryset,
            services.transfer_accept,
            action="accept",
            title="接收组织关系",
            hint="接收后，党员的所在党组织即变更为转入党组织。",
            done="已接收，党员组织关系已转入",
        )

    @admin.action(description="退回（须填写原因）", permissions=["change"])
    def reject(self, request, queryset):
        form = self.bound_action_form(request, RejectForm)
        return self.confirm_and_loop(
            request,
            queryset,
            action="reject",
            title="退回组织关系转接",
            hint="退回后该转接办结，须重新发起。",
            form=form,
            rows=queryset.select_related("membership__person", "from_organization", "to_organization"),
            each=lambda transfer: services.transfer_reject(
                transfer=transfer, actor=request.user, reason=form.cleaned_data["reason"]
            ),
            label=lambda transfer: transfer.membership.person.name,
            done=lambda n: f"{n}件已退回",
        )

    @admin.action(description="撤销申请", permissions=["change"])
    def cancel(self, request, queryset):
        return self._step(
            request,
            queryset,
            services.transfer_cancel,
            action="cancel",
            title="撤销组织关系转接",
            hint="撤销后该转接办结。",
            done="已撤销",
        )
