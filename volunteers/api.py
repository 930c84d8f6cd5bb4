"""/api/v1/volunteers/…: teams (with figures), members, activities and appointments. Reads go
through the scope rule; writes call the services."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from members.models import Person
from organizations.api_base import ScopedReadOnlyViewSet, ScopedWriteSerializerMixin
from organizations.scope import get_visible_or_404
from volunteers import selectors, services
from volunteers.models import Activity, Appointment, Team, TeamMember


def needs_perm(perm: str) -> type[BasePermission]:
    class _Needs(BasePermission):
        def has_permission(self, request, view):
            return bool(request.user and request.user.is_authenticated and request.user.has_perm(perm))

    _Needs.__name__ = f"Needs_{perm.replace('.', '_')}"
    return _Needs


def _refuse(exc):
    raise ValidationError({"detail": str(exc)})


class TeamSerializer(ScopedWriteSerializerMixin, serializers.ModelSerializer):
    member_count = serializers.IntegerField(read_only=True, default=0)
    activity_count = serializers.IntegerField(read_only=True, default=0)
    hours = serializers.DecimalField(max_digits=10, decimal_places=1, read_only=True, allow_null=True, default=None)
    report_count = serializers.IntegerField(read_only=True, default=0, help_text="移动探头（随手拍）上报数")

    class Meta:
        model = Team
        fields = ["id", "name", "kind", "territory", "station", "organization", "leader", "founded_on"]
        fields += ["description", "is_active", "member_count", "activity_count", "hours", "report_count"]


class MemberSerializer(serializers.ModelSerializer):
    person_name = serializers.CharField(source="person.name", read_only=True)

    class Meta:
        model = TeamMember
        fields = ["id", "team", "person", "person_name", "role", "joined_on", "left_on"]


class ParticipantSerializer(serializers.Serializer):
    person = serializers.IntegerField(label="参与人")
    hours = serializers.DecimalField(label="服务时长（小时）", max_digits=5, decimal_places=1)


class ActivitySerializer(serializers.ModelSerializer):
    participants = serializers.SerializerMethodField()

    class Meta:
        model = Activity
        fields = ["id", "team", "title", "held_on", "place", "description", "participants"]

    def get_participants(self, obj) -> list[dict]:
        return [{"person": p.person_id, "hours": str(p.hours)} for p in obj.participations.all()]


class ActivityCreateSerializer(serializers.Serializer):
    title = serializers.CharField(label="活动名称", max_length=100)
    held_on = serializers.DateField(label="活动日期")
    place = serializers.CharField(label="活动地点", max_length=200)
    description = serializers.CharField(label="活动内容", required=False, allow_blank=True, default="")
    participants = ParticipantSerializer(many=True)


class JoinSerializer(serializers.Serializer):
    person = serializers.IntegerField(label="人员")
    role = serializers.ChoiceField(label="职务", choices=TeamMember.Role.choices, default=TeamMember.Role.MEMBER)


class AppointmentSerializer(ScopedWriteSerializerMixin, serializers.ModelSerializer):
    person_name = serializers.CharField(source="person.name", read_only=True)

    class Meta:
        model = Appointment
        fields = ["id", "person", "person_name", "title", "team", "territory", "issued_by", "certificate_no"]
        fields += ["starts_on", "ends_on"]


class TeamViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, ScopedReadOnlyViewSet):
    """志愿服务队（含队员数、活动数、服务时长、移动探头上报数）；入队、登记活动。"""

    queryset = Team.objects.all()
    serializer_class = TeamSerializer
    filterset_fields = ["kind", "territory", "station", "is_active"]
    search_fields = ["name"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self):
        return selectors.team_rows(self.request.user)

    def _save(self, serializer, team):
        for field, value in serializer.validated_data.items():
            setattr(team, field, value)
        try:
            serializer.instance = services.team_save(team=team, actor=self.request.user)
        except services.VolunteerError as exc:
            _refuse(exc)

    def perform_create(self, serializer):
        self._save(serializer, Team())

    def perform_update(self, serializer):
        self._save(serializer, serializer.instance)

    @extend_schema(request=JoinSerializer, responses=MemberSerializer)
    @action(detail=True, methods=["post"], permission_classes=[needs_perm("volunteers.add_teammember")])
    def join(self, request, pk=None):
        """人员入队。"""
        team = self.get_object()  # 404 for an outsider before any word about the body
        data = JoinSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        person = get_visible_or_404(Person.objects.all(), request.user, pk=data.validated_data["person"])
        try:
            member = services.member_add(team=team, person=person, role=data.validated_data["role"], actor=request.user)
        except services.VolunteerError as exc:
            _refuse(exc)
        return Response(MemberSerializer(member).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ActivityCreateSerializer, responses=ActivitySerializer)
    @action(detail=True, methods=["post"], permission_classes=[needs_perm("volunteers.add_activity")])
    def activities(self, request, pk=None):
        """登记一次志愿活动及每位参与人的服务时长。"""
        team = self.get_object()
        data = ActivityCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        rows = data.validated_data.pop("participants")
        people = {p.pk: p for p in Person.objects.filter(pk__in=[r["person"] for r in rows])}
        missing = [r["person"] for r in rows if r["person"] not in people]
        if missing:
            raise ValidationError({"participants": f"人员不存在：{missing}"})
        try:
            activity = services.activity_record(
                team=team,
                participants=[(people[r["person"]], r["hours"]) for r in rows],
                actor=request.user,
                **data.validated_data,
            )
        except services.VolunteerError as exc:
            _refuse(exc)
        return Response(ActivitySerializer(activity).data, status=status.HTTP_201_CREATED)


class MemberViewSet(ScopedReadOnlyViewSet):
    """队员（含离队历史）。"""

    queryset = TeamMember.objects.select_related("person").order_by("team_id", "id")
    serializer_class = MemberSerializer
    filterset_fields = ["team", "role", "person"]


class ActivityViewSet(ScopedReadOnlyViewSet):
    """志愿活动及参与人服务时长。"""

    queryset = Activity.objects.prefetch_related("participations").order_by("-held_on", "-id")
    serializer_class = ActivitySerializer
    filterset_fields = ["team"]


class AppointmentViewSet(mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    """聘任（五大员等，含聘期）。"""

    queryset = Appointment.objects.select_related("person").order_by("-starts_on", "-id")
    serializer_class = AppointmentSerializer
    filterset_fields = ["title", "team", "person"]

    def perform_create(self, serializer):
        try:
            serializer.instance = services.appointment_save(
                appointment=Appointment(**serializer.validated_data), actor=self.request.user
            )
        except services.VolunteerError as exc:
            _refuse(exc)


def register(router) -> None:
    router.register("volunteers/teams", TeamViewSet, basename="volunteers-team")
    router.register("volunteers/members", MemberViewSet, basename="volunteers-member")
    router.register("volunteers/activities", ActivityViewSet, basename="volunteers-activity")
    router.register("volunteers/appointments", AppointmentViewSet, basename="volunteers-appointment")
