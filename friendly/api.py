from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from core.masking import mask_phone
from friendly import services
from friendly.models import CommunityEntrance, FriendlyCommunity, MerchantClaim
from friendly.selectors import communities_with_scans
from organizations.api_base import ScopedReadOnlyViewSet


class EntranceSerializer(serializers.ModelSerializer):
    point_code = serializers.CharField(source="point.code", default="", read_only=True)

    class Meta:
        model = CommunityEntrance
        fields = ["id", "name", "address", "longitude", "latitude", "accepts_pass", "point_code"]


class FriendlyCommunitySerializer(serializers.ModelSerializer):
    territory_code = serializers.CharField(source="territory.code", read_only=True)
    entrances = EntranceSerializer(many=True, read_only=True)
    scans_total = serializers.IntegerField(read_only=True)
    scans_today = serializers.IntegerField(read_only=True)
    valid_today = serializers.IntegerField(read_only=True)
    scans_30d = serializers.IntegerField(read_only=True)

    class Meta:
        model = FriendlyCommunity
        fields = [
            "id",
            "name",
            "territory",
            "territory_code",
            "status",
            "published_on",
            "convention",
            "convention_version",
            "property_company",
            "entrances",
            "scans_total",
            "scans_today",
            "valid_today",
            "scans_30d",
        ]


class FriendlyCommunityViewSet(ScopedReadOnlyViewSet):
    """骑手友好社区：公约、入口与宁新码核验次数（总计、今日、今日有效、近30天）。"""

    queryset = FriendlyCommunity.objects.all()
    serializer_class = FriendlyCommunitySerializer
    filterset_fields = ["status"]
    search_fields = ["name"]

    def get_queryset(self):
        # communities_with_scans reads through the scope rule itself.
        return communities_with_scans(self.request.user).prefetch_related("entrances__point").order_by("id")


class MerchantClaimSerializer(serializers.ModelSerializer):
    contact_phone = serializers.SerializerMethodField()
    offers = serializers.CharField(source="offers_text", read_only=True)
    point_code = serializers.CharField(source="point.code", default="", read_only=True)

    class Meta:
        model = MerchantClaim
        fields = [
            "id",
            "merchant_name",
            "credit_code",
            "territory",
            "address",
            "longitude",
            "latitude",
            "green_channel",
            "care_meal",
            "other_offers",
            "offers",
            "hours_text",
            "contact_name",
            "contact_phone",
            "status",
            "submitted_at",
            "reviewed_at",
            "review_note",
            "point_code",
        ]

    def get_contact_phone(self, obj) -> str:
        return mask_phone(obj.contact_phone)


class MerchantRejectSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200)


class MerchantClaimViewSet(ScopedReadOnlyViewSet):
    """爱'新'商家认领（商家经公开表单提交，街道审核）。`approve` 认定并上友好地图，`reject` 退回。"""

    queryset = MerchantClaim.objects.select_related("territory", "point").order_by("-submitted_at", "-id")
    serializer_class = MerchantClaimSerializer
    filterset_fields = ["status", "green_channel", "care_meal"]
    search_fields = ["merchant_name", "address"]

    def _decide(self, call):
        if not self.request.user.has_perm("friendly.view_merchantclaim"):
            raise Http404
        claim = self.get_object()
        if not self.request.user.has_perm("friendly.change_merchantclaim"):
            raise PermissionDenied("您没有审核认领的权限")
        try:
            claim = call(claim)
        except DjangoValidationError as exc:
            raise ValidationError({"detail": exc.messages}) from exc
        return Response(MerchantClaimSerializer(claim).data)

    @extend_schema(request=None, responses=MerchantClaimSerializer)
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def approve(self, request, pk=None):
        return self._decide(lambda c: services.merchant_claim_approve(claim=c, actor=request.user))

    @extend_schema(request=MerchantRejectSerializer, responses=MerchantClaimSerializer)
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def reject(self, request, pk=None):
        body = MerchantRejectSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        reason = body.validated_data["reason"]
        return self._decide(lambda c: services.merchant_claim_reject(claim=c, actor=request.user, reason=reason))


def register(router) -> None:
    router.register("friendly-communities", FriendlyCommunityViewSet, basename="friendly-community")
    router.register("merchant-claims", MerchantClaimViewSet, basename="merchant-claim")
