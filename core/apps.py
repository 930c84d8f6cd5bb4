from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The ground floor: shared plumbing that every domain app may use and that uses none of them."""

    name = "core"
    verbose_name = "公共基础"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from core.models import Holiday

        auditlog.register(Holiday)

        from core.permission_backend import connect_signals

        connect_signals()

        from django.utils.module_loading import autodiscover_modules

        # Each app's ``exports`` module registers its staff lists on the one export path; found
        # by name, so the ground floor imports none of them.
        autodiscover_modules("exports")
        _chinese_boolean_icons()


def _chinese_boolean_icons() -> None:
    """The admin's yes/no icons carry alt="True"/"False" (hard-coded, not translatable), which a
    screen reader reads out in English; the same icons with 是/否/未知. Every caller imports the
    helper from admin_list at call time, so replacing it there covers lists and read-only forms."""
    from django.contrib.admin.templatetags import admin_list
    from django.templatetags.static import static
    from django.utils.html import format_html

    def boolean_icon(field_val):
        name, label = {True: ("yes", "是"), False: ("no", "否"), None: ("unknown", "未知")}[field_val]
        return format_html('<img src="{}" alt="{}">', static(f"admin/img/icon-{name}.svg"), label)

    admin_list._boolean_icon = boolean_icon  # noqa: SLF001 — Django offers no hook for the list's yes/no icons
