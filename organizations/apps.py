from django.apps import AppConfig


class OrganizationsConfig(AppConfig):
    name = "organizations"
    verbose_name = "组织体系"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from core import admin_export  # noqa: F401 - changelists become exportable lists
        from core.exports import set_scope_labeller
        from organizations import audit, roles
        from organizations.scope import scope_label

        set_scope_labeller(scope_label)  # the export subtitle names the scope; core cannot ask itself
        audit.register_models()
        roles.grant_defaults()
        post_migrate.connect(roles.sync_role_groups_on_migrate, dispatch_uid="sync-role-groups")
