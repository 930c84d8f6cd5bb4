from django.apps import AppConfig


class DevtoolsConfig(AppConfig):
    """Benchmarks and the scale-data generator: developer commands, not part of the product."""

    name = "devtools"
    verbose_name = "开发工具"
