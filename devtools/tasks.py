"""Tasks for fault tests: slow enough to be killed half-way, with a visible start and end.

Installed with devtools only (development and CI), never in the production image.
"""

import time

from celery import shared_task

from portal.tasks import record_heartbeat


@shared_task(name="devtools.slow_heartbeat", ignore_result=True)
def slow_heartbeat(name: str, seconds: float) -> None:
    record_heartbeat(f"started:{name}")
    time.sleep(seconds)
    record_heartbeat(name)
