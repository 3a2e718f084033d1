"""Typed models. Import from here: `from app.models import Requirement`."""
from app.models.reference import LOOKUP_KINDS, Lookup, Region
from app.models.requirement import (
    Attachment,
    CodeSequence,
    Event,
    Requirement,
)
from app.models.user import ApiToken, User
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

__all__ = [
    "ActionItem",
    "AgendaItem",
    "Attendee",
    "Feedback",
    "Meeting",
    "MeetingAmendment",
    "LOOKUP_KINDS",
    "ApiToken",
    "Attachment",
    "CodeSequence",
    "Event",
    "Lookup",
    "Region",
    "Requirement",
    "User",
    "Evidence",
    "FeatureFile",
    "FeatureRevision",
    "Release",
    "Run",
    "RunResult",
    "RunScenario",
    "Scenario",
    "ScenarioDomain",
    "ScenarioRequirement",
    "ScenarioTag",
    "ScenarioVersion",
]
