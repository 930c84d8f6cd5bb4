"""Changelists never count a whole table: the count is bounded by ADMIN_COUNT_CAP."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from organizations.models import Unit

pytestmark = pytest.mark.django_db

URL = reverse("admin:organizations_unit_changelist")


@pytest.fixture
def six_units(world):
    for i in range(6):
        Unit.objects.create(name=f"夫子庙企业{i}", kind=Unit.Kind.ENTERPRISE, territory=world.chaokujie)


def _counts(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return response.content.decode(), [q["sql"] for q in ctx.captured_queries if "COUNT(" in q["sql"]]


def test_count_is_bounded_and_said_so(client, settings, six_units, municipal):
    settings.ADMIN_COUNT_CAP = 4
    client.force_login(municipal)
    page, counts = _counts(client, URL)
    assert counts and all("LIMIT 5" in sql for sql in counts)  # cap + 1, in a subquery
    assert 'id="capped-count"' in page and "4+" in page
    # The cap never hides what a narrower page holds: a search under the cap is counted exactly.
    page, _ = _counts(client, URL + "?q=企业1")
    assert 'id="capped-count"' not in page and "1 条结果" in page


def test_under_the_cap_the_count_is_exact(client, settings, six_units, municipal):
    settings.ADMIN_COUNT_CAP = 10_000
    client.force_login(municipal)
    page, counts = _counts(client, URL)
    assert 'id="capped-count"' not in page and "6 覆盖单位" in page.replace("\n", " ")
    assert all("LIMIT 10001" in sql for sql in counts)


def test_the_bounded_count_does_not_sort(client, settings, six_units, municipal):
    """How many rows fall under the cap does not depend on their order; an ordered LIMIT makes
    the database sort every matching row before counting (a street's ledger: 1.0 s at megacity)."""
    settings.ADMIN_COUNT_CAP = 4
    client.force_login(municipal)
    for url in (URL, URL + "?o=1"):  # the default order and a chosen one
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200 and "4+" in response.content.decode()
        sql = [q["sql"] for q in ctx.captured_queries if "organizations_unit" in q["sql"]]
        counts = [s for s in sql if "COUNT(" in s]
        assert counts and all("ORDER BY" not in s for s in counts)
        # The page's own rows keep their order.
        assert any("ORDER BY" in s and "COUNT(" not in s for s in sql)
