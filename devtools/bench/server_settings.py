"""Settings of the benchmark's own gunicorn (``devtools.bench.wsgi``): the portal's settings, plus
the minimal view's URL and without the public intake's abuse limits.

Only ``devtools.bench.wsgi`` selects this module; the real portal never loads it. The limits are
raised out of reach rather than switched off, so every request still pays for the counting the
production code does (a Redis ``INCR`` per limit and per rate, in one pipeline), it is just never refused:
a benchmark that hits a throttle measures the throttle.
"""

from portal.settings import *  # noqa: F403
from portal.settings import GRIEVANCES, REST_FRAMEWORK

UNREACHABLE = 10**9

ROOT_URLCONF = "devtools.bench.urls"

# The same windows as production (grievances.abuse.DEFAULT_LIMITS), with counts never reached.
GRIEVANCES = {
    **GRIEVANCES,
    "RATE_LIMITS": {
        "submit_ip": (UNREACHABLE, 3600),
        "submit_phone": (UNREACHABLE, 86400),
        "lookup_ip": (UNREACHABLE, 600),
    },
}

# The public rate is one counter per address and window (core.cache.public_rate_key), counted
# like production's 30/min, never reached.
REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_THROTTLE_RATES": {**REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "public": f"{UNREACHABLE}/s"},
}

# No worker runs during the benchmark: triage tasks are still published after commit, as in
# production, but to a queue of their own that the benchmark purges afterwards, so a worker started
# later on the same broker never picks up tasks for cases that have been deleted.
CELERY_TASK_DEFAULT_QUEUE = "bench-intake"
# ...and no routing to the production queues (intake, reports, imports): everything to that one.
CELERY_TASK_ROUTES: dict = {}
