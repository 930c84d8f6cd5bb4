"""Daily upkeep of member data: lost-contact flags and expired transfer letters."""

from celery import shared_task

from members import services


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=3, soft_time_limit=300)
def mark_lost_contact() -> int:
    """Members not contacted for six months become 失联 (idempotent)."""
    return services.memberships_mark_lost_contact()


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=3, soft_time_limit=300)
def expire_transfers() -> int:
    """Open transfers whose three-month letter ran out are closed as expired (idempotent)."""
    return services.transfers_expire()
