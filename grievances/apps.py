from django.apps import AppConfig


class GrievancesConfig(AppConfig):
    name = "grievances"
    verbose_name = "诉求办理"
