from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = "人员与党员"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from members import models
        from organizations.roles import EDIT, MANAGE, VIEW, Role, grant, grant_codename

        # The trail proves that an ID number or phone changed without repeating it.
        auditlog.register(
            models.Person, mask_fields=["id_number", "phone", "birth_date"], exclude_fields=["name_initials"]
        )
        auditlog.register(models.PartyMembership)
        auditlog.register(models.DevelopmentRecord)
        auditlog.register(models.DevelopmentQuota)
        auditlog.register(models.Transfer)
        auditlog.register(models.DuesPayment)

        officers = (Role.MUNICIPAL, Role.DISTRICT, Role.INDUSTRY, Role.STREET)
        grant([Role.MUNICIPAL], "members.person", MANAGE)
        grant([Role.DISTRICT, Role.INDUSTRY, Role.STREET], "members.person", EDIT)
        grant([Role.STATION], "members.person", VIEW)
        for model in ("partymembership", "developmentrecord", "transfer", "duespayment"):
            grant(officers, f"members.{model}", EDIT)
        grant(officers, "members.transferevent", VIEW)
        # Whoever records a meeting records its roll (organizations.meeting is EDIT for the same).
        grant(officers, "members.meetingattendance", EDIT)
        grant([Role.MUNICIPAL], "members.developmentquota", MANAGE)
        grant([Role.DISTRICT], "members.developmentquota", EDIT)
        grant([Role.INDUSTRY, Role.STREET], "members.developmentquota", VIEW)
        # Full ID numbers and phones on a detail page: the district and municipal committees
        # handle transfers and verification with other systems; streets and stations do not.
        grant_codename([Role.MUNICIPAL, Role.DISTRICT], "members.view_full_identity")
