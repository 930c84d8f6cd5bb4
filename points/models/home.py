from django.db import models

from organizations.scope import ScopedQuerySet, ScopeSpec


class HomeStation(models.Model):
    """常驻驿站 — the station a worker regularly uses: their points are booked there and its
    manager looks after them.

    The link joins a person (members) to a station (stations), two apps on the same floor that
    may not know each other, so it lives here, on the floor above both. It places the person
    under the station manager's post too: see ``PointsConfig.ready``.
    """

    person = models.OneToOneField(
        "members.Person",
        verbose_name="人员",
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="home_station_link",
    )
    # Closing a station's record drops its regulars' link, as the old nullable column did.
    station = models.ForeignKey(
        "stations.Station", verbose_name="常驻驿站", on_delete=models.CASCADE, related_name="regulars"
    )

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(
        territory="person__territory",
        organization="person__membership__organization",
        station_post="station__manager_post",
    )

    class Meta:
        verbose_name = "常驻驿站"
        verbose_name_plural = "常驻驿站"

    def __str__(self) -> str:
        return f"{self.person} → {self.station}"

    @staticmethod
    def station_of(person):
        """The person's home station, or None (no query when ``home_station_link__station`` was selected)."""
        try:
            return person.home_station_link.station
        except HomeStation.DoesNotExist:
            return None

    @staticmethod
    def station_id_of(person) -> int | None:
        try:
            return person.home_station_link.station_id
        except HomeStation.DoesNotExist:
            return None
