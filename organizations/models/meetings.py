from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from core.validation import DateChecks
from organizations.scope import ScopedQuerySet, ScopeSpec


class Meeting(models.Model):
    """三会一课 and organization life: one meeting of one Party organization."""

    class Kind(models.TextChoices):
        GENERAL_ASSEMBLY = "general_assembly", "党员大会"
        COMMITTEE_MEETING = "committee_meeting", "支委会"
        GROUP_MEETING = "group_meeting", "党小组会"
        PARTY_LECTURE = "party_lecture", "党课"
        THEME_DAY = "theme_day", "主题党日"
        LIFE_MEETING = "life_meeting", "组织生活会"
        DEMOCRATIC_REVIEW = "democratic_review", "民主评议党员"

    organization = models.ForeignKey(
        "organizations.PartyOrganization",
        verbose_name="党组织",
        on_delete=models.CASCADE,
        related_name="meetings",
    )
    kind = models.CharField("类型", max_length=24, choices=Kind.choices)
    held_on = models.DateField("召开日期")
    topic = models.CharField("主题", max_length=200)
    expected_count = models.PositiveIntegerField("应到人数", default=0)
    attended_count = models.PositiveIntegerField("实到人数", default=0)
    notes = models.TextField("会议纪要", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="录入人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("录入时间", auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(territory="organization__territory", organization="organization")

    class Meta:
        verbose_name = "三会一课记录"
        verbose_name_plural = "三会一课记录"
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["organization", "kind", "held_on"], name="meeting_org_kind_date")]

    def __str__(self) -> str:
        return f"{self.held_on} {self.get_kind_display()}：{self.topic}"

    def clean(self) -> None:
        errors = {}
        org = self.organization if self.organization_id else None
        if org is not None and org.status == org.Status.DISSOLVED:
            errors["organization"] = f"“{org.name}”已撤销，不能再记录会议"
        check = DateChecks().fact(
            "held_on", self.held_on, "召开日期", not_before=org.founded_on if org else None, subject="该组织成立日期"
        )
        errors.update(check.errors)
        if self.attended_count > self.expected_count:
            errors["attended_count"] = f"实到人数（{self.attended_count}）不能多于应到人数（{self.expected_count}）"
        if errors:
            raise ValidationError(errors)

    @property
    def attendance_rate(self) -> float | None:
        return self.attended_count / self.expected_count if self.expected_count else None
