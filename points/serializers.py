from rest_framework import serializers

from core.masking import mask_phone
from organizations.api_base import ScopedWriteSerializerMixin
from points.models import HomeStation, PointAccount, PointEntry, PointRule, Redemption, Reward, TaskClaim, VolunteerTask
from points.services import home_station_set


class AccountSerializer(serializers.ModelSerializer):
    person_name = serializers.CharField(source="person.name", read_only=True)
    person_phone = serializers.SerializerMethodField()

    class Meta:
        model = PointAccount
        fields = ["id", "person", "person_name", "person_phone", "balance", "earned_total", "updated_at"]

    def get_person_phone(self, obj) -> str:
        return mask_phone(obj.person.phone)


class EntrySerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    rule_name = serializers.CharField(source="rule.name", read_only=True, default=None, allow_null=True)
    person = serializers.IntegerField(source="account.person_id", read_only=True)
    source_type = serializers.SerializerMethodField()
    actor = serializers.CharField(source="actor.username", read_only=True, default=None, allow_null=True)

    class Meta:
        model = PointEntry
        fields = [
            "id",
            "account",
            "person",
            "kind",
            "kind_label",
            "delta",
            "balance_after",
            "rule",
            "rule_name",
            "source_type",
            "source_id",
            "reverses",
            "actor",
            "note",
            "territory",
            "station",
            "created_at",
        ]
        read_only_fields = fields  # ledger lines are written by points.services only

    def get_source_type(self, obj) -> str | None:
        return f"{obj.source_type.app_label}.{obj.source_type.model}" if obj.source_type_id else None


class AwardSerializer(serializers.Serializer):
    person = serializers.IntegerField(label="人员编号")
    rule = serializers.IntegerField(label="积分项目编号")
    idempotency_key = serializers.CharField(label="幂等键", max_length=100, help_text="同一授予事件重复提交时保持不变")
    note = serializers.CharField(label="说明", max_length=150, required=False, allow_blank=True, default="")


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(label="原因", max_length=150)


class TaskSerializer(ScopedWriteSerializerMixin, serializers.ModelSerializer):
    taken = serializers.SerializerMethodField()
    # The city catalogue is not in a district's scope, yet districts publish tasks under it;
    # whether the caller may award the rule is checked by task_publish.
    rule = serializers.PrimaryKeyRelatedField(queryset=PointRule.objects.filter(is_active=True))

    class Meta:
        model = VolunteerTask
        fields = [
            "id",
            "kind",
            "title",
            "description",
            "place",
            "starts_at",
            "ends_at",
            "slots",
            "taken",
            "points",
            "rule",
            "publisher_body",
            "station",
            "territory",
            "status",
            "created_at",
        ]
        read_only_fields = ["territory", "status", "created_at"]
        # task_publish takes these as required keywords; fields with a model default would
        # otherwise be optional here and a missing one a TypeError (a 500) in the service.
        extra_kwargs = {
            name: {"required": True} for name in ("kind", "title", "place", "starts_at", "ends_at", "slots", "points")
        }

    def get_taken(self, obj) -> int:
        return getattr(obj, "taken", 0)


class ClaimSerializer(serializers.ModelSerializer):
    person_name = serializers.CharField(source="person.name", read_only=True)

    class Meta:
        model = TaskClaim
        fields = ["id", "task", "person", "person_name", "status", "claimed_at", "decided_at", "entry"]


class ConfirmSerializer(serializers.Serializer):
    completed = serializers.BooleanField(label="是否完成")


class RewardSerializer(ScopedWriteSerializerMixin, serializers.ModelSerializer):
    class Meta:
        model = Reward
        fields = [
            "id",
            "kind",
            "name",
            "description",
            "cost",
            "stock",
            "territory",
            "station",
            "is_active",
            "sort_order",
        ]


class RedemptionSerializer(serializers.ModelSerializer):
    person_name = serializers.CharField(source="person.name", read_only=True)
    reward_name = serializers.CharField(source="reward.name", read_only=True)
    night_date = serializers.DateField(source="night.date", read_only=True, default=None, allow_null=True)

    class Meta:
        model = Redemption
        fields = [
            "id",
            "person",
            "person_name",
            "reward",
            "reward_name",
            "night_date",
            "cost",
            "status",
            "requested_at",
            "decided_at",
            "cancel_reason",
            "debit_entry",
            "refund_entry",
        ]


class HomeStationSerializer(ScopedWriteSerializerMixin, serializers.ModelSerializer):
    """A person's home station; both ends are picked among what the caller may see."""

    station_name = serializers.CharField(source="station.name", read_only=True)

    class Meta:
        model = HomeStation
        fields = ["person", "station", "station_name"]

    def create(self, validated_data):
        return home_station_set(person=validated_data["person"], station=validated_data["station"])

    def update(self, instance, validated_data):
        # The person is the link's key: moving a link is clearing one and setting another.
        return home_station_set(person=instance.person, station=validated_data.get("station", instance.station))
