from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "training"
    verbose_name = "党务培训"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from organizations.roles import EDIT, MANAGE, VIEW, Role, grant
        from training import models as m

        R = Role
        grant([R.MUNICIPAL], "training.budget", MANAGE)
        grant([R.DISTRICT, R.STREET, R.INDUSTRY], "training.budget", VIEW)
        organisers = [R.MUNICIPAL, R.DISTRICT, R.STREET, R.INDUSTRY]
        grant(organisers, "training.course", EDIT)
        grant(organisers, "training.session", EDIT)
        grant(organisers, "training.enrolment", EDIT)
        grant([R.MEMBER_UNIT], "training.course", VIEW)
        grant([R.MEMBER_UNIT], "training.session", VIEW)
        for model in (m.Budget, m.Course, m.Session, m.Enrolment):
            auditlog.register(model)
