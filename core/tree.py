"""Adding nodes to the materialized-path trees (treebeard 7's manager API, in one place)."""

from __future__ import annotations

from treebeard.mp_tree import MP_Node


def add_node(model: type[MP_Node], parent: MP_Node | None = None, **fields) -> MP_Node:
    """Create a node under ``parent`` (a root when ``parent`` is None)."""
    if parent is None:
        return model.objects.add_root(create_kwargs=fields)
    # Inserting a sibling under node_order_by renumbers paths, so a parent held in memory may
    # carry a stale path; building under it would corrupt the tree. Read it back first.
    parent.refresh_from_db(fields=["path", "depth", "numchild"])
    return model.objects.add_child(parent, create_kwargs=fields)
