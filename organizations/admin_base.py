"""Admin base classes: every changelist and form goes through the scope rule."""

from __future__ import annotations

from auditlog.mixins import AuditlogHistoryAdminMixin
from django.contrib import admin
from django.http import Http404

from organizations.exports import neutralize_formula
from organizations.scope import restrict


class ScopedAdmin(AuditlogHistoryAdminMixin, admin.ModelAdmin):
    """ModelAdmin whose rows, FK choices and object pages are limited to the user's scope.

    * changelists: ``get_queryset`` → ``restrict``; no full-table COUNT on big tables;
    * forms: FK/M2M choices of scoped models are restricted the same way, so nothing can be
      placed outside the user's scope;
    * object pages of records outside the scope answer 404, like a missing id;
    * each object has an audit-history page (django-auditlog).
    """

    show_full_result_count = False
    show_auditlog_history_link = True
    list_per_page = 50

    def get_queryset(self, request):
        return restrict(super().get_queryset(request), request.user)

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404("记录不存在或不在您的管辖范围内")
        return obj

    def _scoped_choices(self, db_field, request, kwargs):
        related = db_field.remote_field.model
        if getattr(related, "scope", None) is not None and "queryset" not in kwargs:
            base = related._default_manager.all()
            limit = db_field.get_limit_choices_to()
            if limit:
                base = base.complex_filter(limit)
            kwargs["queryset"] = restrict(base, request.user)
        return kwargs

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        kwargs = self._scoped_choices(db_field, request, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        kwargs = self._scoped_choices(db_field, request, kwargs)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class ScopedInline:
    """Mixin for inlines: related rows through the door as well."""

    def get_queryset(self, request):
        return restrict(super().get_queryset(request), request.user)


__all__ = ["ScopedAdmin", "ScopedInline", "neutralize_formula"]
