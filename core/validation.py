"""One place for the date rules every door shares (admin, API, staff and phone pages, imports).

A *fact* (a founding, an inspection, a visit, a payment, a meeting) happened: it cannot be dated
after today, nor before the thing it is about existed (a meeting before its organization was
founded, a payment before the member joined). A *range* (a campaign, a term) must end on or after
its start. Models call these from ``clean()`` so every door that validates the model gets the same
Chinese message; services call them before they write.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone


def _as_date(value) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


class DateChecks:
    """Collects the date errors of one record, by field, and raises them together."""

    def __init__(self, today: dt.date | None = None):
        self.today = today or timezone.localdate()
        self.errors: dict[str, str] = {}

    def fact(self, field: str, value, label: str, *, not_before=None, subject: str = "") -> DateChecks:
        """``value`` is when ``label`` happened: not after today, not before ``not_before``."""
        day, earliest = _as_date(value), _as_date(not_before)
        if day is None or field in self.errors:
            return self
        if day > self.today:
            self.errors[field] = f"{label}（{day:%Y-%m-%d}）不能晚于今天（{self.today:%Y-%m-%d}）"
        elif earliest is not None and day < earliest:
            self.errors[field] = f"{label}（{day:%Y-%m-%d}）不能早于{subject}（{earliest:%Y-%m-%d}）"
        return self

    def ordered(self, start_field: str, start, end_field: str, end, start_label: str, end_label: str) -> DateChecks:
        """``end`` on or after ``start`` (either may be empty)."""
        first, last = _as_date(start), _as_date(end)
        if first is not None and last is not None and last < first and end_field not in self.errors:
            self.errors[end_field] = f"{end_label}（{last:%Y-%m-%d}）不能早于{start_label}（{first:%Y-%m-%d}）"
        return self

    def raise_if_any(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)


def check_fact_date(value, *, field: str, label: str, not_before=None, subject: str = "") -> None:
    """Shorthand for one fact date."""
    DateChecks().fact(field, value, label, not_before=not_before, subject=subject).raise_if_any()
