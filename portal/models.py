from django.db import models


class WorkerHeartbeat(models.Model):
    """The last time a Celery process proved it was alive.

    "worker": the worker ran the ``record_heartbeat`` task beat queues every minute; "beat": beat's
    scheduling loop (portal/beat.py). ``/healthz/`` reports both ages and answers 503 when one is
    older than its limit, so an operator sees a stopped worker or beat without reading logs.
    """

    name = models.CharField("来源", max_length=64, unique=True)
    seen_at = models.DateTimeField("最近心跳")
    runs = models.PositiveBigIntegerField("次数", default=0)

    class Meta:
        verbose_name = "后台任务心跳"
        verbose_name_plural = "后台任务心跳"

    def __str__(self) -> str:
        return f"{self.name} @ {self.seen_at:%Y-%m-%d %H:%M:%S}"
