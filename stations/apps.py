from django.apps import AppConfig


class StationsConfig(AppConfig):
    name = "stations"
    verbose_name = "宁小蜂驿站"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from organizations.roles import EDIT, MANAGE, VIEW, Role, grant
        from stations import models as m

        for model in (m.Station, m.OpeningHours, m.Inspection, m.InspectionResult, m.InspectionPhoto):
            auditlog.register(model, m2m_fields={"services"} if model is m.Station else None)
        for model in (m.Visit, m.CareActivity, m.StationFeedback, m.Service, m.InspectionItem, m.ServicePoint):
            auditlog.register(model)

        everyone = (Role.MUNICIPAL, Role.DISTRICT, Role.STREET, Role.STATION)
        officers = (Role.MUNICIPAL, Role.DISTRICT, Role.STREET)
        grant(everyone, "stations.service", VIEW)
        grant(everyone, "stations.inspectionitem", VIEW)
        grant([Role.MUNICIPAL], "stations.service", MANAGE)
        grant([Role.MUNICIPAL], "stations.inspectionitem", MANAGE)
        # Stations are placed by territory: officers of the 块 create and maintain them;
        # a station manager keeps their own station's profile, hours, visits and activities.
        grant([Role.MUNICIPAL, Role.DISTRICT], "stations.station", MANAGE)
        grant([Role.STREET], "stations.station", EDIT)
        grant([Role.STATION], "stations.station", ("view", "change"))
        grant([Role.INDUSTRY], "stations.station", VIEW)
        grant(everyone, "stations.openinghours", MANAGE)
        grant(officers, "stations.inspection", EDIT)
        grant(officers, "stations.inspectionresult", MANAGE)
        grant(officers, "stations.inspectionphoto", MANAGE)
        # The manager records the station's own 六个一 self-check from the phone page; the
        # street's inspections sit beside them in the same list, each with its inspector.
        grant([Role.STATION], "stations.inspection", ("view", "add"))
        grant([Role.STATION], "stations.inspectionresult", ("view", "add"))
        grant([Role.STATION], "stations.inspectionphoto", ("view", "add"))
        grant(everyone, "stations.visit", MANAGE)
        grant(everyone, "stations.careactivity", MANAGE)
        grant(everyone, "stations.stationfeedback", VIEW)
        # 友好地图点位 are placed by territory like stations; industry committees read them.
        grant([Role.MUNICIPAL, Role.DISTRICT, Role.STREET], "stations.servicepoint", MANAGE)
        grant([Role.INDUSTRY], "stations.servicepoint", VIEW)
