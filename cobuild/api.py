"""/api/v1/cobuild/…: alliances, the three lists (needs, resources, projects), claims and
agreements. Reads go through the scope rule; every write calls a service."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from cobuild import services
from cobuild.models import Agreement, AgreementParty, Alliance, AllianceMember, Claim, Need, Project, Resource
from cobuild.selectors import suggestions_for
from organizations.api_base import ScopedReadOnlyViewSet, ScopedWriteSerializerMixin
from organizations.scope import get_visible_or_404


def needs_perm(perm: str) -> type[BasePermission]:
    class _Needs(BasePermission):
        def has_permission(self, request, view):
            return bool(request.user and request.user.is_authenticated and request.user.has_perm(perm))

    _Needs.__name__ = f"Needs_{perm.replace('.', '_')}"
    return _Needs


def _refuse(exc: services.CobuildError):
    raise ValidationError({"detail": str(exc)})


class AllianceMemberSerializer(serializers.ModelSerializer):
    class Meta:
        model = AllianceMember
        fields = ["id", "name", "unit", "body", "contact", "joined_on"]


class AllianceSerializer(serializers.ModelSerializer):
    members = AllianceMemberSerializer(many=True, read_only=True)

    class Meta:
        model = Alliance
        fields = ["id", "name", "territory", "organization", "body", "description", "members"]


class ResourceSerializer(ScopedWriteSerializerMixin, serializers.ModelSerializer):
    owner_name = serializers.CharField(source="owner.name", read_only=True)

    class Meta:
        model = Resource
        fields = [
            "id",
            "alliance",
            "owner",
            "owner_name",
            "kind",
            "category",
            "name",
            "description",
            "capacity",
            "capacity_unit",
            "availability",
            "is_available",
            "address",
            "longitude",
            "latitude",
            "updated_at",
        ]


class NeedSerializer(ScopedWriteSerializerMixin, serializers.ModelSerializer):
    class Meta:
        model = Need
        fields = [
            "id",
            "alliance",
            "holder",
            "raised_by",
            "category",
            "title",
            "description",
            "quantity",
            "status",
            "raised_on",
            "met_on",
            "address",
            "longitude",
            "latitude",
        ]
        read_only_fields = ["status", "met_on"]


class CobuildClaimSerializer(serializers.ModelSerializer):
    class Meta:
        model = Claim
        fields = ["id", "need", "resource", "direction", "status", "note", "created_at", "decided_at"]


class ProjectSerializer(ScopedWriteSerializerMixin, serializers.ModelSerializer):
    class Meta:
        model = Project
        fields = [
            "id",
            "alliance",
            "lead",
            "title",
            "description",
            "needs",
            "budget_yuan",
            "status",
            "review_opinion",
            "reviewed_at",
            "progress",
            "proposed_on",
            "done_on",
        ]
        read_only_fields = ["status", "review_opinion", "reviewed_at", "progress", "done_on"]


class PartySerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.name", read_only=True)

    class Meta:
        model = AgreementParty
        fields = ["member", "member_name", "obligations"]


class AgreementSerializer(serializers.ModelSerializer):
    parties = PartySerializer(many=True, read_only=True)

    class Meta:
        model = Agreement
        fields = ["id", "alliance", "title", "content", "signed_on", "starts_on", "ends_on", "renews", "parties"]


class SuggestionSerializer(serializers.Serializer):
    resource = ResourceSerializer()
    distance_km = serializers.FloatField(allow_null=True)


class ClaimRequestSerializer(serializers.Serializer):
    resource = serializers.IntegerField(label="资源", required=False)
    need = serializers.IntegerField(label="需求", required=False)
    note = serializers.CharField(label="说明", max_length=200, required=False, allow_blank=True, default="")


class DecideSerializer(serializers.Serializer):
    accept = serializers.BooleanField(label="是否接受")


class ReviewSerializer(serializers.Serializer):
    approve = serializers.BooleanField(label="是否通过")
    opinion = serializers.CharField(label="论证意见")


class ProgressSerializer(serializers.Serializer):
    progress = serializers.IntegerField(label="进度（%）", min_value=0, max_value=100)
    note = serializers.CharField(label="进展说明")


class SaveThroughService:
    """create/update call ``save_service(instance, actor)``; no deletes (lists are closed, not
    erased)."""

    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def _save(self, serializer, instance):
        for field, value in serializer.validated_data.items():
            if field not in self.m2m_fields:
                setattr(instance, field, value)
        try:
            serializer.instance = self.save_service(instance, self.request.user, serializer.validated_data)
        except services.CobuildError as exc:
            _refuse(exc)

    m2m_fields: tuple[str, ...] = ()

    def perform_create(self, serializer):
        self._save(serializer, serializer.Meta.model())

    def perform_update(self, serializer):
        self._save(serializer, serializer.instance)


class AllianceViewSet(ScopedReadOnlyViewSet):
    """党建联盟及其成员单位。"""

    queryset = Alliance.objects.prefetch_related("members").order_by("id")
    serializer_class = AllianceSerializer
    search_fields = ["name"]


class ResourceViewSet(SaveThroughService, mixins.CreateModelMixin, mixins.UpdateModelMixin, ScopedReadOnlyViewSet):
    """资源清单（阵地类、服务类），可按类别、联盟筛选；需求方可申请资源（双向认领）。"""

    queryset = Resource.objects.select_related("owner").order_by("alliance_id", "id")
    serializer_class = ResourceSerializer
    filterset_fields = ["alliance", "kind", "category", "is_available", "owner"]
    search_fields = ["name", "owner__name"]

    def save_service(self, instance, actor, data):
        return services.resource_save(resource=instance, actor=actor)

    @extend_schema(request=ClaimRequestSerializer, responses=CobuildClaimSerializer)
    @action(detail=True, methods=["post"], url_path="request", permission_classes=[needs_perm("cobuild.add_claim")])
    def request_resource(self, request, pk=None):
        """需求方申请该资源（body：need、note）。"""
        resource = self.get_object()
        data = ClaimRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if not data.validated_data.get("need"):
            raise ValidationError({"need": "请选择需求"})
        need = get_visible_or_404(Need.objects.select_related("alliance"), request.user, pk=data.validated_data["need"])
        try:
            claim = services.resource_request(
                resource=resource, need=need, actor=request.user, note=data.validated_data["note"]
            )
        except services.CobuildError as exc:
            _refuse(exc)
        return Response(CobuildClaimSerializer(claim).data, status=status.HTTP_201_CREATED)


class NeedViewSet(SaveThroughService, mixins.CreateModelMixin, mixins.UpdateModelMixin, ScopedReadOnlyViewSet):
    """需求清单；状态随认领变化（待认领 → 对接中 → 已满足）。"""

    queryset = Need.objects.select_related("alliance").order_by("-raised_on", "-id")
    serializer_class = NeedSerializer
    filterset_fields = ["alliance", "category", "status", "holder"]
    search_fields = ["title", "raised_by"]

    def save_service(self, instance, actor, data):
        return services.need_save(need=instance, actor=actor)

    @extend_schema(responses=SuggestionSerializer(many=True))
    @action(detail=True, methods=["get"])
    def suggestions(self, request, pk=None):
        """按类别匹配、按距离排序的资源建议。"""
        rows = suggestions_for(self.get_object(), request.user)
        return Response(SuggestionSerializer(rows, many=True).data)

    @extend_schema(request=ClaimRequestSerializer, responses=CobuildClaimSerializer)
    @action(detail=True, methods=["post"], permission_classes=[needs_perm("cobuild.add_claim")])
    def claim(self, request, pk=None):
        """成员单位以其资源认领该需求（body：resource、note）。"""
        need = self.get_object()  # an outsider gets 404 before any word about the body
        data = ClaimRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if not data.validated_data.get("resource"):
            raise ValidationError({"resource": "请选择资源"})
        resource = get_visible_or_404(Resource.objects.all(), request.user, pk=data.validated_data["resource"])
        try:
            claim = services.need_claim(
                need=need, resource=resource, actor=request.user, note=data.validated_data["note"]
            )
        except services.CobuildError as exc:
            _refuse(exc)
        return Response(CobuildClaimSerializer(claim).data, status=status.HTTP_201_CREATED)


class ClaimViewSet(ScopedReadOnlyViewSet):
    """认领对接：对方确认或婉拒，服务兑现后标记完成。"""

    queryset = Claim.objects.select_related("need__alliance").order_by("-created_at", "-id")
    serializer_class = CobuildClaimSerializer
    filterset_fields = ["need", "resource", "status", "direction"]

    @extend_schema(request=DecideSerializer, responses=CobuildClaimSerializer)
    @action(detail=True, methods=["post"], permission_classes=[needs_perm("cobuild.change_claim")])
    def decide(self, request, pk=None):
        claim = self.get_object()
        data = DecideSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            claim = services.claim_decide(claim=claim, actor=request.user, **data.validated_data)
        except services.CobuildError as exc:
            _refuse(exc)
        return Response(CobuildClaimSerializer(claim).data)

    @extend_schema(request=None, responses=CobuildClaimSerializer)
    @action(detail=True, methods=["post"], permission_classes=[needs_perm("cobuild.change_claim")])
    def fulfil(self, request, pk=None):
        try:
            claim = services.claim_fulfil(claim=self.get_object(), actor=request.user)
        except services.CobuildError as exc:
            _refuse(exc)
        return Response(CobuildClaimSerializer(claim).data)


class ProjectViewSet(SaveThroughService, mixins.CreateModelMixin, mixins.UpdateModelMixin, ScopedReadOnlyViewSet):
    """项目清单：申报 → 论证 → 实施（进展填报）→ 完成。"""

    queryset = Project.objects.select_related("alliance").prefetch_related("needs").order_by("-proposed_on", "-id")
    serializer_class = ProjectSerializer
    filterset_fields = ["alliance", "status", "lead"]
    search_fields = ["title"]
    m2m_fields = ("needs",)

    def save_service(self, instance, actor, data):
        return services.project_save(project=instance, actor=actor, needs=data.get("needs"))

    @extend_schema(request=ReviewSerializer, responses=ProjectSerializer)
    @action(detail=True, methods=["post"], permission_classes=[needs_perm("cobuild.change_project")])
    def review(self, request, pk=None):
        """项目论证：通过或不通过，附论证意见。"""
        project = self.get_object()
        data = ReviewSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            project = services.project_review(project=project, actor=request.user, **data.validated_data)
        except services.CobuildError as exc:
            _refuse(exc)
        return Response(ProjectSerializer(project).data)

    @extend_schema(request=ProgressSerializer, responses=ProjectSerializer)
    @action(detail=True, methods=["post"], permission_classes=[needs_perm("cobuild.add_projectupdate")])
    def progress(self, request, pk=None):
        """填报进展；进度 100% 即完成。"""
        project = self.get_object()
        data = ProgressSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            services.project_progress(project=project, actor=request.user, **data.validated_data)
        except services.CobuildError as exc:
            _refuse(exc)
        project.refresh_from_db()
        return Response(ProjectSerializer(project).data)


class AgreementViewSet(ScopedReadOnlyViewSet):
    """共建协议（签约方、承诺事项、期限、续签）。"""

    queryset = Agreement.objects.prefetch_related("parties__member").order_by("-starts_on", "-id")
    serializer_class = AgreementSerializer
    filterset_fields = ["alliance"]
    search_fields = ["title"]

    @extend_schema(request=None, responses=AgreementSerializer)
    @action(detail=True, methods=["post"], permission_classes=[needs_perm("cobuild.add_agreement")])
    def renew(self, request, pk=None):
        """续签一年，签约方与承诺不变。"""
        try:
            renewal = services.agreement_renew(agreement=self.get_object(), actor=request.user)
        except services.CobuildError as exc:
            _refuse(exc)
        return Response(AgreementSerializer(renewal).data, status=status.HTTP_201_CREATED)


def register(router) -> None:
    router.register("cobuild/alliances", AllianceViewSet, basename="cobuild-alliance")
    router.register("cobuild/needs", NeedViewSet, basename="cobuild-need")
    router.register("cobuild/resources", ResourceViewSet, basename="cobuild-resource")
    router.register("cobuild/claims", ClaimViewSet, basename="cobuild-claim")
    router.register("cobuild/projects", ProjectViewSet, basename="cobuild-project")
    router.register("cobuild/agreements", AgreementViewSet, basename="cobuild-agreement")
