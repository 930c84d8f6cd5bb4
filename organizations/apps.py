from django.apps import AppConfig


class OrganizationsConfig(AppConfig):
    name = "organizations"
    verbose_name = "组织体系"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from organizations import audit, roles

        audit.register_models()
        roles.grant_defaults()
        post_migrate.connect(roles.sync_role_groups_on_migrate, dispatch_uid="sync-role-groups")
