"""Periods: the dashboard's default never starts empty, and the assessment and the monthly figures
give one result for their period whatever day they run."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.utils import timezone

from cadence.metrics import compute_all
from cadence.models import AssessmentResult, ScoringCriterion, ScoringScheme, WeeklyReport
from cadence.nodes import Node
from cadence.periods import Period, PeriodError, from_params, running
from cadence.services.keytasks import assessment_compute
from cadence.services.weekly import due_at_for

pytestmark = pytest.mark.django_db


@contextmanager
def clock(day: date, at: time = time(10, 0)):
    """Run as if it were ``day`` at ``at`` (local time)."""
    moment = timezone.make_aware(datetime.combine(day, at))
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


@pytest.mark.smoke
def test_default_period_is_the_last_complete_one_plus_the_running_one():
    assert running("month", date(2026, 12, 1)) == Period("month", date(2026, 11, 1), date(2026, 12, 1))
    assert running("week", date(2026, 12, 2)) == Period("week", date(2026, 11, 23), date(2026, 12, 2))
    assert running("quarter", date(2026, 1, 1)) == Period("quarter", date(2025, 10, 1), date(2026, 1, 1))
    assert running("year", date(2026, 3, 5)).start == date(2025, 1, 1)
    assert from_params({}, date(2026, 12, 1)) == running("month", date(2026, 12, 1))
    custom = from_params({"start": "2026-10-01", "end": "2026-10-31"})
    assert (custom.kind, custom.start, custom.end) == ("custom", date(2026, 10, 1), date(2026, 10, 31))
    for bad in ({"period": "decade"}, {"start": "2026-13-01"}, {"start": "2026-10-05", "end": "2026-10-01"}):
        with pytest.raises(PeriodError):
            from_params(bad)
    assert Period.of_month(2026, 2) == Period("month", date(2026, 2, 1), date(2026, 2, 28))


@pytest.fixture
def november_reports(data, world, fuzimiao_cadre):
    """Both 秦淮 streets filed every report due in November 2026 on time (weeks 45–48)."""
    for street in (world.fuzimiao, world.zhonghuamen):
        for week in (45, 46, 47, 48):
            due = due_at_for(2026, week)
            WeeklyReport.objects.create(
                street=street,
                iso_year=2026,
                iso_week=week,
                due_at=due,
                status=WeeklyReport.Status.SUBMITTED,
                submitted_at=due - timedelta(hours=3),
                submitted_by=fuzimiao_cadre,
            )


def test_assessment_and_monthly_figures_do_not_depend_on_the_day_they_run(world, november_reports):
    scheme = ScoringScheme.objects.create(year=2026, name="2026年考核")
    for kpi, weight in (("punctuality", "30"), ("coverage", "70")):
        ScoringCriterion.objects.create(scheme=scheme, kpi=kpi, weight=Decimal(weight), target=Decimal("100"))
    qinhuai = Node.of(world.qinhuai)
    november = Period.of_month(2026, 11)
    runs = []
    for day, at in ((date(2026, 12, 1), time(0, 30)), (date(2026, 12, 31), time(23, 0))):
        with clock(day, at):
            assessment_compute(scheme=scheme)
            scores = {r.district.name: (r.score, r.breakdown) for r in AssessmentResult.objects.all()}
            monthly = compute_all(qinhuai.lens.during(november), november, only=["weekly", "grievances"])
        runs.append((scores, monthly))
    assert runs[0] == runs[1]
    scores, monthly = runs[0]
    punctuality = next(b for b in scores["秦淮区"][1] if b["kpi"] == "punctuality")
    # 8 reports due in the year, all on time: full marks, not the 0/30 of a month-to-date read.
    assert punctuality["value"] == 100.0 and punctuality["points"] == "30.00"
    assert monthly["weekly"]["due"] == 8 and monthly["weekly"]["on_time"] == 8
    # Run on the last day of November too: the month's figures are the same.
    with clock(date(2026, 11, 30), time(23, 0)):
        assert compute_all(qinhuai.lens.during(november), november, only=["weekly", "grievances"]) == monthly


def test_dashboard_on_the_first_of_the_month_shows_last_month(client, world, november_reports, qinhuai_organizer):
    client.force_login(qinhuai_organizer)
    with clock(date(2026, 12, 1)):
        page = client.get("/dashboard/")
        weekly = next(g for g in page.context["groups"] if g["name"] == "weekly")
        due = next(c for c in weekly["cards"] if c["key"] == "due")
        assert due["value"] == 8
        assert "start=2026-11-01&end=2026-12-01" in due["url"]
        assert 'id="period-picker"' in page.content.decode()
        # The drill list behind the figure holds those eight rows, each opening its report.
        drill = client.get(due["url"])
        assert drill.context["page"].paginator.count == 8
        assert all(row["url"].startswith("/cadence/weekly/") for row in drill.context["rows"])
        # Only the running month: nothing is due in December's first day.
        this_month = client.get("/dashboard/?start=2026-12-01&end=2026-12-01")
        weekly = next(g for g in this_month.context["groups"] if g["name"] == "weekly")
        assert next(c for c in weekly["cards"] if c["key"] == "due")["value"] == 0
        assert client.get("/dashboard/?period=decade").status_code == 200  # reported, default shown
