from django.conf import settings
from django.db import models

from core.validation import DateChecks
from organizations.scope import ScopedQuerySet, ScopeSpec


class DuesPayment(models.Model):
    """党费交纳记录 — the ledger: one row per member and month paid. Amounts in yuan (Decimal)."""

    membership = models.ForeignKey(
        "members.PartyMembership", verbose_name="党员", on_delete=models.PROTECT, related_name="dues_payments"
    )
    period = models.DateField("所属月份", help_text="该月1日")
    amount = models.DecimalField("金额（元）", max_digits=9, decimal_places=2)
    paid_on = models.DateField("交纳日期")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, blank=True, on_delete=models.SET_NULL
    )
    note = models.CharField("备注", max_length=200, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(territory="membership__person__territory", organization="membership__organization")

    class Meta:
        verbose_name = "党费交纳记录"
        verbose_name_plural = "党费交纳记录"
        constraints = [
            models.UniqueConstraint(fields=["membership", "period"], name="dues_one_per_month"),
            models.CheckConstraint(name="dues_amount_positive", condition=models.Q(amount__gt=0)),
        ]
        ordering = ["-period"]

    def __str__(self) -> str:
        return f"{self.period:%Y-%m} {self.amount}元"

    def clean(self) -> None:
        # Dues are owed from the month the person joined the Party, and paid on a real day.
        joined = self.membership.joined_on if self.membership_id else None
        month_joined = joined.replace(day=1) if joined else None
        check = DateChecks()
        check.fact("paid_on", self.paid_on, "交纳日期", not_before=joined, subject="入党日期")
        check.fact("period", self.period, "所属月份", not_before=month_joined, subject="入党当月")
        check.raise_if_any()
