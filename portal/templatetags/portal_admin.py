"""``{% nav_sidebar %}``: the admin's sidebar, rendered once per app list (``portal.admin_site``)."""

from django import template
from django.contrib import admin
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag(takes_context=True)
def nav_sidebar(context):
    request = context["request"]
    apps = context.get("available_apps") or []
    site = admin.site
    if not hasattr(site, "nav_sidebar_html"):  # another site: render as Django does
        return template.loader.render_to_string(
            "admin/portal_nav_sidebar.html", {"available_apps": apps, "request": request}
        )
    return mark_safe(site.nav_sidebar_html(request, apps))  # Django's own template, escaped there
