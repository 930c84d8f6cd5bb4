"""/api/v1/points/…: accounts, entries (award, reverse), tasks and claims, rewards, redemptions.

Every queryset goes through the scope rule (ScopedViewSetMixin); writes call the services.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Count, Q
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from core.permissions import perm_required
from members.models import Person
from organizations.api_base import ScopedModelViewSet, ScopedReadOnlyViewSet
from organizations.scope import get_visible_or_404
from points import serializers as s
from points.models import HomeStation, PointAccount, PointEntry, PointRule, Redemption, Reward, TaskClaim, VolunteerTask
from points.services import (
    PointsError,
    home_station_set,
    points_award,
    points_redemption_cancel,
    points_redemption_fulfil,
    points_reverse,
    task_confirm,
    task_publish,
)


def _refuse(exc: Exception):
    messages = exc.messages if isinstance(exc, DjangoValidationError) else [str(exc)]
    raise ValidationError({"detail": "；".join(messages)})


class AccountViewSet(ScopedReadOnlyViewSet):
    """积分账户（余额为流水之和的缓存）。"""

    queryset = PointAccount.objects.select_related("person").order_by("-balance", "id")
    serializer_class = s.AccountSerializer
    filterset_fields = ["person"]
    search_fields = ["person__name"]
    ordering_fields = ["balance", "earned_total", "updated_at"]


class EntryViewSet(ScopedReadOnlyViewSet):
    """积分流水（只增不改；更正以冲正流水进行）。"""

    # Only the actor's username is shown: its password hash is not read (defer).
    queryset = (
        PointEntry.objects.select_related("account", "rule", "actor", "source_type")
        .defer("actor__password")
        .order_by("-created_at", "-id")
    )
    serializer_class = s.EntrySerializer
    filterset_fields = ["account", "kind", "rule", "station"]
    ordering_fields = ["created_at", "delta"]

    @extend_schema(request=s.AwardSerializer, responses=s.EntrySerializer)
    @action(detail=False, methods=["post"], permission_classes=[perm_required("points.add_pointentry")])
    def award(self, request):
        """按积分项目授予（校验可授予角色与每日/每月上限；同一幂等键只记一次）。"""
        data = s.AwardSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        person = get_visible_or_404(
            Person.objects.select_related("territory"), request.user, pk=data.validated_data["person"]
        )
        rule = PointRule.objects.filter(pk=data.validated_data["rule"]).select_related("territory").first()
        if rule is None:
            raise ValidationError({"rule": "积分项目不存在"})
        try:
            result = points_award(
                person=person,
                rule=rule,
                actor=request.user,
                idempotency_key=f"api:{request.user.pk}:{data.validated_data['idempotency_key']}",
                note=data.validated_data["note"],
            )
        except PointsError as exc:
            _refuse(exc)
        code = status.HTTP_201_CREATED if result.created else status.HTTP_200_OK
        return Response(s.EntrySerializer(result.entry).data, status=code)

    @extend_schema(request=s.ReasonSerializer, responses=s.EntrySerializer)
    @action(detail=True, methods=["post"], permission_classes=[perm_required("points.reverse_pointentry")])
    def reverse(self, request, pk=None):
        """冲正一条授予流水（写入一条负数流水，原流水不变）。"""
        entry = self.get_object()
        data = s.ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            reversal = points_reverse(entry=entry, actor=request.user, reason=data.validated_data["reason"])
        except PointsError as exc:
            _refuse(exc)
        return Response(s.EntrySerializer(reversal).data, status=status.HTTP_201_CREATED)


class TaskViewSet(mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    """志愿任务（驿站或机构发布，人员认领，发布方确认完成后记分）。"""

    queryset = (
        VolunteerTask.objects.select_related("rule")
        .annotate(taken=Count("claims", filter=Q(claims__status__in=TaskClaim.HOLDING_SLOT)))
        .order_by("-starts_at", "-id")
    )
    serializer_class = s.TaskSerializer
    filterset_fields = ["kind", "status", "station", "publisher_body"]
    search_fields = ["title", "place"]

    def perform_create(self, serializer):
        data = serializer.validated_data
        try:
            serializer.instance = task_publish(actor=self.request.user, **data)
        except PointsError as exc:
            _refuse(exc)


class ClaimViewSet(ScopedReadOnlyViewSet):
    """任务认领；发布方确认是否完成。"""

    queryset = TaskClaim.objects.select_related("person").order_by("claimed_at", "id")
    serializer_class = s.ClaimSerializer
    filterset_fields = ["task", "status", "person"]

    @extend_schema(request=s.ConfirmSerializer, responses=s.ClaimSerializer)
    @action(detail=True, methods=["post"], permission_classes=[perm_required("points.change_taskclaim")])
    def confirm(self, request, pk=None):
        claim = self.get_object()
        data = s.ConfirmSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            claim = task_confirm(claim=claim, actor=request.user, completed=data.validated_data["completed"])
        except PointsError as exc:
            _refuse(exc)
        return Response(s.ClaimSerializer(claim).data)


class RewardViewSet(ScopedModelViewSet):
    """兑换商品（实物、课程、小蜂公寓住宿）。"""

    queryset = Reward.objects.order_by("sort_order", "cost", "id")
    serializer_class = s.RewardSerializer
    filterset_fields = ["kind", "is_active", "station"]
    search_fields = ["name"]


class RedemptionViewSet(ScopedReadOnlyViewSet):
    """积分兑换：待领取 → 已领取，或取消（退还积分、恢复库存）。"""

    queryset = Redemption.objects.select_related("person", "reward", "night").order_by("-requested_at", "-id")
    serializer_class = s.RedemptionSerializer
    filterset_fields = ["status", "reward", "person"]

    @extend_schema(request=None, responses=s.RedemptionSerializer)
    @action(detail=True, methods=["post"], permission_classes=[perm_required("points.change_redemption")])
    def fulfil(self, request, pk=None):
        try:
            redemption = points_redemption_fulfil(redemption=self.get_object(), actor=request.user)
        except PointsError as exc:
            _refuse(exc)
        return Response(s.RedemptionSerializer(redemption).data)

    @extend_schema(request=s.ReasonSerializer, responses=s.RedemptionSerializer)
    @action(detail=True, methods=["post"], permission_classes=[perm_required("points.change_redemption")])
    def cancel(self, request, pk=None):
        redemption = self.get_object()
        data = s.ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            redemption = points_redemption_cancel(
                redemption=redemption, actor=request.user, reason=data.validated_data["reason"]
            )
        except PointsError as exc:
            _refuse(exc)
        return Response(s.RedemptionSerializer(redemption).data)


class HomeStationViewSet(ScopedModelViewSet):
    """人员的常驻驿站（人员与驿站的关联；写入经 home_station_set）。"""

    queryset = HomeStation.objects.select_related("person", "station").order_by("person_id")
    serializer_class = s.HomeStationSerializer
    filterset_fields = ["person", "station"]

    def perform_destroy(self, instance):
        home_station_set(person=instance.person, station=None)


def register(router) -> None:
    router.register("points/home-stations", HomeStationViewSet, basename="points-home-station")
    router.register("points/accounts", AccountViewSet, basename="points-account")
    router.register("points/entries", EntryViewSet, basename="points-entry")
    router.register("points/tasks", TaskViewSet, basename="points-task")
    router.register("points/claims", ClaimViewSet, basename="points-claim")
    router.register("points/rewards", RewardViewSet, basename="points-reward")
    router.register("points/redemptions", RedemptionViewSet, basename="points-redemption")
