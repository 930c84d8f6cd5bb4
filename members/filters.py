import django_filters

from members.models import PartyMembership, Person
from organizations.filters import SubtreeFilter


class PersonFilter(django_filters.FilterSet):
    territory = SubtreeFilter(label="辖区代码（含下级）")

    class Meta:
        model = Person
        fields = ["occupation", "platform", "gender", "employer"]


class MembershipFilter(django_filters.FilterSet):
    territory = SubtreeFilter(label="辖区代码（含下级）", territory_field="person__territory")

    class Meta:
        model = PartyMembership
        fields = ["status", "organization", "is_mobile", "is_invisible", "lost_contact", "is_new_employment"]
