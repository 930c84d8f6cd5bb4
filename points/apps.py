from django.apps import AppConfig


class PointsConfig(AppConfig):
    name = "points"
    verbose_name = "积分管理"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from members.models import PartyMembership, Person
        from organizations.roles import EDIT, MANAGE, VIEW, Role, grant, grant_codename
        from organizations.scope import place_under
        from points import models as m

        # The station manager looks after the regulars of the station (see HomeStation).
        place_under(Person, station_post="home_station_link__station__manager_post")
        # A scope path through a link that no longer exists fails only when a station manager's
        # scope is asked for (tests/architecture/test_just_outside.py found this one).
        place_under(PartyMembership, station_post="person__home_station_link__station__manager_post")

        R = Role
        grant([R.MUNICIPAL], "points.pointcategory", MANAGE)
        grant([R.MUNICIPAL], "points.pointrule", MANAGE)
        grant([R.DISTRICT], "points.pointcategory", EDIT)  # district-local items (鼓楼区 4 类 18 项)
        grant([R.DISTRICT], "points.pointrule", EDIT)
        grant([R.STREET, R.STATION, R.INDUSTRY, R.MEMBER_UNIT], "points.pointcategory", VIEW)
        grant([R.STREET, R.STATION, R.INDUSTRY, R.MEMBER_UNIT], "points.pointrule", VIEW)
        awarding = [R.MUNICIPAL, R.DISTRICT, R.STREET, R.STATION]
        grant(awarding, "points.pointaccount", VIEW)
        # Entries are never changed or deleted by anyone: "add" is the right to award.
        grant(awarding, "points.pointentry", ("view", "add"))
        grant_codename([R.MUNICIPAL, R.DISTRICT], "points.reverse_pointentry")
        publishing = [*awarding, R.MEMBER_UNIT]
        grant(publishing, "points.volunteertask", EDIT)
        grant(publishing, "points.taskclaim", EDIT)
        grant(awarding, "points.photoreport", ("view", "change"))
        grant([R.MUNICIPAL], "points.reward", MANAGE)
        grant([R.MUNICIPAL], "points.rewardnight", MANAGE)
        grant([R.DISTRICT, R.STREET, R.STATION], "points.reward", EDIT)
        grant([R.DISTRICT, R.STREET, R.STATION], "points.rewardnight", EDIT)
        grant(awarding, "points.redemption", ("view", "change"))
        # Whoever edits a person sets or clears their home station (it was a field of the person).
        grant([R.MUNICIPAL], "points.homestation", MANAGE)
        grant([R.DISTRICT, R.INDUSTRY, R.STREET], "points.homestation", MANAGE)
        grant([R.STATION], "points.homestation", VIEW)

        # The ledger (PointEntry, PointLot) is itself an append-only audit trail; logging each
        # entry twice would only double the hot path's writes.
        for model in (m.PointCategory, m.PointRule, m.Reward, m.RewardNight, m.VolunteerTask, m.TaskClaim):
            auditlog.register(model)
        auditlog.register(m.PhotoReport, mask_fields=["phone"])
        auditlog.register(m.Redemption)
        auditlog.register(m.PointAccount, include_fields=["person"])
        auditlog.register(m.HomeStation)

        self._register_phone_actions()

    def _register_phone_actions(self) -> None:
        try:
            from stations.phone_actions import register_manager_action, register_phone_action
        except ImportError:  # the stations phone page is not installed
            return
        register_manager_action(
            key="people",
            label="常驻人员与积分",
            url=_station_people_url,
            order=40,
            hint="本站骑手、余额，按任务记分",
        )
        register_phone_action(
            key="points", label="我的积分", url="points:phone-home", order=30, hint="余额、兑换、志愿任务"
        )
        register_phone_action(
            key="photo_report", label="随手拍", url="points:phone-report", order=20, hint="隐患、不文明现象"
        )


def _station_people_url(station, request):
    if request is None or not request.user.has_perm("points.view_homestation"):
        return None
    from django.urls import reverse

    return reverse("points:station-people", kwargs={"code": station.code})
