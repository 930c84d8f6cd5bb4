from django.urls import reverse
from rest_framework import serializers

from organizations.api_base import (
    ModelCleanSerializerMixin,
    RoleReadOnlySerializerMixin,
    ScopedWriteSerializerMixin,
)
from stations.hours import station_is_open
from stations.models import (
    CareActivity,
    Inspection,
    InspectionResult,
    OpeningHours,
    Service,
    ServicePoint,
    Station,
    Visit,
)
from stations.selectors import OFFICER_ONLY_FIELDS, is_overdue, is_station_manager_only


class ServiceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Service
        fields = ["id", "code", "name", "sort_order", "is_active"]


class OpeningHoursSerializer(serializers.ModelSerializer):
    class Meta:
        model = OpeningHours
        fields = ["weekday", "opens", "closes"]


class StationSerializer(RoleReadOnlySerializerMixin, ScopedWriteSerializerMixin, serializers.ModelSerializer):
    territory_name = serializers.CharField(source="territory.name", read_only=True)
    services = serializers.SlugRelatedField(
        slug_field="code", many=True, queryset=Service.objects.filter(is_active=True), required=False
    )
    opening_hours = OpeningHoursSerializer(many=True, read_only=True)
    overdue = serializers.SerializerMethodField(help_text="六个一检查是否逾期")
    open_now = serializers.SerializerMethodField()

    class Meta:
        model = Station
        fields = [
            "id",
            "code",
            "name",
            "tier",
            "host_type",
            "hosting_unit",
            "territory",
            "territory_name",
            "address",
            "longitude",
            "latitude",
            "coord_system",
            "lng_wgs84",
            "lat_wgs84",
            "manager_post",
            "status",
            "is_24h",
            "services",
            "opening_hours",
            "open_now",
            "contact_phone",
            "description",
            "last_inspected_on",
            "compliant",
            "overdue",
        ]
        read_only_fields = ["lng_wgs84", "lat_wgs84", "last_inspected_on", "compliant"]

    def get_overdue(self, obj) -> bool:
        return is_overdue(obj)

    def get_open_now(self, obj) -> bool:
        return station_is_open(obj)

    role_read_only_message = "驿站站长不能修改此项，请联系所在街道"

    def role_read_only_fields(self, user) -> tuple[str, ...]:
        # The admin's lock for the same role (StationAdmin.get_readonly_fields).
        return OFFICER_ONLY_FIELDS if is_station_manager_only(user) else ()

    def validate_code(self, value):
        from core.text import clean_code

        return clean_code(value)

    def validate(self, attrs):
        request = self.context.get("request")
        if request is not None and is_station_manager_only(request.user) and self.instance is None:
            # On an existing station the officer-only fields are read-only for this role
            # (role_read_only_fields); a new station is the street's to register.
            raise serializers.ValidationError({"non_field_errors": "驿站站长不能新建驿站"})
        instance = Station(**{k: v for k, v in attrs.items() if k != "services"})
        if self.instance is not None:
            for field in ("longitude", "latitude"):
                if field not in attrs:
                    setattr(instance, field, getattr(self.instance, field))
        from django.core.exceptions import ValidationError as DjangoValidationError

        try:
            instance.clean()
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from exc
        for field in ("code", "contact_phone"):
            if field in attrs:
                attrs[field] = getattr(instance, field)
        return attrs


class NearbySerializer(serializers.Serializer):
    code = serializers.CharField(source="station.code")
    name = serializers.CharField(source="station.name")
    tier = serializers.CharField(source="station.tier")
    address = serializers.CharField(source="station.address")
    is_24h = serializers.BooleanField(source="station.is_24h")
    open_now = serializers.BooleanField()
    distance_m = serializers.SerializerMethodField()
    lng = serializers.SerializerMethodField()
    lat = serializers.SerializerMethodField()
    services = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    def get_distance_m(self, obj) -> int:
        return round(obj.distance_m)

    def _coords(self, obj):
        return obj.station.coordinates_in(self.context.get("coord_system", "wgs84"))

    def get_lng(self, obj) -> float:
        return round(self._coords(obj)[0], 7)

    def get_lat(self, obj) -> float:
        return round(self._coords(obj)[1], 7)

    def get_services(self, obj) -> list[str]:
        return [s.name for s in obj.station.services.all()]

    def get_url(self, obj) -> str:
        from django.urls import reverse

        return reverse("station-phone", kwargs={"code": obj.station.code})


class VisitSerializer(ModelCleanSerializerMixin, ScopedWriteSerializerMixin, serializers.ModelSerializer):
    # The catalogue is shared reference data (no scope), so not the scoped FK field.
    service = serializers.PrimaryKeyRelatedField(queryset=Service.objects.filter(is_active=True))
    service_code = serializers.CharField(source="service.code", read_only=True)

    class Meta:
        model = Visit
        fields = ["id", "station", "day", "service", "service_code", "count", "recorded_by", "updated_at"]
        read_only_fields = ["recorded_by", "updated_at"]


class InspectionResultSerializer(serializers.ModelSerializer):
    item_name = serializers.CharField(source="item.name", read_only=True)

    class Meta:
        model = InspectionResult
        fields = ["item", "item_name", "passed", "note"]


class InspectionSerializer(serializers.ModelSerializer):
    results = InspectionResultSerializer(many=True, read_only=True)
    photos = serializers.SerializerMethodField()

    class Meta:
        model = Inspection
        fields = ["id", "station", "inspected_on", "inspector_name", "notes", "is_compliant", "results", "photos"]
        read_only_fields = fields  # recorded through stations.services.inspection_record

    def get_photos(self, obj) -> list[str]:
        # The scoped view, not the stored file's /media/ path: nothing serves MEDIA_URL.
        request = self.context.get("request")
        paths = [reverse("station-inspection-photo", args=[p.pk]) for p in obj.photos.all()]
        return [request.build_absolute_uri(path) for path in paths] if request else paths


class CareActivitySerializer(ModelCleanSerializerMixin, ScopedWriteSerializerMixin, serializers.ModelSerializer):
    class Meta:
        model = CareActivity
        fields = [
            "id",
            "station",
            "held_on",
            "kind",
            "title",
            "participants",
            "items_given",
            "items_count",
            "notes",
        ]

    def validate(self, attrs):
        attrs = super().validate(attrs)
        if attrs.get("items_count") and not attrs.get("items_given", getattr(self.instance, "items_given", "")):
            raise serializers.ValidationError({"items_given": "填写了发放数量，请注明发放的物品"})
        return attrs


class ServicePointSerializer(ScopedWriteSerializerMixin, serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    code = serializers.CharField(required=False, allow_blank=True, max_length=32, help_text="留空自动编号")

    class Meta:
        model = ServicePoint
        fields = [
            "id",
            "code",
            "name",
            "kind",
            "kind_label",
            "territory",
            "address",
            "longitude",
            "latitude",
            "coord_system",
            "is_24h",
            "hours_text",
            "offers",
            "contact_phone",
            "is_active",
            "lng_wgs84",
            "lat_wgs84",
            "updated_at",
        ]
        read_only_fields = ["lng_wgs84", "lat_wgs84", "updated_at"]

    def validate_code(self, value):
        from core.text import clean_code

        value = clean_code(value)
        clash = ServicePoint.objects.filter(code=value)
        if self.instance is not None:
            clash = clash.exclude(pk=self.instance.pk)
        if value and clash.exists():
            raise serializers.ValidationError(f"点位编码 {value} 已被使用")
        return value


class NearbyPointSerializer(serializers.Serializer):
    code = serializers.CharField(source="point.code")
    name = serializers.CharField(source="point.name")
    kind = serializers.CharField(source="point.kind")
    kind_label = serializers.CharField(source="point.get_kind_display")
    address = serializers.CharField(source="point.address")
    is_24h = serializers.BooleanField(source="point.is_24h")
    hours = serializers.CharField(source="point.hours_text")
    offers = serializers.CharField(source="point.offers")
    phone = serializers.CharField(source="point.contact_phone")
    distance_m = serializers.SerializerMethodField()
    lng = serializers.SerializerMethodField()
    lat = serializers.SerializerMethodField()

    def get_distance_m(self, obj) -> int:
        return round(obj.distance_m)

    def get_lng(self, obj) -> float:
        return round(obj.point.coordinates_in(self.context.get("coord_system", "wgs84"))[0], 7)

    def get_lat(self, obj) -> float:
        return round(obj.point.coordinates_in(self.context.get("coord_system", "wgs84"))[1], 7)
