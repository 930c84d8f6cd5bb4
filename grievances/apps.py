from django.apps import AppConfig


class GrievancesConfig(AppConfig):
    name = "grievances"
    verbose_name = "诉求办理"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from core.cases import register_case_intake, register_case_tickets
        from grievances import models as m
        from grievances import services
        from organizations.roles import EDIT, MANAGE, VIEW, Role, grant, grant_codename
        from stations.phone_actions import register_phone_action

        handlers = [Role.MUNICIPAL, Role.DISTRICT, Role.STREET, Role.MEMBER_UNIT]
        grant([*handlers, Role.STATION], "grievances.grievance", VIEW)
        grant(handlers, "grievances.grievance", ("change",))
        grant([Role.MUNICIPAL, Role.DISTRICT, Role.STREET], "grievances.grievance", ("add",))
        for role in handlers:
            grant_codename([role], "grievances.handle_grievance")
        grant_codename([Role.MUNICIPAL, Role.DISTRICT], "grievances.approve_extension")
        grant([Role.MUNICIPAL], "grievances.category", MANAGE)
        grant([Role.MUNICIPAL], "grievances.slapolicy", MANAGE)
        # The working-day calendar (core.Holiday) is kept by the municipal office each December.
        grant([Role.MUNICIPAL], "core.holiday", MANAGE)
        grant([Role.MUNICIPAL], "grievances.blockedsubmitter", MANAGE)
        grant([Role.MUNICIPAL, Role.DISTRICT], "grievances.routingrule", MANAGE)
        grant([Role.MUNICIPAL, Role.DISTRICT], "grievances.campaign", MANAGE)
        grant([Role.STREET], "grievances.campaign", VIEW)
        grant([Role.MUNICIPAL, Role.DISTRICT, Role.STREET], "grievances.governanceproject", EDIT)
        grant([Role.MEMBER_UNIT], "grievances.governanceproject", VIEW)
        grant(handlers, "grievances.grievanceevent", VIEW)
        # 劳动争议调解: the committees are reference data the city keeps; the handlers of a labour
        # case open its mediation and record sessions and the outcome.
        grant([Role.MUNICIPAL], "grievances.mediationcommittee", MANAGE)
        grant([Role.DISTRICT, Role.STREET, Role.MEMBER_UNIT], "grievances.mediationcommittee", VIEW)
        grant(handlers, "grievances.mediation", EDIT)
        grant(handlers, "grievances.mediationsession", ("view", "add"))

        # "mediation" is the reverse side of Mediation's one-to-one: never a change of the case's
        # own row, and reading it cost every logged save of a case one SELECT.
        auditlog.register(m.Grievance, mask_fields=["contact_phone"], exclude_fields=["updated_at", "mediation"])
        auditlog.register(m.RoutingRule)
        auditlog.register(m.SlaPolicy)
        auditlog.register(m.Category)
        auditlog.register(m.BlockedSubmitter)
        auditlog.register(m.ExtensionRequest)
        auditlog.register(m.GovernanceProject)
        auditlog.register(m.Campaign)
        auditlog.register(m.MediationCommittee)
        auditlog.register(m.Mediation)
        auditlog.register(m.MediationSession)

        # points (same floor) opens cases from verified 随手拍 reports through core.cases.
        register_case_intake(lambda **kwargs: services.grievance_create(**kwargs).pk)
        register_case_tickets(lambda pks: dict(m.Grievance.objects.filter(pk__in=pks).values_list("pk", "ticket")))

        register_phone_action(
            key="grievance",
            label="提交诉求",
            url="grievances:station-new",
            order=10,
            hint="需求、困难、投诉、建议",
        )
