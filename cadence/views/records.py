"""The page a drill-down row opens: the record's staff page where it has one, else its admin
change page — only if the viewer may open it (the row itself came through the scope rule)."""

from __future__ import annotations

from django.contrib import admin
from django.urls import NoReverseMatch, reverse

# model label → (permission, url of one record). Staff pages come first: they are what a
# cadre works in; the admin is the fallback for records without one.
STAFF_PAGES = {
    "grievances.grievance": ("grievances.view_grievance", lambda g: reverse("grievances:detail", args=[g.ticket])),
    "grievances.mediation": (
        "grievances.view_grievance",
        lambda m: reverse("grievances:detail", args=[m.grievance.ticket]),
    ),
    "organizations.unit": ("organizations.view_unit", lambda u: reverse("organizations:unit-profile", args=[u.pk])),
    "cadence.weeklyreport": ("cadence.view_weeklyreport", lambda r: reverse("cadence:weekly-detail", args=[r.pk])),
    "cadence.keytask": ("cadence.view_keytask", lambda t: reverse("cadence:key-task-detail", args=[t.pk])),
    "points.pointaccount": ("points.view_pointaccount", lambda a: reverse("points:account", args=[a.pk])),
}


def record_url(user, obj) -> str | None:
    meta = obj._meta
    page = STAFF_PAGES.get(meta.label_lower)
    if page is not None and user.has_perm(page[0]):
        return page[1](obj)
    model = type(obj)._meta.concrete_model
    if not (user.is_staff and admin.site.is_registered(model)):
        return None
    if not (
        user.has_perm(f"{meta.app_label}.view_{meta.model_name}")
        or user.has_perm(f"{meta.app_label}.change_{meta.model_name}")
    ):
        return None
    try:
        return reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])
    except NoReverseMatch:
        return None
