from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The ground floor: shared plumbing that every domain app may use and that uses none of them."""

    name = "core"
    verbose_name = "公共基础"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from core.models import Holiday

        auditlog.register(Holiday)

        from django.utils.module_loading import autodiscover_modules

        # Each app's ``exports`` module registers its staff lists on the one export path; found
        # by name, so the ground floor imports none of them.
        autodiscover_modules("exports")
