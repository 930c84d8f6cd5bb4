from django.conf import settings
from django.db import models

from organizations.scope import ScopedQuerySet, ScopeSpec


class MeetingAttendance(models.Model):
    """三会一课出席 — who of a meeting's roll attended, was excused (请假) or absent.

    Rows are written only by ``members.attendance.meeting_attendance_record``, which also sets the
    meeting's 应到/实到 from them (the meeting service validates and saves those counts)."""

    class Status(models.TextChoices):
        ATTENDED = "attended", "出席"
        EXCUSED = "excused", "请假"
        ABSENT = "absent", "缺席"

    meeting = models.ForeignKey(
        "organizations.Meeting", verbose_name="会议", on_delete=models.CASCADE, related_name="attendances"
    )
    person = models.ForeignKey(
        "members.Person", verbose_name="党员", on_delete=models.PROTECT, related_name="meeting_attendances"
    )
    status = models.CharField("出席情况", max_length=16, choices=Status.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, blank=True, on_delete=models.SET_NULL
    )
    recorded_at = models.DateTimeField("登记时间", auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(territory="meeting__organization__territory", organization="meeting__organization")

    class Meta:
        verbose_name = "三会一课出席"
        verbose_name_plural = "三会一课出席"
        ordering = ["meeting", "id"]
        constraints = [models.UniqueConstraint(fields=["meeting", "person"], name="attendance_once_per_meeting")]
        indexes = [models.Index(fields=["person", "status"], name="attendance_person_status")]

    def __str__(self) -> str:
        return f"{self.person} · {self.get_status_display()}"
