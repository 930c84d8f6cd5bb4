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
        _connect_scope_versions()


def _connect_scope_versions() -> None:
    """Stored scopes (``organizations.scope``) stop matching when what they were read from changes:
    a user's posts (that user), or a node's path or placement (everyone: rare, and cheap to redo)."""
    from django.db.models.signals import post_delete, post_init, post_save

    from organizations.models import Body, PartyOrganization, StaffPost, Territory
    from organizations.scope import scope_changed

    def remember_user(sender, instance, **kwargs):
        instance._scope_user_id = instance.user_id  # noqa: SLF001 — the holder as loaded

    def post_changed(sender, instance, **kwargs):
        for user_id in {instance.user_id, getattr(instance, "_scope_user_id", None)} - {None}:
            scope_changed(user_id=user_id)
        instance._scope_user_id = instance.user_id  # noqa: SLF001

    def node_changed(sender, instance, created=False, **kwargs):
        if not created:  # a new node lies under existing paths: no stored scope changes
            scope_changed()

    post_init.connect(remember_user, sender=StaffPost, weak=False, dispatch_uid="scope-post-init")
    post_save.connect(post_changed, sender=StaffPost, weak=False, dispatch_uid="scope-post-save")
    post_delete.connect(post_changed, sender=StaffPost, weak=False, dispatch_uid="scope-post-delete")
    for model in (Territory, PartyOrganization, Body):
        post_save.connect(node_changed, sender=model, weak=False, dispatch_uid=f"scope-{model.__name__}-save")
        post_delete.connect(node_changed, sender=model, weak=False, dispatch_uid=f"scope-{model.__name__}-delete")
