"""Writes of the points app. Import from here: ``from points.services import points_award``."""

from points.services.home import home_station_set, home_stations_set
from points.services.ledger import (
    AwardResult,
    CapReached,
    InsufficientPoints,
    PointsError,
    account_for,
    cap_room,
    points_award,
    points_expire_due,
    points_reverse,
    rule_applies_to,
    rule_awardable_by,
)
from points.services.reports import photo_report_reject, photo_report_submit, photo_report_verify
from points.services.rewards import (
    points_redeem,
    points_redemption_cancel,
    points_redemption_fulfil,
    reward_available_to,
)
from points.services.tasks import task_claim, task_close, task_confirm, task_publish, task_withdraw

__all__ = [
    "AwardResult",
    "CapReached",
    "InsufficientPoints",
    "PointsError",
    "account_for",
    "cap_room",
    "home_station_set",
    "home_stations_set",
    "photo_report_reject",
    "photo_report_submit",
    "photo_report_verify",
    "points_award",
    "points_expire_due",
    "points_redeem",
    "points_redemption_cancel",
    "points_redemption_fulfil",
    "points_reverse",
    "reward_available_to",
    "rule_applies_to",
    "rule_awardable_by",
    "task_claim",
    "task_close",
    "task_confirm",
    "task_publish",
    "task_withdraw",
]
