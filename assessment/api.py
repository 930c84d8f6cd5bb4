"""/api/v1/assessment/…: review cycles, secretaries' reviews (submit, score), vanguard indices
with their indicators and ranking. Reads through the scope rule; writes call the services."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from assessment import selectors, services
from assessment.models import Indicator, ReviewCycle, SecretaryReview, VanguardIndex
from organizations.api_base import ScopedReadOnlyViewSet


def needs_perm(perm: str) -> type[BasePermission]:
    class _Needs(BasePermission):
        def has_permission(self, request, view):
            return bool(request.user and request.user.is_authenticated and request.user.has_perm(perm))

    _Needs.__name__ = f"Needs_{perm.replace('.', '_')}"
    return _Needs


class CycleSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReviewCycle
        fields = ["id", "year", "title", "body", "territory", "status"]


class ReviewSerializer(serializers.ModelSerializer):
    organization_name = serializers.CharField(source="organization.name", read_only=True)

    class Meta:
        model = SecretaryReview
        fields = ["id", "cycle", "organization", "organization_name", "secretary_name", "report", "new_sector_work"]
        fields += ["status", "score", "grade", "opinion", "submitted_at", "reviewed_at"]


class SubmitSerializer(serializers.Serializer):
    report = serializers.CharField(label="述职报告")
    new_sector_work = serializers.CharField(label="抓新兴领域党建情况")


class ScoreSerializer(serializers.Serializer):
    score = serializers.DecimalField(label="评议得分", max_digits=5, decimal_places=1)
    opinion = serializers.CharField(label="评议意见", required=False, allow_blank=True, default="")


class IndicatorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Indicator
        fields = ["id", "name", "source", "weight", "full_marks", "sort_order"]


class IndexSerializer(serializers.ModelSerializer):
    indicators = IndicatorSerializer(many=True, read_only=True)

    class Meta:
        model = VanguardIndex
        fields = ["id", "name", "year", "territory", "organization", "min_sample", "indicators"]


class MemberScoreSerializer(serializers.Serializer):
    person_id = serializers.IntegerField()
    name = serializers.CharField()
    organization = serializers.CharField()
    total = serializers.DecimalField(max_digits=5, decimal_places=1)
    rank = serializers.IntegerField(allow_null=True)


class VanguardOrganizationScoreSerializer(serializers.Serializer):
    organization_id = serializers.IntegerField()
    organization = serializers.CharField()
    members = serializers.IntegerField()
    average = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)


class RankingSerializer(serializers.Serializer):
    ranked = serializers.BooleanField(help_text="样本数达到最少样本且权重合计为 100 时才排名")
    weights_ok = serializers.BooleanField()
    members = MemberScoreSerializer(many=True)
    organizations = VanguardOrganizationScoreSerializer(many=True)


def _refuse(exc):
    raise ValidationError({"detail": str(exc)})


class CycleViewSet(ScopedReadOnlyViewSet):
    """述职评议（年度）。"""

    queryset = ReviewCycle.objects.order_by("-year", "id")
    serializer_class = CycleSerializer
    filterset_fields = ["year", "status"]


class ReviewViewSet(ScopedReadOnlyViewSet):
    """书记述职：述职（submit）→ 评议打分（score，自动定等次）。"""

    queryset = SecretaryReview.objects.select_related("organization").order_by("cycle_id", "organization_id")
    serializer_class = ReviewSerializer
    filterset_fields = ["cycle", "status", "grade", "organization"]
    search_fields = ["secretary_name", "organization__name"]

    @extend_schema(request=SubmitSerializer, responses=ReviewSerializer)
    @action(detail=True, methods=["post"], permission_classes=[needs_perm("assessment.change_secretaryreview")])
    def submit(self, request, pk=None):
        review = self.get_object()  # an outsider learns nothing, not even that the body was wrong
        data = SubmitSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            review = services.review_submit(review=review, actor=request.user, **data.validated_data)
        except services.AssessmentError as exc:
            _refuse(exc)
        return Response(ReviewSerializer(review).data)

    @extend_schema(request=ScoreSerializer, responses=ReviewSerializer)
    @action(detail=True, methods=["post"], permission_classes=[needs_perm("assessment.change_secretaryreview")])
    def score(self, request, pk=None):
        review = self.get_object()
        data = ScoreSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            review = services.review_score(review=review, actor=request.user, **data.validated_data)
        except services.AssessmentError as exc:
            _refuse(exc)
        return Response(ReviewSerializer(review).data)


class IndexViewSet(ScopedReadOnlyViewSet):
    """党员先锋指数（指标、权重为配置数据）及排名。"""

    queryset = VanguardIndex.objects.prefetch_related("indicators").order_by("-year", "id")
    serializer_class = IndexSerializer
    filterset_fields = ["year"]

    def get_queryset(self):
        # The district's index is readable from its streets; the members in a ranking are
        # still restricted by the scope rule (selectors.ranking).
        return selectors.indices_visible(self.request.user).prefetch_related("indicators").order_by("-year", "id")

    @extend_schema(
        responses=RankingSerializer,
        parameters=[OpenApiParameter("limit", int, description="返回前 N 名（默认 100）")],
    )
    @action(detail=True, methods=["get"], url_path="ranking")
    def ranking(self, request, pk=None):
        result = selectors.ranking(self.get_object(), request.user)
        raw = request.query_params.get("limit", "100")
        limit = min(int(raw), 1000) if raw.isdigit() else 100
        return Response(
            RankingSerializer(
                {
                    "ranked": result.ranked,
                    "weights_ok": result.weights_ok,
                    "members": result.members[:limit],
                    "organizations": result.organizations,
                }
            ).data
        )


def register(router) -> None:
    router.register("assessment/cycles", CycleViewSet, basename="assessment-cycle")
    router.register("assessment/reviews", ReviewViewSet, basename="assessment-review")
    router.register("assessment/indices", IndexViewSet, basename="assessment-index")
