from django.db import models
from treebeard.mp_tree import MP_Node, MP_NodeManager, MP_NodeQuerySet

from core.text import clean_code
from organizations.scope import SELF, ScopedQuerySet, ScopeSpec


class TerritoryQuerySet(ScopedQuerySet, MP_NodeQuerySet):
    pass


class TerritoryManager(MP_NodeManager):
    def get_queryset(self):
        return TerritoryQuerySet(self.model, using=self._db).order_by("path")

    def visible_to(self, user):
        return self.get_queryset().visible_to(user)


class Territory(MP_Node):
    """辖区 — the territorial tree (块): city → district → street/town → community → grid.

    A subtree is one indexed ``path LIKE 'prefix%'`` query (materialized path).
    """

    class Level(models.TextChoices):
        CITY = "city", "市"
        DISTRICT = "district", "区（功能区）"
        STREET = "street", "街道/镇"
        COMMUNITY = "community", "社区/村"
        GRID = "grid", "网格"

    # LIKE 'prefix%' only uses a btree index with the pattern operator class on PostgreSQL.
    path = models.CharField(max_length=255, unique=True)
    code = models.CharField(
        "区划代码",
        max_length=16,
        unique=True,
        help_text="市、区用 GB/T 2260 六位代码；街道、社区用 12 位统计用区划代码；网格用所在社区代码加 G 和两位序号",
    )
    name = models.CharField("名称", max_length=64)
    level = models.CharField("层级", max_length=16, choices=Level.choices)
    # Which edition of the 统计用区划代码 last listed the node (e.g. "2023"); blank for a local
    # addition (grids, or a node typed in by hand), which ``load_territory`` never renames or retires.
    edition = models.CharField("区划代码版本", max_length=16, blank=True, default="", editable=False)
    # A node a later edition no longer lists is retired, never deleted: records keep pointing at it.
    retired_on = models.DateField("撤销日期", null=True, blank=True, editable=False)

    node_order_by = ["code"]
    objects = TerritoryManager()
    scope = ScopeSpec(territory=SELF, reference_data=True)

    class Meta:
        verbose_name = "辖区"
        verbose_name_plural = "辖区"
        indexes = [
            models.Index(fields=["path"], name="territory_path_like", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["level", "name"], name="territory_level_name"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（已撤销）" if self.retired_on else self.name

    def clean(self) -> None:
        from organizations.validators import validate_territory_placement

        self.code = clean_code(self.code)
        # A node being added or moved learns its parent from the form or service that places it.
        if hasattr(self, "intended_parent"):
            parent = self.intended_parent
        elif self._state.adding:
            return
        else:
            parent = Territory.objects.get_parent(self)
        validate_territory_placement(code=self.code, level=self.level, parent=parent)

    @property
    def full_name(self) -> str:
        """名称带上级，例如 “秦淮区 / 夫子庙街道”（不含市）。"""
        ancestors = [a.name for a in type(self).objects.get_ancestors(self) if a.level != self.Level.CITY]
        return " / ".join([*ancestors, self.name])
