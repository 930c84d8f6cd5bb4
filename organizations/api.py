from drf_spectacular.utils import extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from organizations.api_base import ScopedModelViewSet, ScopedReadOnlyViewSet
from organizations.filters import PartyOrganizationFilter, UnitFilter
from organizations.models import Body, PartyOrganization, Territory, Unit
from organizations.selectors import posts_of
from organizations.serializers import (
    BodySerializer,
    MeSerializer,
    PartyOrganizationSerializer,
    TerritorySerializer,
    UnitSerializer,
)


class TerritoryViewSet(ScopedReadOnlyViewSet):
    """辖区树（块）。"""

    queryset = Territory.objects.all()
    serializer_class = TerritorySerializer
    filterset_fields = ["level", "depth"]
    search_fields = ["name", "code"]
    lookup_field = "code"


class BodyViewSet(ScopedReadOnlyViewSet):
    """领导机构：市委两新工委及委员单位、成员单位等。"""

    queryset = Body.objects.all()
    serializer_class = BodySerializer
    filterset_fields = ["kind"]
    search_fields = ["name", "short_name"]


class PartyOrganizationViewSet(ScopedModelViewSet):
    """党组织（隶属树 + 属地 + 行业党委双纳管）。"""

    queryset = PartyOrganization.objects.select_related("territory").order_by("path")
    serializer_class = PartyOrganizationSerializer
    filterset_class = PartyOrganizationFilter
    search_fields = ["name", "=code"]
    ordering_fields = ["path", "name"]


class UnitViewSet(ScopedModelViewSet):
    """覆盖单位（企业、社会组织、平台、站点、楼宇、市场、园区）。"""

    queryset = Unit.objects.select_related("territory").order_by("id")
    serializer_class = UnitSerializer
    filterset_class = UnitFilter
    search_fields = ["name", "=credit_code"]
    ordering_fields = ["id", "name"]


class MeView(APIView):
    """The caller and their posts (what the portal lets them see follows from these)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=MeSerializer)
    def get(self, request):
        user = request.user
        return Response(
            MeSerializer(
                {
                    "username": user.username,
                    "name": user.get_full_name() or user.username,
                    "posts": posts_of(user),
                }
            ).data
        )


def register(router) -> None:
    router.register("territories", TerritoryViewSet, basename="territory")
    router.register("bodies", BodyViewSet, basename="body")
    router.register("organizations", PartyOrganizationViewSet, basename="organization")
    router.register("units", UnitViewSet, basename="unit")
