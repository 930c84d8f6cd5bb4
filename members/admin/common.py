"""Pieces shared by the members admins: add forms that run a service, and the person search."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q

from members.models import Person
from members.selectors import person_search_q, whole_code_notice


class ServiceAddForm(forms.ModelForm):
    """An add form whose ``clean`` runs the creating service (inside the admin's transaction),
    so a refusal shows as a form error naming the field instead of a server error."""

    request_user = None

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            self.instance = self.create(data)
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.error_dict.items():
                    self.add_error(field if field in self.fields else None, errors)
            else:
                self.add_error(None, exc)
        return data

    def save(self, commit=True):
        # The service saved everything already; these models have no many-to-many fields.
        self.save_m2m = lambda: None
        return self.instance


def service_form(mixin, form, user):
    """The admin's generated form with ``mixin.create`` (the service call) and the acting user."""
    return type(f"{mixin.__name__}Form", (mixin, ServiceAddForm, form), {"request_user": user})


class PersonSearchMixin:
    """Search by name, pinyin initials ("zs" → 张三), or the tail of an ID number or phone."""

    person_path = ""

    def get_search_results(self, request, queryset, search_term):
        if not search_term.strip():
            return queryset, False
        q = person_search_q(search_term, viewer=request.user)
        notice = whole_code_notice(request.user)
        if notice and not request.path.endswith("/autocomplete/"):
            messages.warning(request, notice)
        if self.person_path:
            q = Q(**{f"{self.person_path}__in": Person.objects.filter(q).values("pk")})
        return queryset.filter(q), False
