import django_filters
from django.core.cache import cache
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers as drf_serializers
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle

from core.cache import count_hits, public_rate, public_rate_key
from core.http import client_ip
from organizations.api_base import ScopedModelViewSet, ScopedReadOnlyViewSet
from organizations.filters import SubtreeFilter
from stations import geo
from stations.models import CareActivity, Inspection, OpeningHours, Service, ServicePoint, Station, Visit
from stations.selectors import nearby_service_points, nearby_stations, overdue_q
from stations.serializers import (
    CareActivitySerializer,
    InspectionSerializer,
    NearbyPointSerializer,
    NearbySerializer,
    ServicePointSerializer,
    ServiceSerializer,
    StationSerializer,
    VisitSerializer,
)
from stations.services import service_point_save


class StationFilter(django_filters.FilterSet):
    territory = SubtreeFilter(label="辖区代码（含下级）")
    service = django_filters.CharFilter(field_name="services__code", label="服务项目编码")
    overdue = django_filters.BooleanFilter(method="filter_overdue", label="六个一检查逾期")

    class Meta:
        model = Station
        fields = ["tier", "host_type", "status", "is_24h", "compliant"]

    def filter_overdue(self, qs, name, value):
        if value is None:
            return qs
        return qs.filter(overdue_q()) if value else qs.exclude(overdue_q())


class PublicRateThrottle(BaseThrottle):
    """The public endpoints' rate (``THROTTLE_PUBLIC``), per client address: a counter per window
    (``core.cache.public_rate_key``) that the public grievance intake counts too, in the same
    Redis round trip as its own limits."""

    def allow_request(self, request, view):
        self.limit, self.window = public_rate()
        (count,) = count_hits(cache, [(public_rate_key(client_ip(request)), self.window)])
        return count <= self.limit

    def wait(self):
        return self.window  # at most: the window started at the first request of the address


class StationViewSet(ScopedModelViewSet):
    """宁小蜂驿站。`nearby` 为公开接口（扫码页、友好地图），只返回公开信息。"""

    queryset = (
        Station.objects.select_related("territory")
        .prefetch_related(
            "services", Prefetch("opening_hours", queryset=OpeningHours.objects.order_by("weekday", "opens"))
        )
        .order_by("id")
    )
    serializer_class = StationSerializer
    filterset_class = StationFilter
    search_fields = ["name", "=code", "address"]
    ordering_fields = ["id", "code", "name", "last_inspected_on"]
    lookup_field = "code"

    @extend_schema(
        parameters=[
            OpenApiParameter("lat", OpenApiTypes.DOUBLE, required=True, description="纬度"),
            OpenApiParameter("lng", OpenApiTypes.DOUBLE, required=True, description="经度"),
            OpenApiParameter("coord", OpenApiTypes.STR, description="坐标系 wgs84（默认，手机定位）或 gcj02（高德）"),
            OpenApiParameter("open_now", OpenApiTypes.BOOL, description="1 = 只要此刻开放的驿站"),
            OpenApiParameter("limit", OpenApiTypes.INT, description="最多返回条数（1–50，默认 10）"),
            OpenApiParameter("kind", OpenApiTypes.STR, description="附近服务点位（points）的类型，可多个，逗号分隔"),
        ],
        responses=inline_serializer(
            "NearbyResponse",
            {
                "coord": drf_serializers.CharField(),
                "at": drf_serializers.DateTimeField(),
                "results": NearbySerializer(many=True),
                "points": NearbyPointSerializer(many=True),
            },
        ),
    )
    @action(
        detail=False,
        methods=["get"],
        permission_classes=[AllowAny],
        authentication_classes=[],
        throttle_classes=[PublicRateThrottle],
        pagination_class=None,
        filter_backends=[],
    )
    def nearby(self, request):
        """离我最近的驿站（含距离，米），`points` 为附近的友好地图服务点位（充电点、爱心商家、友好社区入口等）。
        公开信息，不受登录范围限制：这是面向劳动者的友好地图。"""
        lng, lat, coord, limit = nearby_params(request.query_params)
        open_now = request.query_params.get("open_now", "") in ("1", "true", "True", "yes")
        results = nearby_stations(lng=lng, lat=lat, coord_system=coord, open_now=open_now, limit=limit)
        context = {"coord_system": coord, "request": request}
        points = nearby_service_points(lng=lng, lat=lat, coord_system=coord, kinds=point_kinds(request), limit=limit)
        return Response(
            {
                "coord": coord,
                "at": timezone.localtime().isoformat(),
                "results": NearbySerializer(results, many=True, context=context).data,
                "points": NearbyPointSerializer(points, many=True, context=context).data,
            }
        )


def nearby_params(params) -> tuple[float, float, str, int]:
    """lng, lat, coordinate system and limit of a public nearby request, checked."""
    try:
        lat = float(params["lat"])
        lng = float(params["lng"])
    except (KeyError, ValueError) as exc:
        raise ValidationError({"lat": "请提供有效的经纬度参数 lat、lng（十进制度）"}) from exc
    if not (-90 <= lat <= 90 and -180 <= lng <= 180):
        raise ValidationError({"lat": "经纬度超出范围"})
    coord = params.get("coord", geo.WGS84)
    if coord not in geo.SYSTEMS:
        raise ValidationError({"coord": "坐标系只能是 wgs84 或 gcj02"})
    try:
        limit = max(1, min(50, int(params.get("limit", 10))))
    except ValueError as exc:
        raise ValidationError({"limit": "limit 须为整数"}) from exc
    return lng, lat, coord, limit


def point_kinds(request) -> tuple[str, ...]:
    kinds = tuple(k for raw in request.query_params.getlist("kind") for k in raw.split(",") if k)
    unknown = [k for k in kinds if k not in ServicePoint.Kind.values]
    if unknown:
        raise ValidationError({"kind": f"未知的点位类型：{'、'.join(unknown)}"})
    return kinds


NEARBY_PARAMETERS = [
    OpenApiParameter("lat", OpenApiTypes.DOUBLE, required=True, description="纬度"),
    OpenApiParameter("lng", OpenApiTypes.DOUBLE, required=True, description="经度"),
    OpenApiParameter("coord", OpenApiTypes.STR, description="坐标系 wgs84（默认，手机定位）或 gcj02（高德）"),
    OpenApiParameter("limit", OpenApiTypes.INT, description="最多返回条数（1–50，默认 10）"),
    OpenApiParameter(
        "kind",
        OpenApiTypes.STR,
        description="点位类型，可多个（逗号分隔）："
        + "、".join(f"{v} {label}" for v, label in ServicePoint.Kind.choices),
    ),
]


class ServicePointFilter(django_filters.FilterSet):
    territory = SubtreeFilter(label="辖区代码（含下级）")

    class Meta:
        model = ServicePoint
        fields = ["kind", "is_active", "is_24h"]


class ServicePointViewSet(ScopedModelViewSet):
    """友好地图服务点位（充电点、爱心商家、友好社区入口、暖新驿站合作点、厕所、饮水点）。
    写入经 `stations.services.service_point_save`；`nearby` 为公开接口。"""

    queryset = ServicePoint.objects.select_related("territory").order_by("id")
    serializer_class = ServicePointSerializer
    filterset_class = ServicePointFilter
    search_fields = ["name", "=code", "address"]
    ordering_fields = ["id", "code", "name", "updated_at"]
    lookup_field = "code"

    def perform_create(self, serializer):
        self._save(serializer, ServicePoint())

    def perform_update(self, serializer):
        self._save(serializer, serializer.instance)

    def _save(self, serializer, point):
        for field, value in serializer.validated_data.items():
            setattr(point, field, value)
        try:
            serializer.instance = service_point_save(point=point, actor=self.request.user)
        except DjangoValidationError as exc:
            raise ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages) from exc

    @extend_schema(
        parameters=NEARBY_PARAMETERS,
        responses=inline_serializer(
            "NearbyPointResponse",
            {
                "coord": drf_serializers.CharField(),
                "at": drf_serializers.DateTimeField(),
                "results": NearbyPointSerializer(many=True),
            },
        ),
    )
    @action(
        detail=False,
        methods=["get"],
        permission_classes=[AllowAny],
        authentication_classes=[],
        throttle_classes=[PublicRateThrottle],
        pagination_class=None,
        filter_backends=[],
    )
    def nearby(self, request):
        """离我最近的服务点位（含距离，米），可按类型筛选。公开信息。"""
        lng, lat, coord, limit = nearby_params(request.query_params)
        points = nearby_service_points(lng=lng, lat=lat, coord_system=coord, kinds=point_kinds(request), limit=limit)
        data = NearbyPointSerializer(points, many=True, context={"coord_system": coord}).data
        return Response({"coord": coord, "at": timezone.localtime().isoformat(), "results": data})


class ServiceViewSet(viewsets.ReadOnlyModelViewSet):
    """驿站服务项目目录（共享参考数据）。"""

    queryset = Service.objects.all()
    serializer_class = ServiceSerializer
    pagination_class = None


class VisitViewSet(ScopedModelViewSet):
    """服务人次（每站每天每项服务一条）。"""

    queryset = Visit.objects.select_related("service").order_by("-day", "station_id", "service_id")
    serializer_class = VisitSerializer
    filterset_fields = {"station": ["exact"], "day": ["exact", "gte", "lte"], "service": ["exact"]}

    def perform_create(self, serializer):
        serializer.save(recorded_by=self.request.user)

    def perform_update(self, serializer):
        serializer.save(recorded_by=self.request.user)


class InspectionViewSet(ScopedReadOnlyViewSet):
    """六个一检查记录（录入请用管理后台，可上传照片）。"""

    queryset = Inspection.objects.prefetch_related("results__item", "photos").order_by("-inspected_on", "-id")
    serializer_class = InspectionSerializer
    filterset_fields = {"station": ["exact"], "inspected_on": ["gte", "lte"], "is_compliant": ["exact"]}


class CareActivityViewSet(ScopedModelViewSet):
    """聚心行动。"""

    queryset = CareActivity.objects.order_by("-held_on", "-id")
    serializer_class = CareActivitySerializer
    filterset_fields = {"station": ["exact"], "kind": ["exact"], "held_on": ["gte", "lte"]}

    def perform_create(self, serializer):
        serializer.save(created_by=self.request.user)


def register(router) -> None:
    # Not "station": the staff list page is named station-list, and the API root would link there.
    router.register("stations", StationViewSet, basename="api-station")
    router.register("station-services", ServiceViewSet, basename="station-service")
    router.register("station-visits", VisitViewSet, basename="station-visit")
    router.register("station-inspections", InspectionViewSet, basename="station-inspection")
    router.register("care-activities", CareActivityViewSet, basename="care-activity")
    router.register("service-points", ServicePointViewSet, basename="service-point")
