"""Cadence (日盘点·周例会·月调度), key tasks and assessment."""

from cadence.models.assessment import (
    AssessmentResult,
    RectificationItem,
    RectificationList,
    ScoringCriterion,
    ScoringScheme,
    SecretaryProject,
)
from cadence.models.keytasks import KeyTask, KeyTaskUpdate, Milestone, WorkPlan
from cadence.models.notifications import Notification
from cadence.models.snapshots import DailySnapshot
from cadence.models.weekly import WeeklyReport, WeeklyReportAttachment, WeeklyReportEvent, WeeklyReportReminder

__all__ = [
    "AssessmentResult",
    "DailySnapshot",
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
