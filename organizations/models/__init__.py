"""Ground floor: territory, leadership bodies, Party organizations, covered units, staff posts."""

from organizations.models.bodies import Body, Responsibility
from organizations.models.instructors import Instructor
from organizations.models.meetings import Meeting
from organizations.models.party import CommitteeMember, OrganizationEvent, PartyOrganization, VanguardPost
from organizations.models.posts import StaffPost
from organizations.models.rules import BranchRule
from organizations.models.territory import Territory
from organizations.models.units import Unit

__all__ = [
    "Body",
    "BranchRule",
    "CommitteeMember",
    "Instructor",
    "Meeting",
    "OrganizationEvent",
    "PartyOrganization",
    "Responsibility",
    "StaffPost",
    "Territory",
    "Unit",
    "VanguardPost",
]
