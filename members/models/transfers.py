from django.conf import settings
from django.db import models
from django.db.models import Q

from organizations.scope import ScopedQuerySet, ScopeSpec, scope_for, scope_q


class _Outgoing:
    scope = ScopeSpec(territory="from_organization__territory", organization="from_organization")
    __name__ = "Transfer(outgoing)"


class _Receiving:
    scope = ScopeSpec(territory="to_organization__territory", organization="to_organization")
    __name__ = "Transfer(receiving)"


class TransferQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        """A transfer belongs to two organizations: each side sees it (and only they do)."""
        scope = scope_for(user)
        outgoing, receiving = scope_q(_Outgoing, scope), scope_q(_Receiving, scope)
        if outgoing is None or receiving is None:
            return self
        return self.filter(outgoing | receiving)


class Transfer(models.Model):
    """组织关系转接 — moving a member's organization relation, online at both ends.

    request → the outgoing organization approves (转出审批) → the receiving organization
    accepts (接收) or either side rejects with a reason. A letter is valid three months; the
    member's organization changes only on acceptance. Every step is a ``TransferEvent``.
    """

    class Status(models.TextChoices):
        REQUESTED = "requested", "待转出审批"
        APPROVED = "approved", "待接收"
        ACCEPTED = "accepted", "已接收"
        REJECTED = "rejected", "已退回"
        CANCELLED = "cancelled", "已撤销"
        EXPIRED = "expired", "已过期"

    OPEN_STATUSES = (Status.REQUESTED, Status.APPROVED)

    membership = models.ForeignKey(
        "members.PartyMembership", verbose_name="党员", on_delete=models.PROTECT, related_name="transfers"
    )
    from_organization = models.ForeignKey(
        "organizations.PartyOrganization",
        verbose_name="转出党组织",
        on_delete=models.PROTECT,
        related_name="transfers_out",
    )
    to_organization = models.ForeignKey(
        "organizations.PartyOrganization",
        verbose_name="转入党组织",
        on_delete=models.PROTECT,
        related_name="transfers_in",
    )
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.REQUESTED)
    reason = models.CharField("转接原因", max_length=200)
    reject_reason = models.CharField("退回原因", max_length=200, blank=True)
    requested_at = models.DateTimeField("申请时间")
    valid_until = models.DateField("介绍信有效期至")
    decided_at = models.DateTimeField("办结时间", null=True, blank=True)

    # Changed only by the service that records the event (tests/architecture/test_protected_fields.py).
    EVENT_FIELDS = ("status", "membership", "from_organization", "to_organization")
    objects = TransferQuerySet.as_manager()
    # The outgoing side; ``visible_to`` adds the receiving side (ScopedAdmin/API use visible_to).
    scope = _Outgoing.scope

    class Meta:
        verbose_name = "组织关系转接"
        verbose_name_plural = "组织关系转接"
        indexes = [models.Index(fields=["status", "valid_until"], name="transfer_status_valid")]
        constraints = [
            models.UniqueConstraint(
                fields=["membership"],
                condition=Q(status__in=["requested", "approved"]),
                name="transfer_one_open_per_member",
                violation_error_message="该党员已有一件正在办理的组织关系转接",
            ),
            models.CheckConstraint(
                name="transfer_different_orgs",
                condition=~Q(from_organization=models.F("to_organization")),
                violation_error_message="转出与转入党组织不能相同",
            ),
        ]
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"{self.membership.person.name}：{self.from_organization} → {self.to_organization}"


class TransferEvent(models.Model):
    """One step of a transfer's timeline."""

    class Action(models.TextChoices):
        REQUEST = "request", "提出申请"
        APPROVE = "approve", "转出审批通过"
        ACCEPT = "accept", "接收"
        REJECT = "reject", "退回"
        CANCEL = "cancel", "撤销"
        EXPIRE = "expire", "过期"

    transfer = models.ForeignKey(Transfer, verbose_name="转接", on_delete=models.CASCADE, related_name="events")
    action = models.CharField("环节", max_length=16, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="经办人", null=True, blank=True, on_delete=models.SET_NULL
    )
    at = models.DateTimeField("时间")
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "转接记录"
        verbose_name_plural = "转接记录"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.at:%Y-%m-%d %H:%M}"
