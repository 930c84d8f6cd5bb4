import django_filters

from organizations.models import PartyOrganization, Territory, Unit


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

    class Meta:
        model = PartyOrganization
        fields = ["kind", "status", "industry_committee"]


class UnitFilter(django_filters.FilterSet):
    territory = SubtreeFilter(label="辖区代码（含下级）")

    class Meta:
        model = Unit
        fields = ["kind", "organization", "credit_code"]
