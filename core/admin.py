"""Admin plumbing shared by every app, and the admin of core's own table (the holiday calendar).

The one confirm-and-loop helper for admin bulk actions.

A bulk action that writes shows a confirmation page first (what will happen, to which rows, with
an optional form for the values it needs); on "apply" it calls the app's service once per row.
Each row runs in its own savepoint, so one refusal leaves the others done and nothing of the
refused row half-written; refusals are reported row by row in Chinese.
"""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.response import TemplateResponse

from core.admin_changelist import PortalChangeListMixin
from core.models import Holiday

CONFIRM_TEMPLATE = "core/admin/confirm_action.html"


def error_text(exc: ValidationError) -> str:
    return "；".join(exc.messages)


class ConfirmActionMixin:
    """For a ModelAdmin: ``bound_action_form`` binds a form only on apply, ``confirm_and_loop`` does the rest."""

    def bound_action_form(self, request, form_class: type[forms.Form]) -> forms.Form:
        return form_class(request.POST if "apply" in request.POST else None)

    def confirm_and_loop(
        self,
        request,
        queryset,
        *,
        action: str,
        title: str,
        hint: str,
        each: Callable,
        label: Callable,
        done: Callable[[int], str],
        form: forms.Form | None = None,
        rows=None,
    ):
        """Show the confirmation page, or (on a valid apply) call ``each(row)`` for every row.

        ``label(row)`` names the row in a refusal; ``done(n)`` is the success message for ``n``
        rows; ``rows`` is the queryset to loop over when it needs ``select_related``.
        """
        if "apply" in request.POST and (form is None or form.is_valid()):
            count, failed = 0, []
            for row in queryset if rows is None else rows:
                try:
                    with transaction.atomic():
                        each(row)
                    count += 1
                except ValidationError as exc:
                    failed.append(f"{label(row)}：{error_text(exc)}")
            if count:
                self.message_user(request, done(count), messages.SUCCESS)
            for line in failed:
                self.message_user(request, line, messages.ERROR)
            return None
        return TemplateResponse(
            request,
            CONFIRM_TEMPLATE,
            {
                **self.admin_site.each_context(request),
                "title": title,
                "queryset": queryset,
                "form": form,
                "action": action,
                "opts": self.model._meta,
                "hint": hint,
            },
        )


@admin.register(Holiday)
class HolidayAdmin(PortalChangeListMixin, admin.ModelAdmin):
    """The one working-day calendar: entered each December from the State Council's notice."""

    list_display = ["date", "name", "is_workday"]
    list_filter = ["is_workday"]
    date_hierarchy = "date"
