"""劳动争议调解 — a mediation record on a 劳动权益 case: the committee, the mediator, the sessions
held, and how it ended (an agreement, a referral to arbitration or court, or no agreement).

Before this, a labour case ended at "resolved" and nothing said whether a mediator sat the
worker and the employer down. The record hangs off the grievance (one per case) and is seen
by whoever may see the case.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from organizations.scope import ScopedQuerySet, ScopeSpec


class MediationCommittee(models.Model):
    """劳动争议调解委员会, or the one-stop mediation centre behind the 暖新热线."""

    class Kind(models.TextChoices):
        STREET = "street", "街道（乡镇）劳动争议调解委员会"
        INDUSTRY = "industry", "行业性劳动争议调解委员会"
        CENTRE = "centre", "一站式矛盾纠纷调解中心"
        ENTERPRISE = "enterprise", "企业（平台）劳动争议调解委员会"

    name = models.CharField("名称", max_length=100)
    kind = models.CharField("类型", max_length=16, choices=Kind.choices)
    territory = models.ForeignKey(
        "organizations.Territory", verbose_name="所在区划", on_delete=models.PROTECT, related_name="+"
    )
    phone = models.CharField("联系电话", max_length=32, blank=True)
    is_active = models.BooleanField("启用", default=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(territory="territory", reference_data=True)

    class Meta:
        verbose_name = "劳动争议调解委员会"
        verbose_name_plural = "劳动争议调解委员会"
        ordering = ["territory__path", "name"]

    def __str__(self) -> str:
        return self.name


class Mediation(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "调解中"
        AGREED = "agreed", "达成调解协议"
        REFERRED = "referred", "转仲裁/诉讼/监察"
        FAILED = "failed", "调解不成"
        WITHDRAWN = "withdrawn", "申请人撤回"

    class Referral(models.TextChoices):
        ARBITRATION = "arbitration", "劳动人事争议仲裁委员会"
        COURT = "court", "人民法院"
        INSPECTION = "inspection", "劳动保障监察"
        LEGAL_AID = "legal_aid", "法律援助中心"

    grievance = models.OneToOneField(
        "grievances.Grievance", verbose_name="诉求", on_delete=models.CASCADE, related_name="mediation"
    )
    committee = models.ForeignKey(
        MediationCommittee, verbose_name="调解组织", on_delete=models.PROTECT, related_name="mediations"
    )
    mediator = models.CharField("调解员", max_length=64)
    status = models.CharField(
        "状态", max_length=16, choices=Status.choices, default=Status.OPEN, editable=False, db_index=True
    )
    opened_at = models.DateTimeField("受理调解时间", editable=False)
    closed_at = models.DateTimeField("结案时间", null=True, blank=True, editable=False)
    agreement = models.TextField("调解协议内容", blank=True, editable=False)
    # Money in fen: wages, compensation; never a float.
    amount_fen = models.BigIntegerField("协议金额（分）", null=True, blank=True, editable=False)
    referral_to = models.CharField("移交机构", max_length=16, choices=Referral.choices, blank=True, editable=False)
    outcome_note = models.TextField("结案说明", blank=True, editable=False)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="受理人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(
        territory="grievance__territory", body="grievance__body", station_post="grievance__station__manager_post"
    )

    class Meta:
        verbose_name = "劳动争议调解"
        verbose_name_plural = "劳动争议调解"
        ordering = ["-opened_at", "-id"]
        indexes = [models.Index(fields=["opened_at"], name="mediation_opened")]

    def __str__(self) -> str:
        return f"{self.grievance} 调解"

    @property
    def amount_yuan(self) -> str:
        return "" if self.amount_fen is None else f"{self.amount_fen / 100:.2f}"


class MediationSession(models.Model):
    """One sitting of the mediation (调解会): who came, what was said, what was agreed next."""

    mediation = models.ForeignKey(Mediation, verbose_name="调解", on_delete=models.CASCADE, related_name="sessions")
    held_on = models.DateField("日期")
    place = models.CharField("地点", max_length=100, blank=True)
    attendees = models.CharField("参加人员", max_length=200, blank=True, help_text="如：申请人、平台代表、站点负责人")
    notes = models.TextField("调解情况")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="记录人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(
        territory="mediation__grievance__territory",
        body="mediation__grievance__body",
        station_post="mediation__grievance__station__manager_post",
    )

    class Meta:
        verbose_name = "调解会"
        verbose_name_plural = "调解会"
        ordering = ["held_on", "id"]

    def __str__(self) -> str:
        return f"{self.held_on} 调解会"

    def clean(self):
        super().clean()
        from django.core.exceptions import ValidationError
        from django.utils import timezone

        if self.held_on is None:
            return
        if self.held_on > timezone.localdate():
            raise ValidationError({"held_on": f"调解会日期 {self.held_on:%Y-%m-%d} 晚于今天"})
        mediation = self.mediation if self.mediation_id else None
        if mediation is not None and self.held_on < timezone.localtime(mediation.opened_at).date():
            raise ValidationError({"held_on": f"调解会日期 {self.held_on:%Y-%m-%d} 早于受理调解日期"})
