from django.apps import AppConfig


class CobuildConfig(AppConfig):
    name = "cobuild"
    verbose_name = "党建共建"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from cobuild import models as m
        from organizations.roles import EDIT, VIEW, Role, grant

        R = Role
        # Alliances are set up by the committees that lead them (district hubs, street
        # committees, industry committees); member units read them and answer claims.
        builders = [R.MUNICIPAL, R.DISTRICT, R.STREET, R.INDUSTRY]
        for model in ("alliance", "alliancemember", "need", "resource", "project", "agreement", "agreementparty"):
            grant(builders, f"cobuild.{model}", EDIT)
            grant([R.MEMBER_UNIT], f"cobuild.{model}", VIEW)
        grant([*builders, R.MEMBER_UNIT], "cobuild.claim", EDIT)
        grant([*builders, R.MEMBER_UNIT], "cobuild.projectupdate", VIEW)
        grant(builders, "cobuild.projectupdate", ("add",))
        for model in (m.Alliance, m.AllianceMember, m.Need, m.Resource, m.Claim, m.Project, m.Agreement):
            auditlog.register(model)
