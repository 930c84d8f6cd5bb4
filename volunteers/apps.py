from django.apps import AppConfig


class VolunteersConfig(AppConfig):
    name = "volunteers"
    verbose_name = "志愿服务队"

    def ready(self) -> None:
        from auditlog.registry import auditlog
        from django.db.models.signals import post_save

        from organizations.roles import EDIT, VIEW, Role, grant
        from points.models import PhotoReport
        from volunteers import models as m
        from volunteers.signals import tie_new_photo_report

        R = Role
        leading = [R.MUNICIPAL, R.DISTRICT, R.STREET, R.INDUSTRY, R.STATION]
        for model in ("team", "teammember", "activity", "appointment"):
            grant(leading, f"volunteers.{model}", EDIT)
            grant([R.MEMBER_UNIT], f"volunteers.{model}", VIEW)
        grant(leading, "volunteers.participation", VIEW)
        grant(leading, "volunteers.probereport", VIEW)
        for model in (m.Team, m.TeamMember, m.Activity, m.Appointment):
            auditlog.register(model)
        # 移动探头: a 随手拍 report by a team member counts for the team. The points floor
        # knows nothing of teams, so the tie is made here, listening to its saves.
        post_save.connect(tie_new_photo_report, sender=PhotoReport, dispatch_uid="volunteers_tie_photo_report")
