"""API shapes. ID numbers and phones leave the portal masked, whoever asks: the API feeds
lists, exports and other systems, none of which needs the full value."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from core.masking import birth_year, mask_id_number, mask_phone
from members import services
from members.models import PartyMembership, Person, Transfer, TransferEvent
from members.selectors import can_view_full_identity
from organizations.api_base import (
    RoleReadOnlySerializerMixin,
    ScopedPrimaryKeyRelatedField,
    ScopedWriteSerializerMixin,
)
from organizations.models import PartyOrganization


def as_drf_error(exc: DjangoValidationError) -> serializers.ValidationError:
    if hasattr(exc, "error_dict"):
        return serializers.ValidationError(
            {field: [str(m) for e in errs for m in e.messages] for field, errs in exc.error_dict.items()}
        )
    return serializers.ValidationError({"detail": exc.messages})


class PersonSerializer(RoleReadOnlySerializerMixin, ScopedWriteSerializerMixin, serializers.ModelSerializer):
    id_number = serializers.CharField(write_only=True, required=False, allow_blank=True, max_length=32)
    phone = serializers.CharField(write_only=True, required=False, allow_blank=True, max_length=32)
    id_number_masked = serializers.SerializerMethodField()
    phone_masked = serializers.SerializerMethodField()
    birth_year = serializers.SerializerMethodField()
    territory_name = serializers.CharField(source="territory.name", read_only=True)
    is_member = serializers.SerializerMethodField()

    class Meta:
        model = Person
        fields = [
            "id",
            "name",
            "id_number",
            "id_number_masked",
            "phone",
            "phone_masked",
            "gender",
            "birth_year",
            "occupation",
            "platform",
            "territory",
            "territory_name",
            "employer",
            "is_member",
        ]

    role_read_only_message = "您的岗位只能看到遮蔽后的号码，不能修改此项"

    def role_read_only_fields(self, user) -> tuple[str, ...]:
        # As on the admin page: without the full value there is nothing to correct it against.
        return () if can_view_full_identity(user) else ("id_number", "phone")

    def get_id_number_masked(self, obj) -> str:
        return mask_id_number(obj.id_number)

    def get_birth_year(self, obj) -> int | None:
        # Never the full birth date beside the masked ID number (core.masking).
        return birth_year(obj.birth_date)

    def get_phone_masked(self, obj) -> str:
        return mask_phone(obj.phone)

    def get_is_member(self, obj) -> bool:
        return hasattr(obj, "membership")

    def validate(self, attrs):
        instance = self.instance or Person()
        for key, value in attrs.items():
            setattr(instance, key, value)
        try:
            instance.full_clean(validate_unique=False)
        except DjangoValidationError as exc:
            raise as_drf_error(exc) from exc
        self._prepared = instance
        return attrs

    def create(self, validated_data):
        try:
            request = self.context.get("request")
            return services.person_save(person=self._prepared, actor=request.user if request else None)
        except DjangoValidationError as exc:
            raise as_drf_error(exc) from exc

    def update(self, instance, validated_data):
        return self.create(validated_data)


class MembershipSerializer(serializers.ModelSerializer):
    person_name = serializers.CharField(source="person.name", read_only=True)
    id_number_masked = serializers.SerializerMethodField()
    organization_name = serializers.CharField(source="organization.name", read_only=True, default="")

    class Meta:
        model = PartyMembership
        fields = [
            "id",
            "person",
            "person_name",
            "id_number_masked",
            "status",
            "organization",
            "organization_name",
            "joined_on",
            "full_member_on",
            "probation_ends_on",
            "is_mobile",
            "origin_organization_name",
            "co_managing_organization",
            "is_invisible",
            "last_contact_on",
            "lost_contact",
            "is_new_employment",
            "dues_category",
            "dues_monthly",
        ]
        read_only_fields = fields

    def get_id_number_masked(self, obj) -> str:
        return mask_id_number(obj.person.id_number)


class TransferEventSerializer(serializers.ModelSerializer):
    actor_name = serializers.SerializerMethodField()

    class Meta:
        model = TransferEvent
        fields = ["action", "at", "actor_name", "note"]

    def get_actor_name(self, obj) -> str:
        return (obj.actor.get_full_name() or obj.actor.username) if obj.actor else "系统"


class TransferSerializer(serializers.ModelSerializer):
    person_name = serializers.CharField(source="membership.person.name", read_only=True)
    from_organization_name = serializers.CharField(source="from_organization.name", read_only=True)
    to_organization_name = serializers.CharField(source="to_organization.name", read_only=True)
    events = TransferEventSerializer(many=True, read_only=True)

    class Meta:
        model = Transfer
        fields = [
            "id",
            "membership",
            "person_name",
            "from_organization",
            "from_organization_name",
            "to_organization",
            "to_organization_name",
            "status",
            "reason",
            "reject_reason",
            "requested_at",
            "valid_until",
            "decided_at",
            "events",
        ]
        read_only_fields = fields


class TransferRequestSerializer(serializers.Serializer):
    membership = ScopedPrimaryKeyRelatedField(queryset=PartyMembership.objects.all())
    # The receiving organization may be anywhere in the city: not limited to the caller's scope.
    to_organization = serializers.PrimaryKeyRelatedField(
        queryset=PartyOrganization.objects.exclude(status=PartyOrganization.Status.DISSOLVED)
    )
    reason = serializers.CharField(max_length=200)


class RejectSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200)


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
