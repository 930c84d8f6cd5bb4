from django.conf import settings
from django.db import models


class Notification(models.Model):
    """站内通知 — an in-app message to one staff user (e.g. a weekly-report reminder).

    Staff accounts carry no phone number, so reminders are in-app rows shown on the home page
    and the dashboard, and also sent by Django e-mail when the user has an address.
    ``dedupe_key`` makes a periodic sender idempotent: the same reminder is stored once.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="接收人", on_delete=models.CASCADE, related_name="notifications"
    )
    title = models.CharField("标题", max_length=120)
    body = models.TextField("内容", blank=True)
    url = models.CharField("链接", max_length=255, blank=True)
    dedupe_key = models.CharField("去重键", max_length=120, null=True, blank=True)
    created_at = models.DateTimeField("时间", auto_now_add=True)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)

    class Meta:
        verbose_name = "站内通知"
        verbose_name_plural = "站内通知"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "dedupe_key"], name="notification_recipient_dedupe"),
        ]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread")]

    def __str__(self) -> str:
        return self.title
