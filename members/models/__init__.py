"""People and Party members: persons, memberships, the development pipeline, transfers, dues."""

from members.models.attendance import MeetingAttendance
from members.models.dues import DuesPayment
from members.models.people import NEW_EMPLOYMENT_OCCUPATIONS, Occupation, PartyMembership, Person, Platform
from members.models.pipeline import STAGE_DATE_FIELD, DevelopmentQuota, DevelopmentRecord, Stage
from members.models.transfers import Transfer, TransferEvent

__all__ = [
    "NEW_EMPLOYMENT_OCCUPATIONS",
    "STAGE_DATE_FIELD",
    "DevelopmentQuota",
    "DevelopmentRecord",
    "DuesPayment",
    "MeetingAttendance",
    "Occupation",
    "PartyMembership",
    "Person",
    "Platform",
    "Stage",
    "Transfer",
    "TransferEvent",
]
