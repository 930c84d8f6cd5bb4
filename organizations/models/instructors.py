from django.core.exceptions import ValidationError
from django.db import models

from core.validation import clean_phone_field
from organizations.scope import ScopedQuerySet, ScopeSpec


class Instructor(models.Model):
    """党建工作指导员 — a cadre sent "point to point" to guide units and organizations (Nanjing sent
    7,274). A unit with an instructor assigned counts as *work-covered* (工作覆盖)."""

    name = models.CharField("姓名", max_length=32)
    phone = models.CharField("联系电话", max_length=20, blank=True)
    employer = models.CharField("工作单位及职务", max_length=100, blank=True)
    territory = models.ForeignKey(
        "organizations.Territory",
        verbose_name="负责辖区",
        on_delete=models.PROTECT,
        related_name="instructors",
    )
    is_active = models.BooleanField("在岗", default=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(territory="territory")

    class Meta:
        verbose_name = "党建工作指导员"
        verbose_name_plural = "党建工作指导员"
        ordering = ["territory", "name"]
        indexes = [models.Index(fields=["name"], name="instructor_name")]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if error := clean_phone_field(self):
            raise ValidationError({"phone": error})
