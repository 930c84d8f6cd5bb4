"""The admin site: Django's, with the app list (the sidebar of every admin page) built once per
permission set instead of once per request.

Building it asks every registered ModelAdmin for its module, view, add, change and delete
permissions (about 300 ``has_perm`` calls and 150 URL reversals for a municipal officer) on every
admin page, a third of a small changelist's time. Every ``has_*_permission`` in the project with
no object answers from the user's permissions alone (pinned by tests/portal/test_fixed_cost.py),
so the list is a function of those: it is kept in process memory under the user's flags and
permission set (the user's and groups' permissions, which Django reads once per request anyway),
the script prefix and the language. A changed permission is a different key, so nothing goes stale.
"""

from __future__ import annotations

from urllib.parse import quote

from django.contrib.admin import AdminSite
from django.contrib.admin.apps import AdminConfig
from django.template.loader import render_to_string
from django.urls import get_script_prefix
from django.utils.translation import get_language

# Distinct permission sets are few (one per role, plus superusers); the bound is a backstop.
APP_DICT_CACHE_SIZE = 256


class PortalAdminSite(AdminSite):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._app_dicts: dict[tuple, dict] = {}
        self._sidebars: dict[tuple, str] = {}

    @staticmethod
    def _memo(store: dict, key: tuple, build):
        value = store.get(key)
        if value is None:
            value = build()
            if len(store) >= APP_DICT_CACHE_SIZE:
                store.clear()
            store[key] = value
        return value

    def app_list_key(self, request, label=None) -> tuple:
        """What the app list depends on: the user's flags and permissions, prefix and language."""
        user = request.user
        return (
            label,
            user.is_active,
            user.is_staff,
            user.is_superuser,
            frozenset(user.get_all_permissions()) if user.is_active and not user.is_superuser else None,
            get_script_prefix(),
            get_language(),
        )

    def nav_sidebar_html(self, request, available_apps) -> str:
        """The sidebar (``admin/portal_nav_sidebar.html``, Django's own) rendered once per app list
        and highlighted entry: it renders ~90 rows, the other third of a small changelist's time."""
        path = quote(request.path)
        current = tuple(
            url
            for app in available_apps
            for url in (app["app_url"], *(model["admin_url"] for model in app["models"]))
            if url and url in path
        )
        context = {"available_apps": available_apps, "request": request}
        return self._memo(
            self._sidebars,
            (self.app_list_key(request), current),
            lambda: render_to_string("admin/portal_nav_sidebar.html", context),
        )

    def _build_app_dict(self, request, label=None):
        build = super()._build_app_dict
        app_dict = self._memo(self._app_dicts, self.app_list_key(request, label), lambda: build(request, label))
        # Callers sort and may add to what they get: each request gets its own lists and dicts.
        return {
            app_label: {
                **app,
                "models": [{**model, "perms": dict(model["perms"])} for model in app["models"]],
            }
            for app_label, app in app_dict.items()
        }


class PortalAdminConfig(AdminConfig):
    """``django.contrib.admin`` with this site (INSTALLED_APPS names it instead of the admin)."""

    default_site = "portal.admin_site.PortalAdminSite"
