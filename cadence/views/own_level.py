"""The focus node's own level in a child table: what it holds at none of its children.

A street's stations and the cases its QR codes took in sit at the street itself, not at one of
its communities, so the communities' rows alone read as zeros under a street total of four
stations. The row below them is the node's total less its children's, for the figures that add
up (counts and sums; a rate is not split, and shows as —).
"""

from __future__ import annotations

from decimal import Decimal

NUMBER = (int, float, Decimal)


def own_level_cells(provider, totals: dict | None, children: list[tuple[object, dict]]) -> list[dict] | None:
    """The cells of the node's own row for ``provider``, or None when it has nothing of its own
    — or when its children add up to more than its total (a record counted under two children:
    no honest remainder to show)."""
    if not totals or not children:
        return None
    cells, held = [], False
    for fig in provider.figures:
        if fig.rate:
            cells.append({"value": None, "url": None, "unit": fig.unit})
            continue
        total = totals.get(fig.key)
        parts = [(figures.get(provider.name) or {}).get(fig.key) or 0 for _node, figures in children]
        if not isinstance(total, NUMBER) or not all(isinstance(part, NUMBER) for part in parts):
            return None
        rest = total - sum(parts)
        if isinstance(rest, float):
            rest = round(rest, 6)
        if rest < 0:
            return None
        held = held or rest > 0
        cells.append({"value": rest, "url": None, "unit": fig.unit})
    return cells if held else None
