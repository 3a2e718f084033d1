"""Typed models. Import from here: `from app.models import Requirement`."""
from app.models.reference import LOOKUP_KINDS, Lookup, Region
from app.models.requirement import (
    Attachment,
    CodeSequence,
    Event,
    Requirement,
)
from app.models.user import ApiToken, SignInAttempt, User
from app.models.verification import (
    Evidence,
    FeatureFile,
    FeatureRevision,
    Release,
    Run,
    RunResult,
    RunScenario,
    Scenario,
    ScenarioDomain,
    ScenarioRequirement,
    ScenarioTag,
    ScenarioVersion,
)
from app.models.meeting import ActionItem, AgendaItem, Attendee, Feedback, Meeting, MeetingAmendment
from app.models.taskforce import NotableCase
from app.models.calendar import CalendarOverride
from app.models.sla import FeedbackDelivery, SlaState, SlaTarget
from app.models.proposer import Proposer
from app.models.notification import MailMessage, Notification, NotificationSetting, Watch
from app.models import search_index  # noqa: F401  (the search index DDL hook)
from app.models.release import ReleaseEvent, ReleaseRequirement, ReleaseSignoff, ReleaseWaiver
from app.models.upgrade import Announcement, FreezePeriod, ReleaseWindow, UpgradeApplication
from app.models.rollout import ReleaseRolloutTarget
from app.models.share_link import RequirementShareLink
from app.models.audit import AuditEntry
from app.models.manual import ReleaseManualUpdate
from app.models.opinion import UserOpinion
from app.models.export_job import ExportJob

__all__ = [
    "ActionItem",
    "AgendaItem",
    "Attendee",
    "Feedback",
    "FeedbackDelivery",
    "FreezePeriod",
    "Announcement",
    "UpgradeApplication",
    "Meeting",
    "MeetingAmendment",
    "NotableCase",
    "LOOKUP_KINDS",
    "MailMessage",
    "Notification",
    "NotificationSetting",
    "Watch",
    "ApiToken",
    "AuditEntry",
    "Attachment",
    "CalendarOverride",
    "CodeSequence",
    "Event",
    "Lookup",
    "Proposer",
    "Region",
    "Requirement",
    "RequirementShareLink",
    "User",
    "UserOpinion",
    "Evidence",
    "ExportJob",
    "FeatureFile",
    "FeatureRevision",
    "Release",
    "ReleaseEvent",
    "ReleaseManualUpdate",
    "ReleaseRequirement",
    "ReleaseRolloutTarget",
    "ReleaseSignoff",
    "ReleaseWaiver",
    "ReleaseWindow",
    "Run",
    "RunResult",
    "RunScenario",
    "Scenario",
    "SignInAttempt",
    "ScenarioDomain",
    "ScenarioRequirement",
    "ScenarioTag",
    "ScenarioVersion",
    "SlaState",
    "SlaTarget",
]
