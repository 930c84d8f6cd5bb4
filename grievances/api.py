"""/api/v1/grievances/: the scoped case list (submitter masked for viewers who do not handle the
case) and a public intake endpoint (AllowAny, throttled, blocklist, same validation as the form)."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import Throttled, ValidationError
from rest_framework.filters import SearchFilter
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from core.http import client_ip
from core.text import clean_code
from grievances import abuse, services
from grievances.models import Channel, Grievance, GrievanceEvent
from grievances.selectors import intake_station, submitter_for
from members.validators import normalize_phone
from organizations.api_base import ScopedReadOnlyViewSet
from organizations.models import Territory


class EventSerializer(serializers.ModelSerializer):
    who = serializers.CharField(read_only=True)

    class Meta:
        model = GrievanceEvent
        fields = ["at", "kind", "who", "old_state", "new_state", "note", "is_public"]


class SubmitterSerializer(serializers.Serializer):
    name = serializers.CharField()
    phone = serializers.CharField()
    masked = serializers.BooleanField()


class GrievanceSerializer(serializers.ModelSerializer):
    category = serializers.CharField(source="category.code", default=None, allow_null=True)
    territory = serializers.CharField(source="territory.code")
    station = serializers.CharField(source="station.code", default=None, allow_null=True)
    body = serializers.CharField(source="body.code", default=None, allow_null=True)
    submitter = serializers.SerializerMethodField()

    class Meta:
        model = Grievance
        fields = [
            "ticket",
            "channel",
            "category",
            "priority",
            "territory",
            "station",
            "text",
            "state",
            "body",
            "submitter",
            "submitted_at",
            "respond_due_at",
            "resolve_due_at",
            "responded_at",
            "resolved_at",
            "escalation_level",
            "rating",
        ]
        # A grievance moves only through the state machine (grievances.services): never by PATCH.
        read_only_fields = fields

    @extend_schema_field(SubmitterSerializer)
    def get_submitter(self, obj) -> dict:
        return SubmitterSerializer(submitter_for(self.context["request"].user, obj)).data


class GrievanceDetailSerializer(GrievanceSerializer):
    events = EventSerializer(many=True, read_only=True)

    class Meta(GrievanceSerializer.Meta):
        fields = [*GrievanceSerializer.Meta.fields, "resolution", "events"]
        read_only_fields = fields


class IntakeSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=2000)
    contact_phone = serializers.CharField(max_length=20)
    contact_name = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
    territory = serializers.CharField(required=False, help_text="街道/镇的区划代码；提供 station 时可省略")
    station = serializers.CharField(required=False, help_text="驿站编码（扫码提交）")
    category = serializers.CharField(required=False, help_text="诉求分类代码；不确定可省略")
    is_anonymous = serializers.BooleanField(required=False, default=False)

    def validate(self, attrs):
        station = None
        if attrs.get("station"):
            # One statement: the station, the blocklist's answer for this address and phone, and
            # the chosen active category (None when no active category has the code: the service
            # then says so, in Chinese).
            request = self.context["request"]
            phone = normalize_phone(attrs["contact_phone"])
            found = intake_station(
                attrs["station"],
                ip=client_ip(request),
                phone=phone,
                category_code=attrs.get("category", "").strip() or None,
            )
            if found is None:
                raise ValidationError({"station": f"驿站编码 {attrs['station']} 不存在"})
            station = found.station
            attrs["blocked"] = (phone, found.blocked)
            attrs["category_obj"] = found.category
        territory = None
        if attrs.get("territory"):
            territory = Territory.objects.filter(code=attrs["territory"]).first()
            if territory is None:
                raise ValidationError({"territory": f"区划代码 {attrs['territory']} 不存在"})
        if station is None and territory is None:
            raise ValidationError({"territory": "请提供街道区划代码或驿站编码"})
        attrs["station_obj"], attrs["territory_obj"] = station, territory or station.territory
        return attrs


class IntakeResultSerializer(serializers.Serializer):
    ticket = serializers.CharField()
    state = serializers.CharField()


class TicketSearchFilter(SearchFilter):
    """``?search=`` is a ticket: folded like every typed ticket (full width, lower case, spaces),
    as one term, not split at its spaces."""

    def get_search_terms(self, request):
        term = clean_code(request.query_params.get(self.search_param, ""))
        return [term] if term else []


class GrievanceViewSet(ScopedReadOnlyViewSet):
    """诉求（按辖区、责任单位、驿站范围过滤；非办理人看到的提交人信息已脱敏）。"""

    queryset = Grievance.objects.select_related("category", "territory", "station", "body", "person")
    serializer_class = GrievanceSerializer
    lookup_field = "ticket"
    filterset_fields = ["state", "channel", "priority", "escalation_level"]
    filter_backends = [
        TicketSearchFilter if backend is SearchFilter else backend for backend in ScopedReadOnlyViewSet.filter_backends
    ]
    search_fields = ["=ticket"]
    ordering_fields = ["submitted_at", "resolve_due_at"]
    ordering = ["-submitted_at"]

    def get_object(self):
        # The ticket in the path is typed like any other (full width, lower case): folded.
        self.kwargs[self.lookup_field] = clean_code(self.kwargs[self.lookup_field])
        return super().get_object()

    def get_serializer_class(self):
        return GrievanceDetailSerializer if self.action == "retrieve" else GrievanceSerializer

    def get_queryset(self):
        qs = super().get_queryset()
        if self.action == "retrieve":
            qs = qs.prefetch_related("events__actor")
        return qs

    non_atomic = False  # set on the intake's route (as_view)

    @classmethod
    def as_view(cls, actions=None, **initkwargs):
        if actions and actions.get("post") == "intake":
            # The intake's own transaction is the only one: no request-wide transaction (and so no
            # savepoint pair) around its look-ups, its limits and its after-commit publish.
            return transaction.non_atomic_requests(super().as_view(actions, non_atomic=True, **initkwargs))
        return super().as_view(actions, **initkwargs)

    def get_exception_handler(self):
        handler = super().get_exception_handler()
        if not self.non_atomic:
            return handler

        def intake_handler(exc, context):
            # DRF's handler marks the enclosing transaction for rollback, meaning the request's
            # own; the intake has none (see as_view), so an enclosing one is a caller's (a test's)
            # and not the refusal's to doom. The intake's own transaction is already closed.
            connection = transaction.get_connection()
            doomed = connection.needs_rollback
            response = handler(exc, context)
            if connection.in_atomic_block:
                transaction.set_rollback(doomed)
            return response

        return intake_handler

    @extend_schema(
        request=IntakeSerializer,
        responses={201: IntakeResultSerializer},
        auth=[],
        description="公开的诉求提交接口（无需登录）：按 IP 和手机号限流，黑名单拒绝；返回受理编号。",
    )
    @action(
        detail=False,
        methods=["post"],
        permission_classes=[AllowAny],
        authentication_classes=[],
        # The public rate (``DEFAULT_THROTTLE_RATES["public"]``, per client address) is counted by
        # ``abuse.check_submit`` in the same cache round trip as the address and phone limits.
        throttle_classes=[],
        url_path="intake",
    )
    def intake(self, request):
        serializer = IntakeSerializer(data=request.data, context={"request": request._request})  # noqa: SLF001
        valid = serializer.is_valid()
        data = serializer.validated_data if valid else {}
        try:
            # DRF's documented way to the HttpRequest it wraps. An invalid request counts against
            # the rate only (as DRF's throttle did, before validation); a valid one against all.
            abuse.check_submit(
                request._request,  # noqa: SLF001
                normalize_phone(data["contact_phone"]) if valid else None,
                throttle=True,
                blocked=data.get("blocked"),
            )
        except abuse.Throttled as exc:
            raise Throttled(wait=exc.wait) from exc
        except abuse.Refused as exc:
            raise Throttled(detail=str(exc)) from exc
        if not valid:
            raise ValidationError(serializer.errors)
        try:
            grievance = services.grievance_create(
                channel=Channel.STATION_QR if data["station_obj"] else Channel.WEB,
                text=data["text"],
                territory=data["territory_obj"],
                station=data["station_obj"],
                category=data.get("category_obj"),
                category_code=None if data.get("category_obj") else data.get("category"),
                contact_name=data["contact_name"],
                contact_phone=data["contact_phone"],
                is_anonymous=data["is_anonymous"],
                receipt_sms=True,
            )
        except DjangoValidationError as exc:
            raise ValidationError(exc.message_dict) from exc
        # The state a new case starts in: the row just written is not read back.
        return Response({"ticket": grievance.ticket, "state": grievance.state}, status=status.HTTP_201_CREATED)


def register(router) -> None:
    from grievances import api_mediation

    router.register("grievances", GrievanceViewSet, basename="grievance")
    api_mediation.register(router)
