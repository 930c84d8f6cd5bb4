from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "平台运行"

    def ready(self):
        # Third-party apps without a Chinese translation would show English group and model
        # names on the home page and in the admin; their names are set here, where the
        # project meets them, instead of forking the packages.
        from django.apps import apps

        for label, name, models in THIRD_PARTY_NAMES:
            if label not in apps.app_configs:
                continue
            config = apps.get_app_config(label)
            config.verbose_name = name
            for model_name, verbose in models.items():
                try:
                    meta = config.get_model(model_name)._meta
                except LookupError:
                    continue
                meta.verbose_name = meta.verbose_name_plural = verbose


THIRD_PARTY_NAMES = [
    ("auditlog", "审计日志", {"logentry": "操作日志"}),
    (
        "axes",
        "登录安全",
        {"accessattempt": "登录失败记录", "accesslog": "登录记录", "accessfailurelog": "登录失败日志"},
    ),
]
