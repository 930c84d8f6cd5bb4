from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import BooleanField, Case, Prefetch, Value, When
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework import serializers as drf_serializers
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from core.permissions import perm_required
from organizations import rules as R
from organizations import selectors as S
from organizations.api_base import ObjectResponseSchema, ScopedModelViewSet, ScopedReadOnlyViewSet
from organizations.filters import MeetingFilter, PartyOrganizationFilter, UnitFilter
from organizations.models import Body, Meeting, PartyOrganization, Responsibility, Territory, Unit
from organizations.scope import restrict
from organizations.serializers import (
    BodySerializer,
    CoverageReportSerializer,
    LifecycleRequestSerializer,
    MeetingSerializer,
    MeSerializer,
    OrganizationEventSerializer,
    PartyOrganizationSerializer,
    ScoreRankingSerializer,
    TerritorySerializer,
    UnitSerializer,
    ViolationDistrictSerializer,
    ViolationSerializer,
    score_rows,
)


class TerritoryViewSet(ScopedReadOnlyViewSet):
    """辖区树（块）。"""

    queryset = Territory.objects.all()
    serializer_class = TerritorySerializer
    filterset_fields = ["level", "depth"]
    search_fields = ["name", "code"]
    lookup_field = "code"


class BodyViewSet(ScopedReadOnlyViewSet):
    """领导机构：市委两新工委（1）、委员单位（9）、成员单位（27）、区委两新工委、枢纽型党组织等，含职责清单。"""

    queryset = Body.objects.prefetch_related(
        Prefetch("responsibilities", queryset=Responsibility.objects.order_by("number"))
    ).order_by("sort_order", "id")
    serializer_class = BodySerializer
    filterset_fields = ["kind", "parent"]
    search_fields = ["name", "short_name", "=code"]


class PartyOrganizationViewSet(ScopedModelViewSet):
    """党组织（隶属树 + 属地 + 行业党委双纳管）。新建时以 ``parent`` 指定上级；隶属调整、成立、升格、
    撤销等通过 ``POST /organizations/{id}/events/`` 办理并留痕。"""

    queryset = PartyOrganization.objects.select_related("territory").order_by("path")
    serializer_class = PartyOrganizationSerializer
    filterset_class = PartyOrganizationFilter
    search_fields = ["name", "=code"]
    ordering_fields = ["path", "name"]

    def perform_destroy(self, instance):
        raise drf_serializers.ValidationError("党组织不能删除，请通过生命周期事件“撤销”办理")

    @extend_schema(
        methods=["GET"],
        responses=OrganizationEventSerializer(many=True),
        summary="组织生命周期事件（沿革，新的在前，分页）",
        # Pages like every list (``page``, ``page_size``, ``count``), but the organization list's
        # filters do not apply to one organization's history.
        filters=False,
    )
    @extend_schema(
        methods=["POST"],
        request=LifecycleRequestSerializer,
        responses={201: OrganizationEventSerializer},
        summary="办理成立/转入/转出/升格/撤销/调整属地或双纳管",
    )
    @action(detail=True, methods=["get", "post"], url_path="events")
    def events(self, request, pk=None):
        from organizations.services import organization_lifecycle

        org = self.get_object()
        if request.method == "GET":
            page = self.paginate_queryset(org.events.all())
            return self.get_paginated_response(OrganizationEventSerializer(page, many=True).data)
        if not request.user.has_perm("organizations.change_partyorganization"):
            return Response({"detail": "无权办理党组织生命周期事件"}, status=status.HTTP_403_FORBIDDEN)
        payload = LifecycleRequestSerializer(data=request.data, context={"request": request})
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        kind = data.pop("kind")
        kwargs = {"on": data["occurred_on"], "reason": data.get("reason", "")}
        if kind in ("established", "upgraded", "dissolved"):
            kwargs["document_no"] = data.get("document_no", "")
        if kind == "upgraded":
            kwargs["to_kind"] = data.get("to_kind", "")
        if kind in ("transferred_in", "transferred_out"):
            kwargs["counterpart"] = data.get("counterpart", "")
        if kind == "relocated":
            kwargs.update(
                territory=data.get("territory"),
                industry_committee=data.get("industry_committee"),
                clear_industry=data.get("clear_industry", False),
            )
        if kind == "transferred_in":
            if not data.get("new_parent"):
                return Response({"new_parent": ["转入须指定上级党组织"]}, status=status.HTTP_400_BAD_REQUEST)
            kwargs["new_parent"] = data["new_parent"]
        try:
            organization_lifecycle(kind, organization=org, actor=request.user, **kwargs)  # OutOfScope: 403
        except DjangoValidationError as exc:
            detail = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
            return Response(detail, status=status.HTTP_400_BAD_REQUEST)
        return Response(OrganizationEventSerializer(org.events.first()).data, status=status.HTTP_201_CREATED)


class UnitViewSet(ScopedModelViewSet):
    """覆盖单位（企业、社会组织、平台、站点、楼宇、市场、园区）。``?coverage=own|joint|none``、
    ``?should_build=true``（应建未建）、``?territory=CODE``（含下级）、``?industry=`` 可筛选。"""

    queryset = Unit.objects.select_related("territory", "organization").order_by("id")
    serializer_class = UnitSerializer
    filterset_class = UnitFilter
    search_fields = ["name", "=credit_code"]
    ordering_fields = ["id", "name", "full_member_count"]


class MeetingViewSet(ScopedModelViewSet):
    """三会一课记录。"""

    queryset = Meeting.objects.select_related("organization").order_by("-held_on", "-id")
    serializer_class = MeetingSerializer
    filterset_class = MeetingFilter
    search_fields = ["topic", "organization__name"]

    def perform_create(self, serializer):
        serializer.save(recorded_by=self.request.user)


GROUPING_PARAM = OpenApiParameter(
    "by", OpenApiTypes.STR, enum=list(S.COVERAGE_GROUPINGS), description="分组：区/街道/行业"
)
TERRITORY_PARAM = OpenApiParameter("territory", OpenApiTypes.STR, description="辖区代码（含下级），如 320104")


def _territory_or_404(request):
    code = (request.query_params.get("territory") or "").strip()
    if not code:
        return None, None
    node = restrict(Territory.objects.filter(code=code), request.user).first()
    if node is None:
        return None, Response({"territory": [f"辖区代码 {code} 不存在或不在您的管辖范围内"]}, status=404)
    return node, None


class CoverageViewSet(viewsets.ViewSet):
    """组织覆盖（单独建/联合或区域覆盖/未覆盖）与工作覆盖（指导员）按区、街道或行业汇总，含应建未建数。"""

    schema = ObjectResponseSchema()
    permission_classes = [IsAuthenticated, perm_required("organizations.view_unit")]

    @extend_schema(parameters=[GROUPING_PARAM, TERRITORY_PARAM], responses=CoverageReportSerializer)
    def list(self, request):
        by = request.query_params.get("by") or "district"
        if by not in S.COVERAGE_GROUPINGS:
            return Response({"by": [f"可选：{'、'.join(S.COVERAGE_GROUPINGS)}"]}, status=400)
        territory, error = _territory_or_404(request)
        if error:
            return error
        report = S.coverage_rates(request.user, by=by, territory=territory)
        return Response(CoverageReportSerializer(report).data)


RULE_PARAM = OpenApiParameter("rule", OpenApiTypes.STR, enum=list(R.ORGANIZATION_RULES), description="只看某一规则")


class ViolationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """违反组织设置规则的党组织（分页；``rules`` 列出该组织违反的规则代码）。"""

    permission_classes = [IsAuthenticated, perm_required("organizations.view_partyorganization")]
    serializer_class = ViolationSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation reads no rules table
            return PartyOrganization.objects.none()
        code = self.request.query_params.get("rule") or None
        if code and code not in R.ORGANIZATION_RULES:
            raise drf_serializers.ValidationError({"rule": [f"未知规则 {code}"]})
        current = R.rules()
        flags = {
            f"v_{c}": Case(
                When(R.rule_q(c, current[c]), then=Value(True)), default=Value(False), output_field=BooleanField()
            )
            for c in R.ORGANIZATION_RULES
        }
        return S.violating_organizations(self.request.user, code=code).annotate(**flags)

    @extend_schema(parameters=[RULE_PARAM])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(responses=ViolationDistrictSerializer(many=True), summary="各区违反组织设置规则的党组织数")
    @action(detail=False, url_path="by-district", pagination_class=None)
    def by_district(self, request):
        _rules, rows = S.violation_counts_by_district(request.user)
        return Response(ViolationDistrictSerializer(rows, many=True).data)


class OrganizationScoreViewSet(viewsets.ViewSet):
    """组织力评分：后 10% 为软弱涣散候选，前 15% 为先进候选（评分办法见 ``method``）。"""

    schema = ObjectResponseSchema()
    permission_classes = [IsAuthenticated, perm_required("organizations.view_partyorganization")]

    @extend_schema(parameters=[TERRITORY_PARAM], responses=ScoreRankingSerializer)
    def list(self, request):
        territory, error = _territory_or_404(request)
        if error:
            return error
        ranking = S.organization_scores(request.user, territory=territory)
        return Response(
            {
                "method": S.SCORE_DOC,
                "count": len(ranking.rows),
                "weak": score_rows(ranking.weak),
                "advanced": score_rows(ranking.advanced),
            }
        )


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
                    "posts": S.posts_of(user),
                }
            ).data
        )


def register(router) -> None:
    router.register("territories", TerritoryViewSet, basename="territory")
    router.register("bodies", BodyViewSet, basename="body")
    router.register("organizations", PartyOrganizationViewSet, basename="organization")
    router.register("units", UnitViewSet, basename="unit")
    router.register("meetings", MeetingViewSet, basename="meeting")
    router.register("coverage", CoverageViewSet, basename="coverage")
    router.register("violations", ViolationViewSet, basename="violation")
    router.register("organization-scores", OrganizationScoreViewSet, basename="organization-score")
