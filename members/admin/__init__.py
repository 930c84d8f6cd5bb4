"""Admin of people and Party members: scoped, masked, audited — one module per model family.

ID numbers and phones appear masked in every list and export. On a person's page the full values
are shown only to roles holding ``members.view_full_identity`` (district and municipal), and each
such view is written to the audit trail; others see the masked value and cannot edit it.

Importing the modules registers their ModelAdmins.
"""

from members.admin import attendance, development, dues, memberships, people, transfers  # noqa: F401
