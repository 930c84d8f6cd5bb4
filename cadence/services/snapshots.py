"""日盘点 — the daily inventory: every provider for every node, upserted by (kind, date, node)."""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Subquery

from cadence.metrics import Lens, compute_all, compute_children, providers
from cadence.models import DailySnapshot
from cadence.nodes import Node, all_nodes
from organizations.rules import rules_held
from organizations.scope import UserScope

EXCEPTIONS_KEY = "_exceptions"


def snapshot_levels() -> tuple[str, ...] | None:
    levels = settings.CADENCE_SNAPSHOT_LEVELS
    return tuple(levels) if levels else None


def exceptions_between(previous: dict | None, current: dict) -> list[dict]:
    """Figures marked ``watch="up"`` that rose since the previous day: new overdue items,
    stations closed, units left uncovered. The first day of a node has nothing to compare."""
    if not previous:
        return []
    found = []
    for prov in providers():
        for fig in prov.figures:
            if fig.watch != "up":
                continue
            before = (previous.get(prov.name) or {}).get(fig.key)
            now = (current.get(prov.name) or {}).get(fig.key)
            if isinstance(before, int | float) and isinstance(now, int | float) and now > before:
                found.append(
                    {
                        "provider": prov.name,
                        "figure": fig.key,
                        "label": f"{prov.label}·{fig.label}",
                        "previous": before,
                        "current": now,
                    }
                )
    return found


def node_figures(*, node: Node, day: date) -> dict:
    return compute_all(node.lens, day)


@transaction.atomic
def snapshot_upsert(*, kind: str, day: date, node: Node, figures: dict) -> DailySnapshot:
    snapshot, _ = DailySnapshot.objects.update_or_create(
        kind=kind,
        date=day,
        node_key=node.key,
        defaults={"territory": node.territory, "organization": node.organization, "figures": figures},
    )
    return snapshot


def snapshots_upsert(*, kind: str, day: date, items: list[tuple[Node, dict]]) -> list[DailySnapshot]:
    """Many nodes' snapshots of one (kind, day) in one statement: an INSERT … ON CONFLICT on the
    (kind, date, node) key updates a row already there, as ``snapshot_upsert`` does one by one."""
    if not items:
        return []
    rows = [
        DailySnapshot(
            kind=kind,
            date=day,
            node_key=node.key,
            territory=node.territory,
            organization=node.organization,
            figures=figures,
        )
        for node, figures in items
    ]
    return DailySnapshot.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["kind", "date", "node_key"],
        update_fields=["territory", "organization", "figures", "computed_at"],
    )


def daily_snapshot_compute(*, node: Node, day: date) -> DailySnapshot:
    return daily_snapshot_store(node=node, day=day, figures=node_figures(node=node, day=day))


@rules_held()
def daily_snapshots_compute(*, nodes: list[Node], day: date) -> dict[str, dict]:
    """The daily snapshots of many nodes at once (``{node key: figures}``, stored): territory
    nodes of one depth share one grouped pass per provider over the whole city (a territory
    node's own lens is the city's narrowed to it), so all streets of the city cost what one
    street costs; the city and industry committees are computed on their own."""
    by_depth: dict[int, list[Node]] = {}
    items: list[tuple[Node, dict]] = []
    for node in nodes:
        if node.territory is not None and node.territory.depth > 1:
            by_depth.setdefault(node.territory.depth, []).append(node)
        else:
            items.append((node, node_figures(node=node, day=day)))
    everything = Lens(UserScope(everything=True))
    for group in by_depth.values():
        grouped = compute_children(everything, [n.territory for n in group], day)
        items.extend((n, grouped[n.territory.pk]) for n in group)
    return daily_snapshots_store(day=day, items=items)


def daily_snapshots_store(*, day: date, items: list[tuple[Node, dict]]) -> dict[str, dict]:
    """Store daily figures of many nodes: each node's latest earlier snapshot in one query (for
    the day's exceptions), every row in one upsert. Returns ``{node key: figures}``."""
    if not items:
        return {}
    keys = [node.key for node, _ in items]
    earlier = DailySnapshot.objects.filter(kind=DailySnapshot.Kind.DAILY, node_key__in=keys, date__lt=day)
    # Each node's latest earlier day, grouped once (not a subquery per snapshot of the nodes'
    # whole history, which scanned months of rows and was costed high enough to be JIT-compiled);
    # the rows on those days, the latest per node kept below: a node's own latest day is among them.
    latest_days = earlier.values("node_key").annotate(latest=Max("date")).values("latest")
    previous: dict[str, dict] = {}
    seen: dict[str, date] = {}
    for key, on, figures in earlier.filter(date__in=Subquery(latest_days)).values_list("node_key", "date", "figures"):
        if key not in seen or on > seen[key]:
            seen[key], previous[key] = on, figures
    for node, figures in items:
        figures[EXCEPTIONS_KEY] = exceptions_between(previous.get(node.key), figures)
    snapshots_upsert(kind=DailySnapshot.Kind.DAILY, day=day, items=items)
    return {node.key: figures for node, figures in items}


def daily_snapshot_store(*, node: Node, day: date, figures: dict) -> DailySnapshot:
    previous = (
        DailySnapshot.objects.filter(kind=DailySnapshot.Kind.DAILY, node_key=node.key, date__lt=day)
        .order_by("-date")
        .values_list("figures", flat=True)
        .first()
    )
    figures[EXCEPTIONS_KEY] = exceptions_between(previous, figures)
    return snapshot_upsert(kind=DailySnapshot.Kind.DAILY, day=day, node=node, figures=figures)


def daily_inventory_nodes(node_key: str | None = None) -> list[str]:
    """The node keys of one run: the given node and everything under it, or every node."""
    if node_key:
        node = Node.parse(node_key)
        if node is None:
            raise ValueError(f"找不到节点 {node_key}（应为辖区代码或行业党委编码，如 320104、HY-KD）")
        if node.territory is None:
            return [node.key]
        levels = snapshot_levels()
        subtree = type(node.territory).objects.get_tree(node.territory)
        return [Node.of(t).key for t in subtree if levels is None or t.level in levels]
    return [n.key for n in all_nodes(snapshot_levels())]


def daily_inventory_run(*, day: date, node_keys: list[str]) -> int:
    """One batch of the nightly inventory: the nodes read in two queries, their figures on the
    grouped path (``daily_snapshots_compute``: one grouped pass per provider and level, the
    previous day's snapshots in one query, one upsert), so a batch of streets costs what one
    street costs. Unknown keys are skipped. Returns the number of nodes stored."""
    nodes = Node.parse_many(node_keys)
    daily_snapshots_compute(nodes=nodes, day=day)
    return len(nodes)


def date_range(start: date, end: date):
    if end < start:
        raise ValueError("结束日期早于开始日期")
    day = start
    while day <= end:
        yield day
        day += timedelta(days=1)


def inventory_figures(node: Node | None, children: list[Node], day) -> tuple[dict, dict, object] | None:
    """Today's figures of a territory node, and of those of its children that have them, from
    the daily inventory (日盘点); None when the node itself has no snapshot of ``day`` yet.

    A territory node's lens narrowed to a child is exactly that child's own lens, so the
    snapshots hold the very figures the live selectors would give as of the inventory run:
    the dashboard reads one row per node instead of recomputing every provider (seconds at
    city scale). Children without a snapshot (levels left out by ``CADENCE_SNAPSHOT_LEVELS``)
    are left to the caller to compute. Industry committees (条) and users without a node see
    live figures."""
    if node is None or node.territory is None:
        return None
    keys = [node.key, *(c.key for c in children)]
    rows = {
        key: (figures, computed_at)
        for key, figures, computed_at in DailySnapshot.objects.filter(
            kind=DailySnapshot.Kind.DAILY, date=day, node_key__in=keys
        ).values_list("node_key", "figures", "computed_at")
    }
    if node.key not in rows:
        return None
    totals, as_of = rows.pop(node.key)
    return totals, {key: figures for key, (figures, _) in rows.items()}, as_of
