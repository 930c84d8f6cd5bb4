"""/api/v1/cadence/…: read the inventory, weekly reports and key tasks through the scope rule;
a dashboard figure set for the caller's scope (or a node in it)."""

from __future__ import annotations

from django.http import Http404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from cadence.metrics import Lens, compute_all, keeping_statements
from cadence.models import DailySnapshot, KeyTask, WeeklyReport
from cadence.nodes import Node, node_visible
from cadence.periods import PeriodError, from_params
from cadence.services.snapshots import EXCEPTIONS_KEY, inventory_figures
from organizations.api_base import ScopedReadOnlyViewSet
from organizations.scope import scope_for


class SnapshotSerializer(serializers.ModelSerializer):
    territory_code = serializers.CharField(source="territory.code", default=None, allow_null=True)
    organization_code = serializers.CharField(source="organization.code", default=None, allow_null=True)

    class Meta:
        model = DailySnapshot
        fields = ["id", "kind", "date", "node_key", "territory_code", "organization_code", "figures", "computed_at"]


class WeeklyReportSerializer(serializers.ModelSerializer):
    street_code = serializers.CharField(source="street.code")
    street_name = serializers.CharField(source="street.name")

    class Meta:
        model = WeeklyReport
        fields = [
            "id",
            "street_code",
            "street_name",
            "iso_year",
            "iso_week",
            "status",
            "due_at",
            "submitted_at",
            "reviewed_at",
            "figures",
            "figures_as_of",
            "work_done",
            "problems",
            "help_needed",
            "next_week_plan",
            "review_comment",
        ]


class KeyTaskSerializer(serializers.ModelSerializer):
    plan = serializers.CharField(source="plan.title")
    lead_body = serializers.CharField(source="lead_body.name")

    class Meta:
        model = KeyTask
        fields = ["id", "plan", "number", "title", "lead_body", "status", "progress", "due_date"]


class SnapshotViewSet(ScopedReadOnlyViewSet):
    """日盘点/月调度快照。?kind=daily|monthly&date=YYYY-MM-DD&node_key=T:320104"""

    queryset = DailySnapshot.objects.select_related("territory", "organization").order_by("-date", "node_key")
    serializer_class = SnapshotSerializer
    filterset_fields = ["kind", "date", "node_key"]


class WeeklyReportViewSet(ScopedReadOnlyViewSet):
    """周例会报告（只读；填报在 /cadence/weekly/）。"""

    queryset = WeeklyReport.objects.select_related("street").order_by("-iso_year", "-iso_week", "street__path")
    serializer_class = WeeklyReportSerializer
    filterset_fields = ["status", "iso_year", "iso_week"]


class KeyTaskViewSet(ScopedReadOnlyViewSet):
    """重点任务及进度。"""

    queryset = KeyTask.objects.select_related("plan", "lead_body").order_by("plan__year_start", "number")
    serializer_class = KeyTaskSerializer
    filterset_fields = ["plan", "status"]


class DashboardFiguresView(APIView):
    """看板数据：调用者范围内（或 ?node= 其范围内的节点）的全部指标，口径与日盘点一致。"""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[
            OpenApiParameter("node", OpenApiTypes.STR, description="节点：辖区代码（T:320104）或行业党委编码"),
            OpenApiParameter("live", OpenApiTypes.STR, description="1：不读日盘点，实时计算"),
            OpenApiParameter(
                "period",
                OpenApiTypes.STR,
                description="week/month/quarter/year：上一完整周期加本周期至今，实时计算；不填为日盘点口径（本月至今）",
            ),
            OpenApiParameter("start", OpenApiTypes.DATE, description="自定义时段开始日期（含）"),
            OpenApiParameter("end", OpenApiTypes.DATE, description="自定义时段结束日期（含），默认今天"),
        ],
        responses=inline_serializer(
            "DashboardFigures",
            {
                "date": serializers.DateField(),
                "node": serializers.CharField(allow_null=True),
                "as_of": serializers.DateTimeField(allow_null=True, help_text="日盘点的计算时间；实时为 null"),
                "period": inline_serializer(
                    "DashboardPeriod",
                    {"kind": serializers.CharField(), "start": serializers.DateField(), "end": serializers.DateField()},
                    allow_null=True,
                ),
                "figures": serializers.DictField(help_text="各指标提供方 → 指标代码 → 数值"),
            },
        ),
    )
    def get(self, request):
        key = request.query_params.get("node")
        node = None
        if key:
            node = Node.parse(key)
            if node is None or not node_visible(request.user, node):
                raise Http404
            lens = node.lens
        else:
            lens = Lens(scope_for(request.user))
        today = timezone.localdate()
        params = request.query_params
        period = None
        if params.get("period") or params.get("start") or params.get("end"):
            try:
                period = from_params(params, today)
            except PeriodError as exc:
                raise ValidationError({"period": [str(exc)]}) from exc
        # A territory node reads today's daily inventory, like the dashboard; ?live=1 recomputes.
        live = params.get("live") == "1" or period is not None
        inventory = None if live else inventory_figures(node, [], today)
        with keeping_statements():  # polled again and again, like the dashboard
            if period is not None:
                figures, as_of = compute_all(lens.during(period), period), None
            elif inventory is not None:
                figures, _, as_of = inventory
                figures = {k: v for k, v in figures.items() if k != EXCEPTIONS_KEY}
            else:
                figures, as_of = compute_all(lens, today), None
        shown = {"kind": period.kind, "start": period.start, "end": period.end} if period else None
        return Response(
            {"date": today.isoformat(), "node": key or None, "as_of": as_of, "period": shown, "figures": figures}
        )


def register(router) -> None:
    router.register("cadence/snapshots", SnapshotViewSet, basename="cadence-snapshot")
    router.register("cadence/weekly-reports", WeeklyReportViewSet, basename="cadence-weekly-report")
    router.register("cadence/key-tasks", KeyTaskViewSet, basename="cadence-key-task")
