from django.apps import AppConfig


class CadenceConfig(AppConfig):
    name = "cadence"
    label = "cadence"
    verbose_name = "日盘点·周例会·月调度"

    def ready(self) -> None:
        from cadence import audit, metrics, roles

        metrics.autodiscover()
        from cadence.services import exports  # noqa: F401 - registers the cadence's lists

        roles.grant_permissions()
        audit.register_models()
