from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from members.rules import monthly_dues, previous_quarter, quarter_average
from members.selectors import dues_arrears, months_in_arrears
from members.services import dues_assess, dues_pay
from tests.members.factories import make_member

D = Decimal


@pytest.mark.smoke
@pytest.mark.parametrize(
    "income, expected",
    [
        ("0", "0.20"),  # the token minimum
        ("3000", "15.00"),  # 0.5% up to and including 3000
        ("3000.01", "30.00"),  # 1% above
        ("5000", "50.00"),
        ("5000.01", "75.00"),  # 1.5% above 5000
        ("10000", "150.00"),
        ("10000.01", "200.00"),  # 2% above 10000
    ],
)
def test_brackets_at_their_boundaries(income, expected):
    assert monthly_dues(category="regular", monthly_income=D(income)) == D(expected)


def test_retired_students_and_irregular_earners():
    assert monthly_dues(category="retired", monthly_income=D("5000")) == D("25.00")
    assert monthly_dues(category="retired", monthly_income=D("6000")) == D("60.00")
    assert monthly_dues(category="student") == D("0.20")
    assert quarter_average([D("4000"), D("6500"), D("5500")]) == D("5333.33")
    assert previous_quarter(date(2025, 2, 10)) == (date(2024, 10, 1), date(2024, 12, 31))
    assert previous_quarter(date(2025, 12, 31)) == (date(2025, 7, 1), date(2025, 9, 30))
    with pytest.raises(ValueError, match="3个月"):
        quarter_average([D("1")])


def test_assess_irregular_rider_and_pay(world):
    membership = make_member(world.fuzimiao, world.fuzimiao_org)
    dues_assess(membership=membership, category="irregular", quarter_incomes=[D("4000"), D("6500"), D("5500")])
    membership.refresh_from_db()
    assert membership.dues_income_basis == D("5333.33") and membership.dues_monthly == D("80.00")
    with pytest.raises(ValidationError) as exc:
        dues_assess(membership=membership, category="irregular")
    assert "上季度" in str(exc.value)
    dues_pay(membership=membership, period=date(2025, 1, 15), amount=D("80"))
    with pytest.raises(ValidationError, match="已登记"):
        dues_pay(membership=membership, period=date(2025, 1, 1), amount=D("80"))
    with pytest.raises(ValidationError, match="低于"):
        dues_pay(membership=membership, period=date(2025, 2, 1), amount=D("10"))


def test_arrears_alert_at_six_months(world, fuzimiao_cadre, xinjiekou_cadre, monkeypatch):
    today = date(2025, 9, 15)
    paid_recently = make_member(world.fuzimiao, world.fuzimiao_org, name="甲")
    five_months = make_member(world.fuzimiao, world.fuzimiao_org, name="乙")
    six_months = make_member(world.fuzimiao, world.fuzimiao_org, name="丙")
    for membership, period in ((paid_recently, date(2025, 8, 1)), (five_months, date(2025, 3, 1))):
        membership.dues_payments.create(period=period, amount=D("1"), paid_on=period)
    six_months.dues_payments.create(period=date(2025, 2, 1), amount=D("1"), paid_on=date(2025, 2, 1))
    flagged = list(dues_arrears(fuzimiao_cadre, today=today))
    assert flagged == [six_months]
    assert months_in_arrears(six_months, today=today) == 6
    assert months_in_arrears(five_months, today=today) == 5
    assert list(dues_arrears(xinjiekou_cadre, today=today)) == []
