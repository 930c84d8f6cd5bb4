from points.models.home import HomeStation
from points.models.ledger import ImmutableEntryError, LotDraw, PointAccount, PointEntry, PointLot
from points.models.reports import PhotoReport
from points.models.rewards import Redemption, Reward, RewardNight
from points.models.rules import PointCategory, PointRule
from points.models.tasks import TaskClaim, VolunteerTask

__all__ = [
    "HomeStation",
    "ImmutableEntryError",
    "LotDraw",
    "PhotoReport",
    "PointAccount",
    "PointCategory",
    "PointEntry",
    "PointLot",
    "PointRule",
    "Redemption",
    "Reward",
    "RewardNight",
    "TaskClaim",
    "VolunteerTask",
]
