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
