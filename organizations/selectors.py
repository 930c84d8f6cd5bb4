"""Reads of the ground floor that carry rules."""

from __future__ import annotations

from organizations.models import StaffPost


def posts_of(user) -> list[StaffPost]:
    if not user.is_authenticated:
        return []
    return list(
        StaffPost.objects.filter(user=user, is_active=True)
        .select_related("territory", "organization", "body")
        .order_by("role", "id")
    )
