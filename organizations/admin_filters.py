"""Admin list filters of the ground floor. Each one filters in the database (no Python loops),
so they stay fast on 20k organizations / 150k units, and reads choices through the scope rule."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Q

from organizations import rules as R
from organizations import selectors as S
from organizations.models import PartyOrganization, Territory
from organizations.scope import placeable, restrict


class DistrictFilter(admin.SimpleListFilter):
    """按区：the districts the user's posts reach (the territory field path is ``territory_field``).

    A picker, so ``placeable``: territory names are shared reference data for reading, and a line
    post (a station manager) read through ``restrict`` was offered every district of the city."""

    title = "所在区"
    parameter_name = "district"
    territory_field = "territory"

    def lookups(self, request, model_admin):
        districts = placeable(Territory.objects.filter(depth=2), request.user).order_by("code")
        return [(t.code, t.name) for t in districts.only("code", "name")]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        node = Territory.objects.filter(code=self.value()).only("path").first()
        if node is None:
            return queryset.none()
        return queryset.filter(**{f"{self.territory_field}__path__startswith": node.path})


class OrganizationDistrictFilter(DistrictFilter):
    territory_field = "organization__territory"


class TerritoryLevelFilter(admin.SimpleListFilter):
    """按街道 / 按社区 on a large list: the nodes of one level of the territory tree that the user
    may see, under the district (or street) already chosen, filtering by materialized-path prefix
    so a street keeps its communities and grids.

    Until a parent is chosen a user who sees many nodes gets no list (Django then hides the
    filter) rather than a sidebar of every street in the city; a street cadre sees their own
    communities straight away. Subclass per field with ``for_field``.
    """

    depth = 3
    parent_parameter = "district"
    territory_field = "territory"
    # Above this many nodes the list waits for a parent to be chosen.
    unfiltered_limit = 40

    def lookups(self, request, model_admin):
        nodes = placeable(Territory.objects.filter(depth=self.depth), request.user)
        parent_code = request.GET.get(self.parent_parameter)
        if parent_code:
            parent = Territory.objects.filter(code=parent_code).only("path").first()
            nodes = nodes.filter(path__startswith=parent.path) if parent else nodes.none()
        rows = list(nodes.order_by("path").only("code", "name")[: self.unfiltered_limit + 1])
        if not parent_code and len(rows) > self.unfiltered_limit:
            return []
        return [(t.code, t.name) for t in rows[:200]]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        node = Territory.objects.filter(code=self.value(), depth=self.depth).only("path").first()
        if node is None:
            return queryset.none()
        return queryset.filter(**{f"{self.territory_field}__path__startswith": node.path})

    @classmethod
    def for_field(cls, territory_field: str):
        return type(
            f"{cls.__name__}_{territory_field.replace('__', '_')}", (cls,), {"territory_field": territory_field}
        )


class StreetFilter(TerritoryLevelFilter):
    title = "所在街道"
    parameter_name = "street"
    depth = 3
    parent_parameter = "district"


class CommunityFilter(TerritoryLevelFilter):
    title = "所在社区"
    parameter_name = "community"
    depth = 4
    parent_parameter = "street"


def territory_filters(territory_field: str = "territory") -> list:
    """[按区, 按街道, 按社区] for a list whose rows sit at ``territory_field``."""
    district = type(
        f"DistrictFilter_{territory_field.replace('__', '_')}", (DistrictFilter,), {"territory_field": territory_field}
    )
    return [district, StreetFilter.for_field(territory_field), CommunityFilter.for_field(territory_field)]


class UnderOrganizationFilter(admin.SimpleListFilter):
    """Tree view: ``?under=<id>`` keeps an organization and everything it leads (its subtree)."""

    title = "所属组织（含下级）"
    parameter_name = "under"
    TOP_KINDS = (
        PartyOrganization.Kind.WORKING_COMMITTEE,
        PartyOrganization.Kind.INDUSTRY_COMMITTEE,
        PartyOrganization.Kind.AREA_COMMITTEE,
        PartyOrganization.Kind.CHAIN_COMMITTEE,
    )

    def _node(self, request):
        value = self.value()
        if not value or not value.isdigit():
            return None
        return restrict(PartyOrganization.objects.filter(pk=int(value)), request.user).first()

    def lookups(self, request, model_admin):
        choices = []
        node = self._node(request)
        if node is not None:
            choices.append((str(node.pk), f"{node.name}"))
        tops = restrict(PartyOrganization.objects.filter(kind__in=self.TOP_KINDS, depth__lte=2), request.user)
        choices += [
            (str(o.pk), o.name) for o in tops.only("pk", "name", "path")[:40] if node is None or o.pk != node.pk
        ]
        return choices

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        node = self._node(request)
        if node is None:
            return queryset.none()
        return queryset.filter(path__startswith=node.path)


class RuleViolationFilter(admin.SimpleListFilter):
    title = "组织设置规则"
    parameter_name = "rule"

    def lookups(self, request, model_admin):
        current = R.rules()
        choices = [("any", "存在任一问题")]
        choices += [(code, current[code].name) for code in R.ORGANIZATION_RULES if current[code].is_active]
        return choices

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        current = R.rules()
        if value == "any":
            return R.with_rule_figures(queryset).filter(R.any_violation_q(current))
        if value not in R.ORGANIZATION_RULES:
            return queryset.none()
        return R.with_rule_figures(queryset).filter(R.rule_q(value, current[value]))


class OverdueMeetingFilter(admin.SimpleListFilter):
    title = "三会一课"
    parameter_name = "meetings"

    def lookups(self, request, model_admin):
        return [("overdue", "存在逾期未开")]

    def queryset(self, request, queryset):
        if self.value() != "overdue":
            return queryset
        return S.with_cadence_figures(queryset).filter(S.overdue_q())


class CoverageFilter(admin.SimpleListFilter):
    title = "组织覆盖"
    parameter_name = "coverage"

    def lookups(self, request, model_admin):
        return list(S.COVERAGE_LABELS.items())

    def queryset(self, request, queryset):
        q = S.COVERAGE_Q.get(self.value() or "")
        return queryset if q is None else queryset.filter(q)


class WorkCoverageFilter(admin.SimpleListFilter):
    title = "工作覆盖（指导员）"
    parameter_name = "work"

    def lookups(self, request, model_admin):
        return [("yes", "已选派指导员"), ("no", "未选派指导员")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(S.WORK_Q)
        if self.value() == "no":
            return queryset.exclude(S.WORK_Q)
        return queryset


class ShouldBuildFilter(admin.SimpleListFilter):
    title = "应建未建"
    parameter_name = "should_build"

    def lookups(self, request, model_admin):
        return [("yes", "应建未建")]

    def queryset(self, request, queryset):
        return queryset.filter(S.should_build_q()) if self.value() == "yes" else queryset


class KeyTargetFilter(admin.SimpleListFilter):
    title = "重点对象"
    parameter_name = "key_target"
    FLAGS = {
        "top500": ("民营企业500强", Q(is_private_top500=True)),
        "internet100": ("互联网企业100强", Q(is_internet_top100=True)),
        "little_giant": ("专精特新“小巨人”", Q(is_little_giant=True)),
        "any": ("任一重点对象", Q(is_private_top500=True) | Q(is_internet_top100=True) | Q(is_little_giant=True)),
    }

    def lookups(self, request, model_admin):
        return [(k, label) for k, (label, _q) in self.FLAGS.items()]

    def queryset(self, request, queryset):
        entry = self.FLAGS.get(self.value() or "")
        return queryset if entry is None else queryset.filter(entry[1])
