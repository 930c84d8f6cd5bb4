from django.db import models


class WorkerHeartbeat(models.Model):
    """The last time a Celery process proved it was alive by running a task.

    Beat schedules ``record_heartbeat`` every minute; the worker writes here. ``/healthz/``
    reports the age, so an operator sees a stopped worker or beat without reading logs.
    """

    name = models.CharField("来源", max_length=64, unique=True)
    seen_at = models.DateTimeField("最近心跳")
    runs = models.PositiveBigIntegerField("次数", default=0)

    class Meta:
        verbose_name = "后台任务心跳"
        verbose_name_plural = "后台任务心跳"

    def __str__(self) -> str:
        return f"{self.name} @ {self.seen_at:%Y-%m-%d %H:%M:%S}"
