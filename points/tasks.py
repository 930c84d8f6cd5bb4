from celery import shared_task

from points.services import points_expire_due


@shared_task(
    name="points.tasks.expire_points",
    ignore_result=True,
    autoretry_for=(Exception,),
    retry_backoff=True,
    max_retries=5,
    soft_time_limit=600,
    time_limit=660,
)
def expire_points() -> int:
    """Daily: write expiry entries for lots past their date. Idempotent (a rerun finds none)."""
    return points_expire_due()
