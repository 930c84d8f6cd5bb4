"""/api/v1/training/…: courses, sessions (with enrol and attendance actions), enrolments and
budget lines. Reads through the scope rule; writes call the services."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from core.masking import mask_phone
from members.models import Person
from organizations.api_base import ScopedReadOnlyViewSet, ScopedWriteSerializerMixin
from organizations.models import PartyOrganization
from organizations.scope import get_visible_or_404
from training import services
from training.models import Budget, Course, Enrolment, Session


def needs_perm(perm: str) -> type[BasePermission]:
    class _Needs(BasePermission):
        def has_permission(self, request, view):
            return bool(request.user and request.user.is_authenticated and request.user.has_perm(perm))

    _Needs.__name__ = f"Needs_{perm.replace('.', '_')}"
    return _Needs


class BudgetSerializer(serializers.ModelSerializer):
    class Meta:
        model = Budget
        fields = ["id", "year", "name", "amount_yuan", "body", "territory"]


class CourseSerializer(ScopedWriteSerializerMixin, serializers.ModelSerializer):
    class Meta:
        model = Course
        fields = ["id", "title", "kind", "level", "audience", "organiser", "territory", "year", "description"]


class SessionSerializer(ScopedWriteSerializerMixin, serializers.ModelSerializer):
    course_title = serializers.CharField(source="course.title", read_only=True)

    class Meta:
        model = Session
        fields = [
            "id",
            "course",
            "course_title",
            "number",
            "starts_on",
            "ends_on",
            "place",
            "hours",
            "capacity",
            "budget",
            "cost_yuan",
        ]


class EnrolmentSerializer(serializers.ModelSerializer):
    person_name = serializers.CharField(source="person.name", read_only=True)
    phone = serializers.SerializerMethodField(help_text="手机号（脱敏）")

    class Meta:
        model = Enrolment
        fields = ["id", "session", "person", "person_name", "phone", "post", "organization", "status"]
        fields += ["hours_credited", "enrolled_at"]

    def get_phone(self, obj) -> str:
        return mask_phone(obj.person.phone)


class EnrolRequestSerializer(serializers.Serializer):
    person = serializers.IntegerField(label="学员")
    post = serializers.ChoiceField(label="身份", choices=Enrolment.Post.choices)
    organization = serializers.IntegerField(label="所在党组织", required=False, allow_null=True)


class AttendanceSerializer(serializers.Serializer):
    attended = serializers.BooleanField(label="是否参训")
    hours = serializers.DecimalField(label="认定学时", max_digits=5, decimal_places=1, required=False, allow_null=True)


def _refuse(exc):
    raise ValidationError({"detail": str(exc)})


class ServiceWrites:
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def _save(self, serializer, instance):
        for field, value in serializer.validated_data.items():
            setattr(instance, field, value)
        try:
            serializer.instance = self.save_service(instance, self.request.user)
        except services.TrainingError as exc:
            _refuse(exc)

    def perform_create(self, serializer):
        self._save(serializer, serializer.Meta.model())

    def perform_update(self, serializer):
        self._save(serializer, serializer.instance)


class BudgetViewSet(ScopedReadOnlyViewSet):
    """培训经费（专项）。"""

    queryset = Budget.objects.order_by("-year", "id")
    serializer_class = BudgetSerializer
    filterset_fields = ["year"]


class CourseViewSet(ServiceWrites, mixins.CreateModelMixin, mixins.UpdateModelMixin, ScopedReadOnlyViewSet):
    """培训项目（层级、形式、对象、主办机构）。"""

    queryset = Course.objects.order_by("-year", "id")
    serializer_class = CourseSerializer
    filterset_fields = ["year", "kind", "level", "audience", "organiser"]
    search_fields = ["title"]

    def save_service(self, instance, actor):
        return services.course_save(course=instance, actor=actor)


class SessionViewSet(ServiceWrites, mixins.CreateModelMixin, mixins.UpdateModelMixin, ScopedReadOnlyViewSet):
    """培训期次；报名（enrol）与考勤（见参训记录 attendance）。支出不得超出经费余额。"""

    queryset = Session.objects.select_related("course").order_by("-starts_on", "-id")
    serializer_class = SessionSerializer
    filterset_fields = ["course", "budget"]

    def save_service(self, instance, actor):
        return services.session_save(session=instance, actor=actor)

    @extend_schema(request=EnrolRequestSerializer, responses=EnrolmentSerializer)
    @action(detail=True, methods=["post"], permission_classes=[needs_perm("training.add_enrolment")])
    def enrol(self, request, pk=None):
        session = self.get_object()  # 404 for an outsider before any word about the body
        data = EnrolRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        person = get_visible_or_404(Person.objects.all(), request.user, pk=data.validated_data["person"])
        organization = None
        if data.validated_data.get("organization"):
            organization = get_visible_or_404(
                PartyOrganization.objects.all(), request.user, pk=data.validated_data["organization"]
            )
        try:
            enrolment = services.enrolment_add(
                session=session,
                person=person,
                post=data.validated_data["post"],
                organization=organization,
                actor=request.user,
            )
        except services.TrainingError as exc:
            _refuse(exc)
        return Response(EnrolmentSerializer(enrolment).data, status=status.HTTP_201_CREATED)


class EnrolmentViewSet(ScopedReadOnlyViewSet):
    """参训记录（学员手机号脱敏）；登记考勤。"""

    queryset = Enrolment.objects.select_related("person").order_by("session_id", "id")
    serializer_class = EnrolmentSerializer
    filterset_fields = ["session", "person", "status", "post"]

    @extend_schema(request=AttendanceSerializer, responses=EnrolmentSerializer)
    @action(detail=True, methods=["post"], permission_classes=[needs_perm("training.change_enrolment")])
    def attendance(self, request, pk=None):
        enrolment = self.get_object()
        data = AttendanceSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            enrolment = services.attendance_record(
                enrolment=enrolment,
                attended=data.validated_data["attended"],
                hours=data.validated_data.get("hours"),
                actor=request.user,
            )
        except services.TrainingError as exc:
            _refuse(exc)
        return Response(EnrolmentSerializer(enrolment).data)


def register(router) -> None:
    router.register("training/budgets", BudgetViewSet, basename="training-budget")
    router.register("training/courses", CourseViewSet, basename="training-course")
    router.register("training/sessions", SessionViewSet, basename="training-session")
    router.register("training/enrolments", EnrolmentViewSet, basename="training-enrolment")
