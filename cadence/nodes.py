"""Nodes the cadence reports on: every node of the territory tree (块) and every industry
committee (条). A node's lens is the scope a post at that node would have."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import Q

from cadence.metrics import Lens
from organizations.models import PartyOrganization, Territory
from organizations.scope import UserScope, scope_for


@dataclass(frozen=True)
class Node:
    key: str
    label: str
    territory: Territory | None = None
    organization: PartyOrganization | None = None

    @classmethod
    def of(cls, obj) -> Node:
        if isinstance(obj, Territory):
            return cls(f"T:{obj.code}", obj.name, territory=obj)
        return cls(f"O:{obj.code}", obj.name, organization=obj)

    @classmethod
    def parse(cls, key: str) -> Node | None:
        """``T:320104`` / ``O:HY-KD``; a bare code is tried as a territory, then an organization."""
        key = (key or "").strip().upper()
        prefix, _, code = key.partition(":")
        if not code:
            prefix, code = "", key
        if prefix in ("", "T"):
            territory = Territory.objects.filter(code=code).first()
            if territory is not None:
                return cls.of(territory)
        if prefix in ("", "O"):
            org = PartyOrganization.objects.filter(code=code, kind=PartyOrganization.Kind.INDUSTRY_COMMITTEE).first()
            if org is not None:
                return cls.of(org)
        return None

    @classmethod
    def parse_many(cls, keys: list[str]) -> list[Node]:
        """``parse`` of many keys in two queries (territories, then industry committees), in the
        order given, each node once; keys naming nothing are left out."""
        wanted = []
        for key in keys:
            prefix, _, code = (key or "").strip().upper().partition(":")
            wanted.append(("", prefix) if not code else (prefix, code))
        territories = {
            t.code: t
            for t in Territory.objects.filter(code__in=[code for prefix, code in wanted if prefix in ("", "T")])
        }
        orgs = {
            o.code: o
            for o in PartyOrganization.objects.filter(
                code__in=[code for prefix, code in wanted if prefix in ("", "O") and code not in territories],
                kind=PartyOrganization.Kind.INDUSTRY_COMMITTEE,
            )
        }
        nodes: dict[str, Node] = {}
        for prefix, code in wanted:
            obj = territories.get(code) if prefix in ("", "T") else None
            if obj is None and prefix in ("", "O"):
                obj = orgs.get(code)
            if obj is not None:
                node = cls.of(obj)
                nodes.setdefault(node.key, node)
        return list(nodes.values())

    @property
    def scope(self) -> UserScope:
        if self.territory is not None:
            if self.territory.depth == 1:
                return UserScope(everything=True)
            return UserScope(territory_paths=frozenset({self.territory.path}))
        return UserScope(organization_paths=frozenset({self.organization.path}))

    @property
    def lens(self) -> Lens:
        return Lens(self.scope)

    @property
    def level(self) -> str:
        return self.territory.level if self.territory is not None else "industry"

    @property
    def level_label(self) -> str:
        return self.territory.get_level_display() if self.territory is not None else "行业党委"

    def snapshot_fields(self) -> dict:
        return {"node_key": self.key, "territory": self.territory, "organization": self.organization}

    def children(self) -> list[Node]:
        """The nodes one level down that dashboards and dispatches compare."""
        if self.territory is not None:
            return [Node.of(t) for t in Territory.objects.get_children(self.territory).order_by("code")]
        city = Territory.objects.get_root_nodes().first()
        return [Node.of(t) for t in Territory.objects.get_children(city).order_by("code")] if city else []


def _family_query(territory_path: str, leaf: bool) -> tuple[list[str], Q | None]:
    """The paths of a territory's ancestors, and a condition for its children (``None`` for a
    leaf): what treebeard's ``get_ancestors`` and ``get_children`` ask for."""
    step = Territory.steplen
    depth = len(territory_path) // step
    above = [territory_path[: step * level] for level in range(1, depth)]
    if leaf:
        return above, None
    first, last = Territory.alphabet[0] * step, Territory.alphabet[-1] * step
    return above, Q(depth=depth + 1, path__range=(territory_path + first, territory_path + last))


def _territories(paths: list[str], below: Q | None) -> list[Territory]:
    """Territories at ``paths`` or matching ``below``, by depth then code, in one query."""
    wanted = [Q(path__in=paths)] if paths else []
    if below is not None:
        wanted.append(below)
    if not wanted:
        return []
    query = wanted[0] if len(wanted) == 1 else wanted[0] | wanted[1]
    return list(Territory.objects.filter(query).order_by("depth", "code"))


def _split_family(rows: list[Territory], territory_path: str, above: list[str]) -> tuple[list[Node], list[Node]]:
    """``rows`` (by depth then code) split into the ancestors (root first) and the children (by
    code, as ``Node.children`` orders them) of the territory at ``territory_path``."""
    depth = len(territory_path) // Territory.steplen
    ancestors = [Node.of(t) for t in rows if t.path in above]
    children = [Node.of(t) for t in rows if t.depth == depth + 1 and t.path.startswith(territory_path)]
    return ancestors, children


def family(node: Node) -> tuple[list[Node], list[Node]]:
    """The node's ancestors (root first) and its ``children()``, in one query for a territory
    (a page shows both: the breadcrumbs and the child tables)."""
    if node.territory is None:
        return [], node.children()
    path = node.territory.path
    above, below = _family_query(path, node.territory.is_leaf())
    return _split_family(_territories(above, below), path, above)


def homes_and_family(user, node: Node | None) -> tuple[Node | None, list[Node], tuple[list[Node], list[Node]]]:
    """``home_nodes(user)`` and ``family`` of ``node`` (of the first home when ``node`` is
    ``None``), returned as ``(node, homes, (ancestors, children))``. For a post in the territory
    tree the homes, the ancestors and the children come from one query: the dashboard asks for
    all three on every view."""
    scope = scope_for(user)
    if scope.everything or not scope.territory_paths or (node is not None and node.territory is None):
        homes = home_nodes(user)
        node = node if node is not None else (homes[0] if homes else None)
        return node, homes, (family(node) if node is not None else ([], []))
    home_paths = set(scope.territory_paths)
    # The first home is the territory with the least path (``home_nodes`` orders by path; paths
    # are digits and capitals, which every collation orders as Python does).
    path = node.territory.path if node is not None else min(home_paths)
    above, below = _family_query(path, node.territory.is_leaf() if node is not None else False)
    rows = _territories(sorted(home_paths | set(above)), below)
    homes = [Node.of(t) for t in sorted((t for t in rows if t.path in home_paths), key=lambda t: t.path)]
    if scope.organization_paths:
        homes += _industry_homes(scope)
    if node is None:
        node = homes[0] if homes else None
        if node is None or node.territory is None or node.territory.path != path:
            # The least path names no territory (left behind by a deleted one): as before.
            return node, homes, (family(node) if node is not None else ([], []))
    return node, homes, _split_family(rows, path, above)


def _industry_homes(scope: UserScope) -> list[Node]:
    return [
        Node.of(o)
        for o in PartyOrganization.objects.filter(
            path__in=scope.organization_paths, kind=PartyOrganization.Kind.INDUSTRY_COMMITTEE
        ).order_by("path")
    ]


def all_nodes(levels: tuple[str, ...] | None = None) -> Iterator[Node]:
    territories = Territory.objects.order_by("path")
    if levels:
        territories = territories.filter(level__in=levels)
    for territory in territories.iterator():
        yield Node.of(territory)
    if levels is None or "industry" in levels:
        industry = PartyOrganization.objects.filter(kind=PartyOrganization.Kind.INDUSTRY_COMMITTEE).order_by("path")
        for org in industry:
            yield Node.of(org)


def home_nodes(user) -> list[Node]:
    """Where the user's dashboard opens: the nodes of their posts (the city for municipal)."""
    scope = scope_for(user)
    if scope.everything:
        city = Territory.objects.get_root_nodes().first()
        return [Node.of(city)] if city else []
    # A scope without paths of a kind asks nothing of that table (an empty ``IN`` runs no query
    # either, but is still built and compiled on every page).
    nodes = []
    if scope.territory_paths:
        nodes += [Node.of(t) for t in Territory.objects.filter(path__in=scope.territory_paths).order_by("path")]
    if scope.organization_paths:
        nodes += _industry_homes(scope)
    return nodes


def node_visible(user, node: Node) -> bool:
    """A user may focus a node inside their territorial subtree or organizational subtree."""
    scope = scope_for(user)
    if scope.everything:
        return True
    if node.territory is not None:
        return any(node.territory.path.startswith(p) for p in scope.territory_paths)
    return any(node.organization.path.startswith(p) for p in scope.organization_paths)
