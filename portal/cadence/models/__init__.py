"""Cadence (日盘点·周例会·月调度), key tasks and assessment, dashboards' export jobs."""

from portal.cadence.models.assessment import (
    AssessmentResult,
    RectificationItem,
    RectificationList,
    ScoringCriterion,
    ScoringScheme,
    SecretaryProject,
)
from portal.cadence.models.exports import ExportJob
from portal.cadence.models.keytasks import KeyTask, KeyTaskUpdate, Milestone, WorkPlan
from portal.cadence.models.notifications import Notification
from portal.cadence.models.snapshots import DailySnapshot
from portal.cadence.models.weekly import WeeklyReport, WeeklyReportAttachment, WeeklyReportEvent, WeeklyReportReminder

__all__ = [
    "AssessmentResult",
    "DailySnapshot",
    "ExportJob",
    "KeyTask",
    "KeyTaskUpdate",
    "Milestone",
    "Notification",
    "RectificationItem",
    "RectificationList",
    "ScoringCriterion",
    "ScoringScheme",
    "SecretaryProject",
    "WeeklyReport",
    "WeeklyReportAttachment",
    "WeeklyReportEvent",
    "WeeklyReportReminder",
    "WorkPlan",
]
