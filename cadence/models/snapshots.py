from django.db import models

from organizations.scope import ScopedQuerySet, ScopeSpec


class DailySnapshot(models.Model):
    """盘点快照 — the figures of one node on one day, computed by the metrics providers.

    Keyed by (kind, date, node) and written by upsert, so re-running a day replaces that day's
    row instead of adding one. ``node_key`` is ``T:<territory code>`` for a node of the territory
    tree or ``O:<organization code>`` for an industry committee (条).
    """

    class Kind(models.TextChoices):
        DAILY = "daily", "日盘点"
        MONTHLY = "monthly", "月调度"

    kind = models.CharField("类型", max_length=16, choices=Kind.choices)
    date = models.DateField("日期")
    node_key = models.CharField("节点", max_length=48)
    territory = models.ForeignKey(
        "organizations.Territory",
        verbose_name="辖区",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    organization = models.ForeignKey(
        "organizations.PartyOrganization",
        verbose_name="行业党委",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    figures = models.JSONField("数据", default=dict)
    computed_at = models.DateTimeField("计算时间", auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(territory="territory", organization="organization")

    class Meta:
        verbose_name = "盘点快照"
        verbose_name_plural = "盘点快照"
        constraints = [
            models.UniqueConstraint(fields=["kind", "date", "node_key"], name="snapshot_kind_date_node"),
        ]
        indexes = [models.Index(fields=["territory", "kind", "date"], name="snapshot_territory_kind_date")]

    def __str__(self) -> str:
        node = self.territory or self.organization
        return f"{self.get_kind_display()} {self.date} {node}"
