from django.apps import AppConfig


class FriendlyConfig(AppConfig):
    name = "friendly"
    verbose_name = "友好城市（宁新码）"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from friendly import models as m
        from organizations.roles import MANAGE, VIEW, Role, grant

        for model in (m.FriendlyCommunity, m.CommunityEntrance, m.RiderPass):
            auditlog.register(model)
        # The merchant's contact mobile is masked in the admin and the API; the trail masks it too.
        auditlog.register(m.MerchantClaim, mask_fields=["contact_phone"])
        officers = (Role.MUNICIPAL, Role.DISTRICT, Role.STREET)
        # Communities and their gates are set up by the street (块); districts and the city too.
        grant(officers, "friendly.friendlycommunity", MANAGE)
        grant(officers, "friendly.communityentrance", MANAGE)
        # Claims arrive from the public form; officers review them, nobody adds one by hand.
        grant(officers, "friendly.merchantclaim", ("view", "change"))
        grant(officers, "friendly.riderpass", ("view", "change"))
        grant(officers, "friendly.passscan", VIEW)
        grant([Role.INDUSTRY], "friendly.friendlycommunity", VIEW)
