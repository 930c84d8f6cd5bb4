"""Opening a grievance case from an app that may not import ``grievances``.

``points`` (随手拍) hands a verified photo report over as a case, but points and grievances
are on the same floor, so neither imports the other. Grievances registers its intake here
from ``AppConfig.ready()``; callers go through ``open_case``. Without a registered intake
(grievances not installed) the caller gets a clear ValidationError instead of an ImportError.

API::

    register_case_intake(func)  # func(**kwargs) -> case primary key; the last one registered wins
    open_case(channel=..., text=..., territory=..., station=..., person=..., contact_phone=...,
              photos=[...], actor=..., source_ref="photo-report:12", category_code=None) -> int

The keyword arguments are those of ``grievances.services.grievance_create``; the same
``source_ref`` returns the case already opened.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import ValidationError

_intake: Callable[..., int] | None = None


def register_case_intake(func: Callable[..., int]) -> None:
    global _intake
    _intake = func


def open_case(**kwargs) -> int:
    """Open (or find, by ``source_ref``) a case; returns its primary key."""
    if _intake is None:
        raise ValidationError("诉求办理模块未启用，无法转为诉求")
    return _intake(**kwargs)


# Tickets of opened cases, for links: points keeps only the case's primary key, yet a worker and
# a reviewer must see the ticket (受理编号) that the status page and the inbox know it by.
_tickets: Callable[[list[int]], dict[int, str]] | None = None


def register_case_tickets(func: Callable[[list[int]], dict[int, str]]) -> None:
    """``func(pks) -> {pk: ticket}``; registered by grievances beside its intake."""
    global _tickets
    _tickets = func


def case_tickets(pks) -> dict[int, str]:
    """``{pk: ticket}`` for the cases that exist; empty without a registered resolver."""
    pks = [pk for pk in pks if pk]
    if _tickets is None or not pks:
        return {}
    return _tickets(pks)
