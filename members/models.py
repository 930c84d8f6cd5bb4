from django.db import models

from organizations.scope import ScopedQuerySet, ScopeSpec


class Person(models.Model):
    """人员 — anyone the portal knows: a gig worker (新就业群体), a Party member, or both.

    One person per ID number. ID numbers and phones are sensitive: masked in lists, exports and
    API responses unless the viewer needs them, and every change is audited.
    """

    class Gender(models.TextChoices):
        MALE = "M", "男"
        FEMALE = "F", "女"

    name = models.CharField("姓名", max_length=64)
    id_number = models.CharField("身份证号", max_length=18, unique=True, null=True, blank=True)
    phone = models.CharField("手机号", max_length=11, blank=True, db_index=True)
    gender = models.CharField("性别", max_length=1, choices=Gender.choices, blank=True)
    birth_date = models.DateField("出生日期", null=True, blank=True)
    territory = models.ForeignKey(
        "organizations.Territory",
        verbose_name="属地",
        on_delete=models.PROTECT,
        related_name="persons",
    )
    employer = models.ForeignKey(
        "organizations.Unit",
        verbose_name="所在单位",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="persons",
    )
    home_station = models.ForeignKey(
        "stations.Station",
        verbose_name="常驻驿站",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="persons",
    )

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(territory="territory", station_post="home_station__manager_post")

    class Meta:
        verbose_name = "人员"
        verbose_name_plural = "人员"
        indexes = [models.Index(fields=["name"], name="person_name")]

    def __str__(self) -> str:
        return self.name
