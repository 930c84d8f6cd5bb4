from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers
from rest_framework.validators import UniqueValidator

from organizations import selectors as S
from organizations.api_base import (
    EventFieldsSerializerMixin,
    ScopedPrimaryKeyRelatedField,
    ScopedWriteSerializerMixin,
)
from organizations.models import (
    Body,
    Meeting,
    OrganizationEvent,
    PartyOrganization,
    Responsibility,
    StaffPost,
    Territory,
    Unit,
)


class TerritorySerializer(serializers.ModelSerializer):
    class Meta:
        model = Territory
        fields = ["id", "code", "name", "level", "depth"]


class ResponsibilitySerializer(serializers.ModelSerializer):
    class Meta:
        model = Responsibility
        fields = ["number", "content", "lead_office"]


class BodySerializer(serializers.ModelSerializer):
    responsibilities = ResponsibilitySerializer(many=True, read_only=True)

    class Meta:
        model = Body
        fields = [
            "id",
            "code",
            "name",
            "short_name",
            "kind",
            "parent",
            "territory",
            "organization",
            "description",
            "responsibilities",
        ]


def validate_credit_code_drf(value):
    from organizations.validators import credit_code_error

    if value:
        error = credit_code_error(value)
        if error:
            raise serializers.ValidationError(error)


def _as_drf_error(exc: DjangoValidationError) -> serializers.ValidationError:
    return serializers.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)


class PartyOrganizationSerializer(EventFieldsSerializerMixin, ScopedWriteSerializerMixin, serializers.ModelSerializer):
    event_hint = "请通过 POST /api/v1/organizations/{id}/events/ 办理成立、升格、撤销或调整属地/双纳管"

    territory_name = serializers.CharField(source="territory.name", read_only=True)
    parent = ScopedPrimaryKeyRelatedField(
        queryset=PartyOrganization.objects.all(),
        write_only=True,
        required=False,
        help_text="上级党组织（仅新建时使用；调整隶属请用生命周期“转入”）",
    )

    class Meta:
        model = PartyOrganization
        fields = [
            "id",
            "code",
            "name",
            "kind",
            "status",
            "depth",
            "parent",
            "territory",
            "territory_name",
            "industry_committee",
            "establishment_mode",
            "area_type",
            "founded_on",
            "founding_document_no",
            "instructor",
            "formed_for_shortage",
            "over_limit_reason",
            "full_member_count",
            "member_count",
        ]
        read_only_fields = ["depth", "full_member_count", "member_count"]

    def validate(self, attrs):
        attrs = super().validate(attrs)
        instance = self.instance or PartyOrganization()
        for key, value in attrs.items():
            if key != "parent":
                setattr(instance, key, value)
        if self.instance is None and attrs.get("parent") is None:
            request = self.context.get("request")
            if not (request and request.user.is_superuser):
                raise serializers.ValidationError({"parent": "请指定上级党组织"})
        try:
            instance.full_clean(exclude=["path", "depth", "numchild", "code"])
        except DjangoValidationError as exc:
            raise _as_drf_error(exc) from exc
        return attrs

    def create(self, validated_data):
        from organizations.services import organization_create

        parent = validated_data.pop("parent", None)
        try:
            return organization_create(parent=parent, **validated_data)
        except DjangoValidationError as exc:
            raise _as_drf_error(exc) from exc

    def update(self, instance, validated_data):
        validated_data.pop("parent", None)
        return super().update(instance, validated_data)


class NormalizedCreditCodeField(serializers.CharField):
    """The credit code normalised before any validator sees it, so the uniqueness check compares
    like with like and a duplicate typed in lower case or full width gets a 400, not a 500."""

    def to_internal_value(self, data):
        from organizations.validators import normalize_credit_code

        return normalize_credit_code(super().to_internal_value(data)) or None


class UnitSerializer(ScopedWriteSerializerMixin, serializers.ModelSerializer):
    territory_name = serializers.CharField(source="territory.name", read_only=True)
    credit_code = NormalizedCreditCodeField(
        label="统一社会信用代码",
        required=False,
        allow_null=True,
        allow_blank=True,
        max_length=40,
        validators=[
            validate_credit_code_drf,
            UniqueValidator(
                queryset=Unit.objects.all(), message="该统一社会信用代码已登记（可能为大小写或全角输入的同一代码）"
            ),
        ],
    )
    coverage = serializers.SerializerMethodField(help_text="组织覆盖：own 单独建 / joint 联合或区域覆盖 / none 未覆盖")

    class Meta:
        model = Unit
        fields = [
            "id",
            "name",
            "credit_code",
            "kind",
            "industry",
            "size",
            "employee_count",
            "new_employment_worker_count",
            "is_private_top500",
            "is_internet_top100",
            "is_little_giant",
            "address",
            "legal_representative",
            "territory",
            "territory_name",
            "organization",
            "instructor",
            "coverage",
            "full_member_count",
            "member_count",
        ]
        read_only_fields = ["full_member_count", "member_count"]

    def get_coverage(self, obj) -> str:
        return S.unit_coverage(obj)

    def validate(self, attrs):
        instance = self.instance or Unit()
        for key, value in attrs.items():
            setattr(instance, key, value)
        try:
            instance.clean()
        except DjangoValidationError as exc:
            raise _as_drf_error(exc) from exc
        return attrs


class MeetingSerializer(ScopedWriteSerializerMixin, serializers.ModelSerializer):
    organization_name = serializers.CharField(source="organization.name", read_only=True)

    class Meta:
        model = Meeting
        fields = [
            "id",
            "organization",
            "organization_name",
            "kind",
            "held_on",
            "topic",
            "expected_count",
            "attended_count",
            "notes",
        ]

    def validate(self, attrs):
        instance = Meeting(**{**({} if self.instance is None else {"pk": self.instance.pk}), **attrs})
        if self.instance is not None:
            for f in ("organization", "kind", "held_on", "topic", "expected_count", "attended_count"):
                if f not in attrs:
                    setattr(instance, f, getattr(self.instance, f))
        try:
            instance.clean()
        except DjangoValidationError as exc:
            raise _as_drf_error(exc) from exc
        return attrs


class OrganizationEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = OrganizationEvent
        fields = ["id", "kind", "occurred_on", "reason", "document_no", "from_kind", "to_kind", "counterpart"]


class LifecycleRequestSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=OrganizationEvent.Kind.choices)
    occurred_on = serializers.DateField()
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    document_no = serializers.CharField(required=False, allow_blank=True, default="")
    to_kind = serializers.ChoiceField(choices=PartyOrganization.Kind.choices, required=False, allow_blank=True)
    new_parent = ScopedPrimaryKeyRelatedField(queryset=PartyOrganization.objects.all(), required=False)
    counterpart = serializers.CharField(required=False, allow_blank=True, default="")
    territory = ScopedPrimaryKeyRelatedField(
        queryset=Territory.objects.all(), required=False, help_text="调整属地时的新属地"
    )
    industry_committee = ScopedPrimaryKeyRelatedField(
        queryset=PartyOrganization.objects.filter(kind=PartyOrganization.Kind.INDUSTRY_COMMITTEE),
        required=False,
        help_text="调整双纳管时的新行业党委",
    )
    clear_industry = serializers.BooleanField(required=False, default=False, help_text="解除双纳管")


class CoverageRowSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    territory_code = serializers.CharField()
    units = serializers.IntegerField()
    own = serializers.IntegerField(help_text="单独建立党组织")
    joint = serializers.IntegerField(help_text="联合/区域党组织覆盖")
    uncovered = serializers.IntegerField()
    work_covered = serializers.IntegerField(help_text="已选派党建工作指导员")
    should_build = serializers.IntegerField(help_text="应建未建")
    org_rate = serializers.FloatField(allow_null=True)
    work_rate = serializers.FloatField(allow_null=True)


class CoverageReportSerializer(serializers.Serializer):
    by = serializers.CharField()
    rows = CoverageRowSerializer(many=True)
    total = CoverageRowSerializer()


class FindingSerializer(serializers.Serializer):
    code = serializers.CharField()
    severity = serializers.CharField()
    text = serializers.CharField()


class ViolationSerializer(serializers.ModelSerializer):
    territory_name = serializers.CharField(source="territory.name", read_only=True)
    covered_unit_total = serializers.IntegerField(read_only=True)
    committee_size = serializers.IntegerField(read_only=True)
    rules = serializers.SerializerMethodField()

    class Meta:
        model = PartyOrganization
        fields = [
            "id",
            "code",
            "name",
            "kind",
            "territory_name",
            "full_member_count",
            "member_count",
            "covered_unit_total",
            "committee_size",
            "rules",
        ]
        read_only_fields = fields

    def get_rules(self, obj) -> list[str]:
        from organizations.rules import ORGANIZATION_RULES

        return [code for code in ORGANIZATION_RULES if getattr(obj, f"v_{code}", False)]


class ViolationDistrictSerializer(serializers.Serializer):
    label = serializers.CharField()
    territory_code = serializers.CharField()
    counts = serializers.DictField(child=serializers.IntegerField())
    total = serializers.IntegerField()


class OrganizationScoreSerializer(serializers.Serializer):
    organization_id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField()
    territory = serializers.CharField()
    score = serializers.FloatField()
    cadence = serializers.FloatField()
    attendance = serializers.FloatField()
    rules_ok = serializers.BooleanField()
    has_instructor = serializers.BooleanField()
    has_secretary = serializers.BooleanField()


# The fields of a ranking row, in the serializer's order.
SCORE_FIELDS = tuple(OrganizationScoreSerializer().fields)


def score_rows(rows) -> list[dict]:
    """``OrganizationScoreSerializer(rows, many=True).data`` for the ranking's plain rows (every
    value already of its field's type): the municipal ranking lists about a thousand of them, and
    the serializer's per-field machinery was most of the request. The serializer still documents
    the shape; ``tests/organizations/test_meetings.py`` holds the two to the same output."""
    return [{name: getattr(row, name) for name in SCORE_FIELDS} for row in rows]


class ScoreRankingSerializer(serializers.Serializer):
    method = serializers.CharField()
    count = serializers.IntegerField()
    weak = OrganizationScoreSerializer(many=True)
    advanced = OrganizationScoreSerializer(many=True)


class StaffPostSerializer(serializers.ModelSerializer):
    node = serializers.CharField(source="node.__str__", read_only=True)
    role_label = serializers.CharField(source="get_role_display", read_only=True)

    class Meta:
        model = StaffPost
        fields = ["id", "role", "role_label", "title", "node", "territory", "organization", "body"]


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    name = serializers.CharField()
    posts = StaffPostSerializer(many=True)
