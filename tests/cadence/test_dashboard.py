from decimal import Decimal
from io import BytesIO

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from core.models import ExportJob
from organizations.models import Territory

pytestmark = pytest.mark.django_db
DASH = "/dashboard/"


def card(response, figure):
    """The value of one KPI card, by its ``data-figure``."""
    import re

    html = response.content.decode()
    match = re.search(rf'data-figure="{figure}">\s*<div class="value">(?:<a href="[^"]*">)?([^<]*)', html)
    return match.group(1).strip() if match else None


@pytest.mark.smoke
def test_each_role_lands_on_its_scope(client, data, municipal, qinhuai_organizer, xinjiekou_cadre, fuzimiao_cadre):
    client.force_login(municipal)
    assert card(client.get(DASH), "organizations.units") == "7"
    client.force_login(qinhuai_organizer)
    response = client.get(DASH)
    assert card(response, "organizations.units") == "5"
    assert "夫子庙街道" in response.content.decode() and "新街口" not in response.content.decode()
    client.force_login(xinjiekou_cadre)
    assert card(client.get(DASH), "organizations.units") == "2"
    client.force_login(fuzimiao_cadre)
    assert card(client.get(DASH), "organizations.units") == "3"


def test_focus_outside_scope_is_404(client, data, qinhuai_organizer, fuzimiao_cadre, municipal):
    client.force_login(qinhuai_organizer)
    assert client.get(DASH + "?node=320102").status_code == 404
    assert client.get(DASH + "?node=320104002000").status_code == 200
    client.force_login(fuzimiao_cadre)
    assert client.get(DASH + "?node=320104").status_code == 404
    assert client.get(DASH + "?node=T:320104005000").status_code == 404
    client.force_login(municipal)
    assert card(client.get(DASH + "?node=320102"), "organizations.units") == "2"


def test_outsider_and_industry_see_no_foreign_counts(client, data, world, outsider, industry_officer):
    client.force_login(outsider)
    response = client.get(DASH)
    assert response.status_code == 200
    assert card(response, "organizations.units") == "0"
    assert client.get(DASH + "?node=320100").status_code == 404
    client.force_login(industry_officer)
    response = client.get(DASH)
    assert card(response, "organizations.units") == "0"  # nothing co-managed yet
    data.fuzimiao_branch.industry_committee = world.kuaidi_committee
    data.fuzimiao_branch.save()
    response = client.get(DASH)
    assert card(response, "organizations.units") == "3"
    # Its per-district table does not link into a district it may not open.
    assert "?node=T:320104" not in response.content.decode()


def test_drill_down_is_scoped(client, data, qinhuai_organizer, xinjiekou_cadre):
    url = reverse("cadence:drill", args=["organizations", "units_uncovered"])
    client.force_login(qinhuai_organizer)
    body = client.get(url + "?node=T:320104").content.decode()
    assert "中华门未覆盖企业0" in body and "新街口未覆盖企业" not in body
    assert client.get(url + "?node=T:320102").status_code == 404
    client.force_login(xinjiekou_cadre)
    body = client.get(url).content.decode()
    assert "新街口未覆盖企业" in body and "中华门" not in body
    assert client.get(reverse("cadence:drill", args=["organizations", "nope"])).status_code == 404


def test_member_drill_needs_member_permission(client, data, member_unit_officer):
    client.force_login(member_unit_officer)
    assert client.get(reverse("cadence:drill", args=["members", "members"])).status_code == 404


def test_export_small_list_is_scoped_xlsx(client, data, xinjiekou_cadre):
    client.force_login(xinjiekou_cadre)
    response = client.post(
        reverse("exports:start"), {"dataset": "drill", "provider": "organizations", "figure": "units"}
    )
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(BytesIO(response.content)).active
    names = [ws.cell(row=r, column=1).value for r in range(4, ws.max_row + 1)]
    assert sorted(names) == ["新街口未覆盖企业", "新街口覆盖企业"]
    assert "覆盖单位" in ws["A1"].value


def test_export_node_outside_scope_refused(client, data, xinjiekou_cadre):
    client.force_login(xinjiekou_cadre)
    response = client.post(
        reverse("exports:start"),
        {"dataset": "drill", "provider": "organizations", "figure": "units", "node": "T:320104"},
        follow=True,
    )
    assert "节点不在您的管辖范围内" in response.content.decode()
    assert not ExportJob.objects.exists()


def test_big_export_runs_as_job(
    client, data, settings, qinhuai_organizer, xinjiekou_cadre, django_capture_on_commit_callbacks
):
    settings.EXPORT_SYNC_LIMIT = 2
    client.force_login(qinhuai_organizer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("exports:start"), {"dataset": "drill", "provider": "organizations", "figure": "units"}
        )
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response.url == reverse("exports:status", args=[job.pk])
    job.refresh_from_db()
    assert job.status == "done" and job.total_rows == 5 and job.percent == 100
    status = client.get(reverse("exports:status", args=[job.pk]) + "?format=json").json()
    assert status["done"] is True
    ws = load_workbook(
        BytesIO(b"".join(client.get(reverse("exports:download", args=[job.pk])).streaming_content))
    ).active
    assert ws.max_row == 3 + 5
    # Someone else's job is invisible.
    client.force_login(xinjiekou_cadre)
    assert client.get(reverse("exports:status", args=[job.pk])).status_code == 404
    assert client.get(reverse("exports:download", args=[job.pk])).status_code == 404


def test_dashboard_query_count_is_bounded(client, data, qinhuai_organizer, django_assert_max_num_queries):
    client.force_login(qinhuai_organizer)
    with django_assert_max_num_queries(150):
        client.get(DASH)


def test_pages_require_login(client, world):
    for name in ("cadence:dashboard", "cadence:weekly-list", "cadence:dispatch-list", "cadence:key-tasks"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and "/accounts/login/" in response.url


def test_api_is_scoped(api_client, data, qinhuai_organizer, xinjiekou_cadre, outsider):
    from cadence.services.weekly import weekly_report_open

    weekly_report_open(street=Territory.objects.get_parent(data.fuzimiao_branch.territory), iso_year=2026, iso_week=47)
    api_client.force_authenticate(xinjiekou_cadre)
    assert api_client.get("/api/v1/cadence/weekly-reports/").json()["results"] == []
    api_client.force_authenticate(qinhuai_organizer)
    rows = api_client.get("/api/v1/cadence/weekly-reports/").json()["results"]
    assert [r["street_name"] for r in rows] == ["夫子庙街道"]
    figures = api_client.get("/dashboard/figures.json").json()["figures"]
    assert figures["organizations"]["units"] == 5
    assert api_client.get("/dashboard/figures.json?node=320102").status_code == 404
    api_client.force_authenticate(outsider)
    assert api_client.get("/api/v1/cadence/snapshots/").status_code == 403
    assert api_client.get("/dashboard/figures.json").json()["figures"]["organizations"]["units"] == 0


def test_list_exports_are_scoped(client, data, world, qinhuai_organizer, xinjiekou_cadre):
    from cadence.services.weekly import weekly_report_open

    for street in (world.fuzimiao, world.zhonghuamen, world.xinjiekou):
        weekly_report_open(street=street, iso_year=2026, iso_week=47)
    client.force_login(qinhuai_organizer)
    ws = load_workbook(BytesIO(client.post(reverse("exports:start"), {"dataset": "weekly_reports"}).content)).active
    streets = sorted(ws.cell(row=r, column=1).value for r in range(4, ws.max_row + 1))
    assert streets == ["秦淮区 / 中华门街道", "秦淮区 / 夫子庙街道"]
    client.force_login(xinjiekou_cadre)
    ws = load_workbook(BytesIO(client.post(reverse("exports:start"), {"dataset": "weekly_reports"}).content)).active
    assert [ws.cell(row=r, column=1).value for r in range(4, ws.max_row + 1)] == ["玄武区 / 新街口街道"]
    response = client.post(reverse("exports:start"), {"dataset": "nope"}, follow=True)
    assert "未知的导出数据集" in response.content.decode()


def test_weekly_list_query_count(client, data, world, qinhuai_organizer, django_assert_max_num_queries):
    from cadence.services.weekly import weekly_reports_open_all

    weekly_reports_open_all(day=timezone.localdate())
    client.force_login(qinhuai_organizer)
    with django_assert_max_num_queries(40):
        assert client.get(reverse("cadence:weekly-list")).status_code == 200


def test_dashboard_reads_todays_inventory_and_live_on_request(
    client, data, world, qinhuai_organizer, django_assert_max_num_queries, settings
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from cadence.services.snapshots import daily_inventory_nodes, daily_inventory_run
    from organizations.models import Unit

    settings.CADENCE_DASHBOARD_CACHE_SECONDS = 0
    client.force_login(qinhuai_organizer)
    with CaptureQueriesContext(connection) as live_queries:
        live_page = client.get(DASH)
    assert "实时数据" in live_page.content.decode()
    live_count = len(live_queries.captured_queries)  # now: the next request resets the query log
    # The daily inventory of the district and its streets: the page reads their snapshots, with
    # the same figures as the live selectors, and far fewer queries.
    daily_inventory_run(day=timezone.localdate(), node_keys=daily_inventory_nodes("320104"))
    page = client.get(DASH)
    assert "数据截至" in page.content.decode()
    assert card(page, "organizations.units") == card(live_page, "organizations.units") == "5"
    # The period's flow figures (cases, points, reports) are counted live either way; the stock
    # figures the inventory holds are most of the work.
    with django_assert_max_num_queries(live_count * 2 // 3):
        client.get(DASH)
    # A unit added after the inventory shows in the live view only, until the next run.
    Unit.objects.create(name="午后新增企业", kind=Unit.Kind.ENTERPRISE, territory=world.chaokujie)
    assert card(client.get(DASH), "organizations.units") == "5"
    assert card(client.get(DASH + "?live=1"), "organizations.units") == "6"
    # The figures API reads the same inventory, and recomputes on ?live=1.
    api = client.get("/dashboard/figures.json?node=T:320104").json()
    assert api["as_of"] and api["figures"]["organizations"]["units"] == 5 and "_exceptions" not in api["figures"]
    live = client.get("/dashboard/figures.json?node=T:320104&live=1").json()
    assert live["as_of"] is None and live["figures"]["organizations"]["units"] == 6


def test_cells_rendered_in_python_are_the_markup_the_template_gave():
    """The child table's and the weekly grid's cells are rendered once in Python: byte for byte
    what the template loops rendered (escaping, localization, links, dashes)."""
    from types import SimpleNamespace

    from django.template import Context, Template

    from cadence.views.dashboard import _cards_html, _cells_html, _grid_cells_html, _rows_html

    cells = [
        {"value": 3, "url": "/cadence/drill/a/b/?node=T:320104&start=2026-12-01"},
        {"value": 0, "url": "/cadence/drill/a/c/"},
        {"value": None, "url": "/cadence/drill/a/d/"},
        {"value": 12.5, "url": None},
        {"value": 1234567, "url": None},
        {"value": "<b>", "url": None},
    ]
    old = Template(
        '{% for c in cells %}<td class="num">{% if c.url and c.value %}<a href="{{ c.url }}">{{ c.value }}</a>'
        "{% elif c.value is None %}—{% else %}{{ c.value }}{% endif %}</td>{% endfor %}"
    )
    assert _cells_html(cells) == old.render(Context({"cells": cells}))
    # The shortcut for plain numbers gives what localization gives, in every case it takes.
    numbers = [0, -7, 1234567, 12.5, -0.1, 100.0, 1e-05, 3.5e20, float("inf"), True, Decimal("2.50"), 10**20]
    many = [{"value": v, "url": None} for v in numbers] + [{"value": v, "url": "/x/?a=1&b=2"} for v in numbers]
    assert _cells_html(many) == old.render(Context({"cells": many}))
    with override_settings(USE_THOUSAND_SEPARATOR=True):
        assert _cells_html(many) == old.render(Context({"cells": many}))
    with translation.override("de"):
        assert _cells_html(many) == old.render(Context({"cells": many}))
    cards = [
        {"key": "units", "label": "覆盖单位", "unit": "家", "value": 1234567, "url": "/d/?node=T:1&start=2026-12-01"},
        {"key": "rate", "label": "<率>", "unit": "%", "value": 12.5, "url": None},
        {"key": "none", "label": "无", "unit": "个", "value": None, "url": "/d/"},
        {"key": "zero", "label": "零", "unit": "个", "value": 0, "url": "/d/z/"},
    ]
    old_cards = Template(
        "{% for c in g.cards %}\n"
        '    <div class="kpi" data-figure="{{ g.name }}.{{ c.key }}">\n'
        '      <div class="value">{% if c.url %}<a href="{{ c.url }}">{% endif %}{% if c.value is None %}—'
        "{% else %}{{ c.value }}{% endif %}{% if c.url %}</a>{% endif %}<small>{{ c.unit }}</small></div>\n"
        '      <div class="label">{{ c.label }}</div>\n'
        "    </div>\n"
        "  {% endfor %}"
    )
    rows = [
        {"node": SimpleNamespace(label="<社区>"), "dashboard": "/dashboard/?node=T:1&x=<", "html": _cells_html(cells)},
        {"node": SimpleNamespace(label="无链接"), "dashboard": None, "html": _cells_html(many)},
    ]
    old_rows = Template(
        "{% for r in t.rows %}\n"
        '      <tr><td>{% if r.dashboard %}<a href="{{ r.dashboard }}">{{ r.node.label }}</a>{% else %}'
        "{{ r.node.label }}{% endif %}</td>\n"
        "      {{ r.html }}</tr>\n"
        "    {% endfor %}"
    )
    assert _rows_html(rows) == old_rows.render(Context({"t": {"rows": rows}}))
    assert _cards_html("organizations", cards) == old_cards.render(
        Context({"g": {"name": "organizations", "cards": cards}})
    )
    grid = [
        {"state": "late", "label": "未报"},
        {"state": "filed", "label": "已提交", "report": SimpleNamespace(pk=7)},
        {"state": "none", "label": "—"},
        {"state": "open", "label": "<草稿>", "report": SimpleNamespace(pk=8)},
    ]
    old_grid = Template(
        '{% for c in row.cells %}<td class="wk wk-{{ c.state }}">{% if c.report %}<a href="'
        "{% url 'cadence:weekly-detail' c.report.pk %}\">{{ c.label }}</a>{% else %}{{ c.label }}{% endif %}"
        "</td>{% endfor %}"
    )
    assert _grid_cells_html(grid) == old_grid.render(Context({"row": {"cells": grid}}))


def test_a_street_reads_its_communities_from_the_inventory_in_seventeen_queries(
    client, data, world, fuzimiao_cadre, django_assert_num_queries, settings
):
    """Issue 22: the inventory covers the levels the dashboard shows (a street's communities and
    grids too), so a street's page counts only the period's flows live: ≤20 queries (17,
    pinned: the homes, breadcrumbs and children in one query, no scatter under the station
    map), and no more with more communities. Today's exceptions come from the inventory row it
    read."""
    from cadence.models import DailySnapshot
    from cadence.services.snapshots import EXCEPTIONS_KEY, daily_inventory_nodes, daily_inventory_run
    from core.tree import add_node

    settings.CADENCE_DASHBOARD_CACHE_SECONDS = 0
    client.force_login(fuzimiao_cadre)
    today = timezone.localdate()

    def inventory():
        daily_inventory_run(day=today, node_keys=daily_inventory_nodes("320104002000"))
        row = DailySnapshot.objects.get(kind=DailySnapshot.Kind.DAILY, date=today, node_key="T:320104002000")
        row.figures[EXCEPTIONS_KEY] = [
            {
                "provider": "stations",
                "figure": "inspection_overdue",
                "label": "驿站·超期未巡查驿站",
                "previous": 1,
                "current": 3,
            }
        ]
        row.save(update_fields=["figures"])

    inventory()
    page = client.get(DASH)
    assert "数据截至" in page.content.decode()
    assert "驿站·超期未巡查驿站" in page.content.decode()
    with django_assert_num_queries(17):
        client.get(DASH)
    street = Territory.objects.get(code="320104002000")
    for i in range(3):
        street.refresh_from_db()
        add_node(Territory, street, code=f"320104002{950 + i}", name=f"新社区{i}", level=Territory.Level.COMMUNITY)
    inventory()
    with django_assert_num_queries(17):
        client.get(DASH)


@pytest.mark.parametrize(
    ("username", "nodes"),
    [
        ("municipal", ["", "320100", "320104", "320104002000", "O:HY-KD"]),
        ("qinhuai_organizer", ["", "320104", "320104002000"]),
        ("fuzimiao_cadre", ["", "320104002000"]),
        ("xinjiekou_cadre", [""]),
        ("industry_officer", [""]),
        ("outsider", [""]),
    ],
)
def test_homes_and_family_in_one_query_are_what_the_separate_queries_give(request, data, world, username, nodes):
    """The dashboard reads the homes, the breadcrumbs' ancestors and the children together; each
    equals what ``home_nodes``, treebeard's ``get_ancestors`` and ``Node.children`` give apart,
    in the same order, for every role, with and without ``?node=``, and with two posts."""
    from cadence.nodes import Node, home_nodes, homes_and_family

    user = request.getfixturevalue(username)

    def apart(node):
        homes = home_nodes(user)
        node = node if node is not None else (homes[0] if homes else None)
        if node is None:
            return None, homes, ([], [])
        ancestors = (
            [Node.of(t) for t in Territory.objects.get_ancestors(node.territory)] if node.territory is not None else []
        )
        return node, homes, (ancestors, node.children())

    for key in nodes:
        node = Node.parse(key) if key else None
        assert homes_and_family(user, node) == apart(node)
    # A leaf's family (a grid's, no children) and a node above the post (none of the user's).
    leaf = Territory.objects.filter(numchild=0).order_by("-depth", "code").first()
    assert homes_and_family(user, Node.of(leaf)) == apart(Node.of(leaf))


def test_homes_and_family_with_two_posts(data, world, fuzimiao_cadre):
    from cadence.nodes import Node, home_nodes, homes_and_family
    from organizations.scope import forget_scope, scope_for
    from tests.world import post

    post(fuzimiao_cadre, "street", territory=world.xinjiekou)
    forget_scope(fuzimiao_cadre)
    assert len(scope_for(fuzimiao_cadre).territory_paths) == 2
    node, homes, (ancestors, children) = homes_and_family(fuzimiao_cadre, None)
    assert homes == home_nodes(fuzimiao_cadre) and node == homes[0]
    assert [a.key for a in ancestors] == [Node.of(t).key for t in Territory.objects.get_ancestors(node.territory)]
    assert children == node.children()


def test_child_table_rows_are_the_cells_escaped_one_by_one(client, data, world, fuzimiao_cadre, settings):
    """``child_table`` escapes each figure's link once per table and the child's key once per
    row; the row's markup is what escaping every cell's whole URL gives, and the header cells
    are what the template's loop wrote."""
    from django.template import Context, Template

    from cadence.views import dashboard as views

    settings.CADENCE_DASHBOARD_CACHE_SECONDS = 0
    client.force_login(fuzimiao_cadre)
    tables = client.get(DASH + "?period=quarter").context["tables"]
    assert tables and any(cell["url"] and "&" in cell["url"] for t in tables for r in t["rows"] for cell in r["cells"])
    header_loop = Template('{% for f in t.provider.figures %}<th class="num">{{ f.label }}</th>{% endfor %}')
    for table in tables:
        assert table["header_cells"] == header_loop.render(Context({"t": table}))
        for row in table["rows"]:
            assert row["html"] == views._cells_html(row["cells"])
