from rest_framework import serializers

from organizations.api_base import ScopedWriteSerializerMixin
from organizations.models import Body, PartyOrganization, StaffPost, Territory, Unit


class TerritorySerializer(serializers.ModelSerializer):
    class Meta:
        model = Territory
        fields = ["id", "code", "name", "level", "depth"]


class BodySerializer(serializers.ModelSerializer):
    class Meta:
        model = Body
        fields = ["id", "code", "name", "short_name", "kind", "parent", "territory"]


class PartyOrganizationSerializer(ScopedWriteSerializerMixin, serializers.ModelSerializer):
    territory_name = serializers.CharField(source="territory.name", read_only=True)

    class Meta:
        model = PartyOrganization
        fields = [
            "id",
            "code",
            "name",
            "kind",
            "status",
            "depth",
            "territory",
            "territory_name",
            "industry_committee",
        ]
        read_only_fields = ["depth"]


class UnitSerializer(ScopedWriteSerializerMixin, serializers.ModelSerializer):
    territory_name = serializers.CharField(source="territory.name", read_only=True)

    class Meta:
        model = Unit
        fields = [
            "id",
            "name",
            "credit_code",
            "kind",
            "territory",
            "territory_name",
            "organization",
        ]


class StaffPostSerializer(serializers.ModelSerializer):
    node = serializers.CharField(source="node.__str__", read_only=True)
    role_label = serializers.CharField(source="get_role_display", read_only=True)

    class Meta:
        model = StaffPost
        fields = ["id", "role", "role_label", "title", "node", "territory", "organization", "body"]


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    name = serializers.CharField()
    posts = StaffPostSerializer(many=True)
