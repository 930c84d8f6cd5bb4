"""Writes of the grievance loop, one module per workflow:

- ``intake``: ``grievance_create`` (every door) and the ticket counter;
- ``triage``: category suggestion, duplicates, routing and the SLA snapshot;
- ``handling``: the handler's actions and the staff notices;
- ``deadlines``: extensions and escalation of overdue cases;
- ``feedback``: rating, reopening, the feedback SMS and auto-close;
- ``projects``: governance projects;
- ``base``: the state machine step, timeline events and messages they share.

Import from ``grievances.services``; the names below are the public API.
"""

from grievances.services.base import (
    ALLOWED,
    MAX_TEXT,
    SYSTEM,
    IllegalTransition,
    check_version,
    reopen_window,
    version_of,
)
from grievances.services.deadlines import extension_decide, extension_request, grievance_escalate
from grievances.services.feedback import (
    can_rate,
    duplicates_tell_outcome,
    feedback_request,
    grievance_autoclose,
    grievance_rate,
    grievance_reopen,
    grievance_supplement,
)
from grievances.services.handling import (
    grievance_accept,
    grievance_mark_duplicate,
    grievance_recategorize,
    grievance_reject,
    grievance_reply,
    grievance_resolve,
    grievance_transfer,
    notices_mark_read,
    transfer_targets,
)
from grievances.services.intake import grievance_create, next_ticket, prepare_ticket_sequences
from grievances.services.projects import (
    cluster_propose,
    milestone_add,
    milestone_done,
    project_close,
    project_update,
)
from grievances.services.triage import (
    Route,
    assignee_for,
    find_duplicate,
    grievance_triage,
    is_fallback,
    route_for,
    sla_for,
    street_of,
    suggest_category,
    text_similarity,
)

__all__ = [
    "ALLOWED",
    "MAX_TEXT",
    "SYSTEM",
    "IllegalTransition",
    "Route",
    "assignee_for",
    "can_rate",
    "check_version",
    "cluster_propose",
    "duplicates_tell_outcome",
    "extension_decide",
    "extension_request",
    "feedback_request",
    "find_duplicate",
    "grievance_accept",
    "grievance_autoclose",
    "grievance_create",
    "grievance_escalate",
    "grievance_mark_duplicate",
    "grievance_rate",
    "grievance_recategorize",
    "grievance_reject",
    "grievance_reopen",
    "grievance_reply",
    "grievance_resolve",
    "grievance_supplement",
    "grievance_transfer",
    "grievance_triage",
    "is_fallback",
    "milestone_add",
    "milestone_done",
    "next_ticket",
    "notices_mark_read",
    "prepare_ticket_sequences",
    "project_close",
    "project_update",
    "reopen_window",
    "route_for",
    "sla_for",
    "street_of",
    "suggest_category",
    "text_similarity",
    "transfer_targets",
    "version_of",
]
