"""Ground floor: territory, leadership bodies, Party organizations, covered units, staff posts."""

from organizations.models.bodies import Body
from organizations.models.party import PartyOrganization
from organizations.models.posts import StaffPost
from organizations.models.territory import Territory
from organizations.models.units import Unit

__all__ = ["Body", "PartyOrganization", "StaffPost", "Territory", "Unit"]
