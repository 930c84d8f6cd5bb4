import django_filters

from organizations.models import Meeting, PartyOrganization, Territory, Unit


class SubtreeFilter(django_filters.CharFilter):
    """``?territory=320104`` keeps records placed anywhere under that territory code."""

    def __init__(self, *args, territory_field: str = "territory", **kwargs):
        self.territory_field = territory_field
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        node = Territory.objects.filter(code=value.strip()).only("path").first()
        if node is None:
            return qs.none()
        subtree = Territory.objects.filter(path__startswith=node.path).values("pk")
        return qs.filter(**{f"{self.territory_field}__in": subtree})


class PartyOrganizationFilter(django_filters.FilterSet):
    territory = SubtreeFilter(label="辖区代码（含下级）")
    under = django_filters.NumberFilter(label="上级党组织id（含全部下级）", method="filter_under")

    class Meta:
        model = PartyOrganization
        fields = ["kind", "status", "industry_committee", "establishment_mode", "instructor"]

    def filter_under(self, queryset, name, value):
        from organizations.scope import restrict

        node = restrict(PartyOrganization.objects.filter(pk=value), self.request.user).only("path").first()
        return queryset.filter(path__startswith=node.path) if node else queryset.none()


class UnitFilter(django_filters.FilterSet):
    territory = SubtreeFilter(label="辖区代码（含下级）")
    coverage = django_filters.ChoiceFilter(
        label="组织覆盖",
        choices=[("own", "单独建"), ("joint", "联合/区域覆盖"), ("none", "未覆盖")],
        method="filter_coverage",
    )
    should_build = django_filters.BooleanFilter(label="应建未建", method="filter_should_build")
    key_target = django_filters.BooleanFilter(label="重点对象（任一）", method="filter_key_target")

    class Meta:
        model = Unit
        fields = ["kind", "industry", "size", "organization", "instructor", "credit_code"]

    def filter_coverage(self, queryset, name, value):
        from organizations.selectors import COVERAGE_Q

        return queryset.filter(COVERAGE_Q[value])

    def filter_should_build(self, queryset, name, value):
        from organizations.selectors import should_build_q

        return queryset.filter(should_build_q()) if value else queryset.exclude(should_build_q())

    def filter_key_target(self, queryset, name, value):
        from django.db.models import Q

        q = Q(is_private_top500=True) | Q(is_internet_top100=True) | Q(is_little_giant=True)
        return queryset.filter(q) if value else queryset.exclude(q)


class MeetingFilter(django_filters.FilterSet):
    territory = SubtreeFilter(label="辖区代码（含下级）", territory_field="organization__territory")
    held_after = django_filters.DateFilter(field_name="held_on", lookup_expr="gte", label="召开日期不早于")
    held_before = django_filters.DateFilter(field_name="held_on", lookup_expr="lte", label="召开日期不晚于")

    class Meta:
        model = Meeting
        fields = ["organization", "kind"]
