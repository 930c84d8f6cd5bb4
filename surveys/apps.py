from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "surveys"
    label = "surveys"
    verbose_name = "双线摸排导入"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from organizations.roles import EDIT, MANAGE, VIEW, Role, grant, grant_codename
        from surveys.models import HeaderAlias, ImportBatch, ValueMapping, VerificationTask

        # Departments (member units), districts and the municipal committee send lists; streets
        # verify rows on site; industry committees work through the districts' batches.
        importers = [Role.MUNICIPAL, Role.DISTRICT, Role.MEMBER_UNIT]
        grant(importers, "surveys.importbatch", EDIT)
        grant_codename([Role.MUNICIPAL, Role.DISTRICT], "surveys.apply_importbatch")
        grant([Role.MUNICIPAL, Role.DISTRICT, Role.STREET], "surveys.verificationtask", EDIT)
        grant([Role.MUNICIPAL], "surveys.headeralias", MANAGE)
        grant([Role.DISTRICT], "surveys.headeralias", VIEW)
        # The officer reviewing a batch maps the source's own words once (取值对应).
        grant([Role.MUNICIPAL, Role.DISTRICT], "surveys.valuemapping", MANAGE)
        grant([Role.MEMBER_UNIT], "surveys.valuemapping", VIEW)

        auditlog.register(HeaderAlias)
        auditlog.register(ImportBatch, exclude_fields=["progress", "counts"])
        auditlog.register(VerificationTask)
        auditlog.register(ValueMapping)
