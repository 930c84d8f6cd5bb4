"""Schemathesis over /api/schema/, as a municipal officer and as an outsider: no
input answers 500, and no response breaks the published schema.

Bounded so it stays fast in CI: a few examples per operation, derandomized (the same examples
every run), no shrinking database. The figures are printed (``-s`` or the captured output).
"""

from __future__ import annotations

from collections import Counter

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hsettings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

pytestmark = pytest.mark.django_db

EXAMPLES_PER_OPERATION = 3
CHECKS = [not_a_server_error, response_schema_conformance]


@pytest.fixture(autouse=True)
def _wsgi_inside_the_test_transaction(settings):
    # Like Django's test client: a real WSGI request would close the connection at its end,
    # and with it the test's transaction.
    settings.ALLOWED_HOSTS = ["*"]
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _fuzz(user) -> Counter:
    app = get_wsgi_application()
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", app)
    figures: Counter = Counter()
    failures: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        figures["operations"] += 1

        @hsettings(
            max_examples=EXAMPLES_PER_OPERATION,
            derandomize=True,
            database=None,
            deadline=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def run(case):
            # The schema declares token auth, so schemathesis fills in a random token: ours wins.
            # Fetched per case: DELETE /api/v1/auth/token/ (revocation) is one of the operations.
            token, _ = Token.objects.get_or_create(user=user)
            headers = {"Authorization": f"Token {token.key}"}
            case.headers = {**(case.headers or {}), **headers}
            response = case.call(headers=headers)
            figures["requests"] += 1
            figures[f"status {response.status_code // 100}xx"] += 1
            try:
                case.validate_response(response, checks=CHECKS, headers=headers)
            except (Exception, BaseExceptionGroup) as exc:  # collected: one run reports every broken operation
                kinds = [type(e).__name__ for e in getattr(exc, "exceptions", [exc])]
                failures.append(f"{case.operation.label}: {response.status_code} {','.join(kinds)}")

        run()
    figures["failures"] = len(failures)
    print(f"\nschemathesis as {user.username}: " + ", ".join(f"{k}={v}" for k, v in sorted(figures.items())))
    assert not failures, "\n".join(sorted(set(failures))[:40])
    return figures


def test_api_as_municipal_officer(municipal):
    assert _fuzz(municipal)["operations"] > 20


def test_api_as_outsider(outsider):
    _fuzz(outsider)
