from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "assessment"
    verbose_name = "述职评议与先锋指数"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from assessment import models as m
        from organizations.roles import EDIT, VIEW, Role, grant

        R = Role
        grant([R.MUNICIPAL, R.DISTRICT], "assessment.reviewcycle", EDIT)
        grant([R.STREET, R.INDUSTRY], "assessment.reviewcycle", VIEW)
        grant([R.MUNICIPAL, R.DISTRICT, R.STREET, R.INDUSTRY], "assessment.secretaryreview", EDIT)
        grant([R.MUNICIPAL, R.DISTRICT, R.INDUSTRY], "assessment.vanguardindex", EDIT)
        grant([R.MUNICIPAL, R.DISTRICT, R.INDUSTRY], "assessment.indicator", EDIT)
        grant([R.STREET], "assessment.vanguardindex", VIEW)
        grant([R.STREET], "assessment.indicator", VIEW)
        grant([R.MUNICIPAL, R.DISTRICT, R.STREET, R.INDUSTRY], "assessment.manualscore", EDIT)
        for model in (m.ReviewCycle, m.SecretaryReview, m.VanguardIndex, m.Indicator, m.ManualScore):
            auditlog.register(model)
