from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from members import services
from members.filters import MembershipFilter, PersonFilter
from members.models import PartyMembership, Person, Transfer, TransferEvent
from members.selectors import person_search_q
from members.serializers import (
    MembershipSerializer,
    NoteSerializer,
    PersonSerializer,
    RejectSerializer,
    TransferRequestSerializer,
    TransferSerializer,
    as_drf_error,
)
from organizations.api_base import ScopedModelViewSet, ScopedReadOnlyViewSet, ScopedViewSetMixin


class PersonSearchMixin:
    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        term = self.request.query_params.get("q", "")
        return queryset.filter(person_search_q(term, viewer=self.request.user)) if term.strip() else queryset


class PersonViewSet(PersonSearchMixin, ScopedModelViewSet):
    """人员（新就业群体劳动者、党员）。身份证号和手机号一律脱敏返回；写入时可提交完整值。

    ``?q=`` 按姓名、拼音首字母（zs）、完整身份证号、完整手机号或手机号后4位（恰好4位）查找。"""

    queryset = Person.objects.select_related("territory", "membership").order_by("id")
    serializer_class = PersonSerializer
    filterset_class = PersonFilter
    ordering_fields = ["id", "name"]
    http_method_names = ["get", "post", "patch", "head", "options"]


class MembershipViewSet(ScopedReadOnlyViewSet):
    """党员（正式/预备、流动、隐形、失联）。"""

    queryset = PartyMembership.objects.select_related("person", "organization").order_by("id")
    serializer_class = MembershipSerializer
    filterset_class = MembershipFilter
    ordering_fields = ["id", "joined_on"]

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        term = self.request.query_params.get("q", "")
        if term.strip():
            people = Person.objects.filter(person_search_q(term, viewer=self.request.user))
            queryset = queryset.filter(person__in=people.values("pk"))
        return queryset


class TransferViewSet(ScopedViewSetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """组织关系转接：申请 → 转出审批 → 转入接收/退回；有效期3个月；含完整时间线。"""

    queryset = Transfer.objects.select_related(
        "membership__person", "from_organization", "to_organization"
    ).prefetch_related(Prefetch("events", queryset=TransferEvent.objects.select_related("actor")))
    serializer_class = TransferSerializer
    filterset_fields = ["status", "from_organization", "to_organization"]
    ordering_fields = ["requested_at"]

    def get_queryset(self):
        # Both ends see a transfer (Transfer.objects.visible_to), not only the outgoing side.
        return self.queryset.all().visible_to(self.request.user).order_by("-requested_at", "-id")

    def _respond(self, transfer, code=status.HTTP_200_OK):
        transfer = self.get_queryset().get(pk=transfer.pk)
        return Response(TransferSerializer(transfer, context=self.get_serializer_context()).data, status=code)

    @extend_schema(request=TransferRequestSerializer, responses=TransferSerializer)
    def create(self, request, *args, **kwargs):
        form = TransferRequestSerializer(data=request.data, context=self.get_serializer_context())
        form.is_valid(raise_exception=True)
        try:
            transfer = services.transfer_request(actor=request.user, **form.validated_data)
        except DjangoValidationError as exc:
            raise as_drf_error(exc) from exc
        return self._respond(transfer, status.HTTP_201_CREATED)

    def _step(self, request, func, serializer_class=NoteSerializer, **mapping):
        transfer = self.get_object()
        form = serializer_class(data=request.data)
        form.is_valid(raise_exception=True)
        kwargs = {target: form.validated_data[source] for target, source in mapping.items()}
        try:
            transfer = func(transfer=transfer, actor=request.user, **kwargs)
        except DjangoValidationError as exc:
            raise as_drf_error(exc) from exc
        return self._respond(transfer)

    @extend_schema(request=NoteSerializer, responses=TransferSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """转出党组织审批通过。"""
        return self._step(request, services.transfer_approve, note="note")

    @extend_schema(request=NoteSerializer, responses=TransferSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        """转入党组织接收：党员的所在党组织随即变更。"""
        return self._step(request, services.transfer_accept, note="note")

    @extend_schema(request=RejectSerializer, responses=TransferSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        """退回（须填写原因）。"""
        return self._step(request, services.transfer_reject, RejectSerializer, reason="reason")

    @extend_schema(request=NoteSerializer, responses=TransferSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """转出党组织撤销申请。"""
        return self._step(request, services.transfer_cancel, note="note")


def register(router) -> None:
    router.register("persons", PersonViewSet, basename="person")
    router.register("members", MembershipViewSet, basename="member")
    router.register("transfers", TransferViewSet, basename="transfer")
