"""Admin base classes: every changelist and form goes through the scope rule."""

from __future__ import annotations

from auditlog.mixins import AuditlogHistoryAdminMixin
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.widgets import AdminFileWidget
from django.core.paginator import Paginator
from django.http import Http404
from django.utils.functional import cached_property

from core.admin_export import ExportAdminMixin
from core.excel import neutralize_formula
from organizations.scope import restrict


class CappedCountPaginator(Paginator):
    """Counts at most ``ADMIN_COUNT_CAP`` + 1 rows (``COUNT(*)`` over a ``LIMIT``ed subquery), so
    a changelist's cost does not grow with the table: a municipal first page over a million
    cases costs what a street's does. Past the cap the page says "10000+" and offers the first
    ``cap`` rows; the rest are reached by filtering or searching, as nobody pages through more."""

    @property
    def cap(self) -> int:
        return settings.ADMIN_COUNT_CAP

    @cached_property
    def _bounded_count(self) -> int:
        object_list = self.object_list
        if hasattr(object_list, "count") and hasattr(object_list, "query"):
            return object_list[: self.cap + 1].count()
        return len(object_list)

    @cached_property
    def count(self) -> int:
        return min(self._bounded_count, self.cap)

    @property
    def capped(self) -> bool:
        return self._bounded_count > self.cap


class ScopedAdmin(ExportAdminMixin, AuditlogHistoryAdminMixin, admin.ModelAdmin):
    """ModelAdmin whose rows, FK choices and object pages are limited to the user's scope.

    * changelists: ``get_queryset`` → ``restrict``; no full-table COUNT on big tables (neither
      the unfiltered total nor an unbounded count of the page's rows: ``CappedCountPaginator``);
    * forms: FK/M2M choices of scoped models are restricted the same way, so nothing can be
      placed outside the user's scope;
    * object pages of records outside the scope answer 404, like a missing id;
    * each object has an audit-history page (django-auditlog);
    * the changelist exports what it shows (``?export=xlsx``/``csv``, ``core.admin_export``).
    """

    show_full_result_count = False
    paginator = CappedCountPaginator
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


class _StoredFile:
    """What the file widget shows for a stored file: its name, linked to ``url``."""

    def __init__(self, name: str, url: str):
        self.name, self.url = name, url

    def __str__(self) -> str:
        return self.name


class ScopedFileWidget(AdminFileWidget):
    """The admin's file widget, linking a stored file through its app's scoped download view
    instead of its ``/media/`` path, which is never served. Subclasses give ``url_for``."""

    def url_for(self, instance) -> str | None:
        return None  # no scoped view known: Django's own rendering

    def format_value(self, value):
        value = super().format_value(value)
        instance = getattr(value, "instance", None)
        url = self.url_for(instance) if instance is not None and instance.pk else None
        return _StoredFile(value.name, url) if url else value


class ScopedInline:
    """Mixin for inlines: related rows through the door as well."""

    def get_queryset(self, request):
        return restrict(super().get_queryset(request), request.user)


__all__ = ["CappedCountPaginator", "ScopedAdmin", "ScopedFileWidget", "ScopedInline", "neutralize_formula"]
