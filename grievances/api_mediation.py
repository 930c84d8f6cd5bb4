"""/api/v1/mediations/ and /api/v1/mediation-committees/: 劳动争议调解 records, written through
``grievances.mediation`` (open = create; ``sessions`` and ``close`` actions)."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from core.text import clean_code
from grievances import mediation as services
from grievances.models import Grievance, Mediation, MediationCommittee, MediationSession
from organizations.api_base import ScopedModelViewSet, ScopedReadOnlyViewSet
from organizations.scope import restrict


def _drf(exc: DjangoValidationError) -> ValidationError:
    return ValidationError(exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages})


class CommitteeSerializer(serializers.ModelSerializer):
    class Meta:
        model = MediationCommittee
        fields = ["id", "name", "kind", "territory", "phone", "is_active"]


class MediationCommitteeViewSet(ScopedReadOnlyViewSet):
    """劳动争议调解委员会 / 一站式调解中心（参考数据）。"""

    queryset = MediationCommittee.objects.order_by("id")
    serializer_class = CommitteeSerializer
    filterset_fields = ["kind", "is_active"]


class MediationSessionSerializer(serializers.ModelSerializer):
    class Meta:
        model = MediationSession
        fields = ["id", "held_on", "place", "attendees", "notes"]


class MediationSerializer(serializers.ModelSerializer):
    ticket = serializers.CharField(source="grievance.ticket", read_only=True)
    grievance = serializers.CharField(write_only=True, help_text="诉求受理编号（劳动权益类）")
    committee = serializers.PrimaryKeyRelatedField(queryset=MediationCommittee.objects.filter(is_active=True))
    sessions = MediationSessionSerializer(many=True, read_only=True)
    amount_yuan = serializers.CharField(read_only=True)

    class Meta:
        model = Mediation
        fields = [
            "id",
            "grievance",
            "ticket",
            "committee",
            "mediator",
            "status",
            "opened_at",
            "closed_at",
            "agreement",
            "amount_yuan",
            "referral_to",
            "outcome_note",
            "sessions",
        ]
        read_only_fields = ["status", "opened_at", "closed_at", "agreement", "referral_to", "outcome_note"]


class CloseSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=[(s, Mediation.Status(s).label) for s in services.CLOSED_STATUSES])
    agreement = serializers.CharField(required=False, allow_blank=True, default="")
    amount_yuan = serializers.CharField(required=False, allow_blank=True, default="", help_text="协议金额（元）")
    referral_to = serializers.ChoiceField(choices=Mediation.Referral.choices, required=False, allow_blank=True)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class MediationViewSet(ScopedModelViewSet):
    """劳动争议调解记录（劳动权益类诉求）。POST 受理调解；`sessions` 记录调解会；`close` 结案。"""

    queryset = (
        Mediation.objects.select_related("grievance", "committee").prefetch_related("sessions").order_by("-opened_at")
    )
    serializer_class = MediationSerializer
    filterset_fields = ["status", "committee", "referral_to"]
    http_method_names = ["get", "post", "head", "options"]

    def perform_create(self, serializer):
        data = serializer.validated_data
        grievance = restrict(Grievance.objects.select_related("category", "territory"), self.request.user).filter(
            ticket=clean_code(data["grievance"])
        )
        grievance = grievance.first()
        if grievance is None:
            raise ValidationError({"grievance": f"诉求 {data['grievance']} 不存在或不在您的管辖范围内"})
        try:
            serializer.instance = services.mediation_open(
                grievance=grievance, committee=data["committee"], mediator=data["mediator"], actor=self.request.user
            )
        except DjangoValidationError as exc:
            raise _drf(exc) from exc

    def _for_write(self, perm: str) -> Mediation:
        if not self.request.user.has_perm("grievances.view_mediation"):
            raise Http404
        mediation = self.get_object()
        if not self.request.user.has_perm(perm):
            raise PermissionDenied("您没有办理调解的权限")
        return mediation

    @extend_schema(request=MediationSessionSerializer, responses=MediationSessionSerializer)
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def sessions(self, request, pk=None):
        mediation = self._for_write("grievances.add_mediationsession")
        body = MediationSessionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            session = services.mediation_session_record(mediation=mediation, actor=request.user, **body.validated_data)
        except DjangoValidationError as exc:
            raise _drf(exc) from exc
        return Response(MediationSessionSerializer(session).data, status=201)

    @extend_schema(request=CloseSerializer, responses=MediationSerializer)
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def close(self, request, pk=None):
        mediation = self._for_write("grievances.change_mediation")
        body = CloseSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        try:
            mediation = services.mediation_close(
                mediation=mediation,
                outcome=data["outcome"],
                agreement=data["agreement"],
                amount_fen=services.parse_amount_fen(data["amount_yuan"]),
                referral_to=data.get("referral_to", ""),
                note=data["note"],
                actor=request.user,
            )
        except DjangoValidationError as exc:
            raise _drf(exc) from exc
        return Response(MediationSerializer(mediation).data)


def register(router) -> None:
    router.register("mediation-committees", MediationCommitteeViewSet, basename="mediation-committee")
    router.register("mediations", MediationViewSet, basename="mediation")
