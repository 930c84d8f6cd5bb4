"""Every admin changelist on the one export path: ``?export=xlsx`` / ``?export=csv`` on a
changelist writes the rows it shows — same filters, search and scope — with its columns.

The columns are the changelist's own ``list_display``: what is masked on screen is masked in
the file, because it is the same value. An admin adds columns the screen leaves out with
``export_extra`` (names of fields or admin methods, after the list's columns), units with
``export_units`` ({name: "元"}) and the columns worth a totals row with ``export_totals``.

Big lists run as a background job: the job replays the changelist's query string for its owner
(``admin:<app>.<model>`` in the registry), so it writes what the owner would see when it runs.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.utils import display_for_field, label_for_field, lookup_field
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import models
from django.http import QueryDict
from django.test import RequestFactory
from django.urls import reverse
from django.utils.http import urlencode

from core import exports
from core.excel import Column

EXPORT_PARAM = "export"
# Screen-only columns: the row checkbox, and auditlog's 审计日志 link (a column of 查看 in a file).
SKIPPED = {"action_checkbox", "auditlog_link"}


def _cell(name, obj, model_admin):
    try:
        field, attr, value = lookup_field(name, obj, model_admin)
    except (AttributeError, ObjectDoesNotExist):
        return None
    if field is not None:
        if getattr(field, "flatchoices", None):
            return dict(field.flatchoices).get(value, value) if value not in (None, "") else None
        if isinstance(field, models.ForeignKey | models.OneToOneField):
            return str(value) if value is not None else None
        if isinstance(field, models.ManyToManyField):
            return "、".join(str(v) for v in value.all())
        if isinstance(value, str | int | float | bool) or value is None or hasattr(value, "isoformat"):
            return value
        return display_for_field(value, field, "")
    if getattr(attr, "boolean", False):
        return bool(value) if value is not None else None
    return value


class ExportAdminMixin:
    """Changelist export for a ModelAdmin (see the module docstring).

    ``survey_import_kind`` ("units", "members", "stations", "organizations"): the changelist's
    导入 button leads to the survey upload for that kind. There is one import path — the 双线摸排
    pipeline, with its staging, verification and scope rule — not a second, laxer one in the
    admin; the link is by URL name, so this floor imports nothing of the pipeline's."""

    export_extra: tuple[str, ...] = ()
    export_units: dict[str, str] = {}
    export_totals: tuple[str, ...] = ()
    survey_import_kind: str = ""
    survey_upload_url = "surveys:batch-list"
    survey_upload_permission = "surveys.add_importbatch"
    change_list_template = "admin/core/change_list_export.html"

    def export_title(self) -> str:
        return str(self.model._meta.verbose_name_plural)

    def export_columns(self, request) -> list[Column]:
        names = [n for n in self.get_list_display(request) if n not in SKIPPED]
        names += [n for n in self.export_extra if n not in names]
        columns = []
        for name in names:
            header = label_for_field(name, self.model, self)
            if name == "__str__":
                header = str(self.model._meta.verbose_name)
            columns.append(
                Column(
                    str(header),
                    lambda obj, name=name: _cell(name, obj, self),
                    unit=self.export_units.get(name, ""),
                    total=name in self.export_totals,
                )
            )
        return columns

    def export_queryset(self, request):
        """The changelist's rows: its filters, search, ordering and scope (``get_queryset``)."""
        changelist = self.get_changelist_instance(request)
        return changelist.get_queryset(request)

    def export_key(self) -> str:
        return f"admin:{self.model._meta.app_label}.{self.model._meta.model_name}"

    def changelist_view(self, request, extra_context=None):
        fmt = request.GET.get(EXPORT_PARAM)
        params = request.GET.copy()
        params.pop(EXPORT_PARAM, None)
        if fmt:
            if not self.has_view_or_change_permission(request):
                raise PermissionDenied
            query = params.urlencode()
            return exports.export_response(request, key=self.export_key(), params={"query": query}, fmt=fmt)
        links = []
        for label, value in (("导出 Excel", "xlsx"), ("导出 CSV", "csv")):
            query = params.copy()
            query[EXPORT_PARAM] = value
            links.append((label, "?" + query.urlencode()))
        extra_context = {**(extra_context or {}), "export_links": links}
        if self.survey_import_kind and request.user.has_perm(self.survey_upload_permission):
            upload = reverse(self.survey_upload_url) + "?" + urlencode({"kind": self.survey_import_kind})
            extra_context["survey_import_url"] = upload
        return super().changelist_view(request, extra_context)


def _admin_export(model_admin, user, params: dict) -> exports.Export:
    request = RequestFactory().get("/", QueryDict(params.get("query", "")))
    request.user = user
    if not model_admin.has_view_or_change_permission(request):
        raise PermissionDenied
    try:
        rows = model_admin.export_queryset(request)
    except admin.options.IncorrectLookupParameters as exc:
        raise ValidationError("筛选条件无效") from exc
    return exports.Export(title=model_admin.export_title(), columns=model_admin.export_columns(request), rows=rows)


def _resolve(key: str) -> exports.ExportSource | None:
    if not key.startswith("admin:"):
        return None
    for model, model_admin in admin.site._registry.items():
        if isinstance(model_admin, ExportAdminMixin) and model_admin.export_key() == key:
            return exports.ExportSource(
                key,
                str(model._meta.verbose_name_plural),
                lambda user, params, model_admin=model_admin: _admin_export(model_admin, user, params),
            )
    return None


def admin_sources() -> dict[str, exports.ExportSource]:
    """Every exportable changelist, for the registry's listing and the proof test."""
    found = {}
    for model_admin in admin.site._registry.values():
        if isinstance(model_admin, ExportAdminMixin):
            found[model_admin.export_key()] = _resolve(model_admin.export_key())
    return found


exports.add_resolver(_resolve)
