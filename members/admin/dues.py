"""Dues payments: a ledger recorded through ``dues_pay``; a recorded payment is only annotated."""

from __future__ import annotations

from django.contrib import admin

from members import services
from members.admin.common import PersonSearchMixin, service_form
from members.models import DuesPayment
from organizations.admin_base import ScopedAdmin


class DuesPayMixin:
    def create(self, data):
        return services.dues_pay(
            membership=data["membership"],
            period=data["period"],
            amount=data["amount"],
            paid_on=data["paid_on"],
            actor=self.request_user,
            note=data.get("note", ""),
        )


@admin.register(DuesPayment)
class DuesPaymentAdmin(PersonSearchMixin, ScopedAdmin):
    person_path = "membership__person"
    list_display = ["member", "period", "amount", "paid_on", "recorded_by"]
    export_units = {"amount": "元"}
    export_totals = ("amount",)
    list_filter = ["period"]
    list_select_related = ["membership__person", "recorded_by"]
    search_fields = ["membership__person__name"]
    autocomplete_fields = ["membership"]
    fields = ["membership", "period", "amount", "paid_on", "note"]
    date_hierarchy = "period"

    @admin.display(description="党员", ordering="membership__person__name")
    def member(self, obj):
        return obj.membership.person.name

    def get_readonly_fields(self, request, obj=None):
        # A ledger: a recorded payment is corrected by a note, not rewritten.
        return ["membership", "period", "amount", "paid_on"] if obj else []

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        return service_form(DuesPayMixin, form, request.user) if obj is None else form

    def save_model(self, request, obj, form, change):
        if change:
            obj.save(update_fields=["note"])
