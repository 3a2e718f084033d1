"""Live minutes: discussion notes, the general minutes, decisions, attendees, action items; and
how the minutes write attendance and decisions."""
from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l

from app.models import ActionItem, AgendaItem, Attendee, Meeting, User
from app.models.meeting import DECISIONS, ORGANIZATIONS
from app.services import permissions, workflow
from app.services.errors import Msg, NotFound, ValidationFailed
from app.services.meetings.agenda import item_of
from app.services.meetings.scope import STALE, ensure_open, touch
from app.services.uow import unit_of_work
from app.utils import utcnow

# Who keeps the minutes: whoever runs the meeting or decides in it.
MINUTE_TAKERS = ("manage_meetings", "decide")

ORGANIZATION_LABELS = {
    "provincial_team": _l("Provincial requirement team"),
    "taskforce": _l("Task force"),
    "requirement_management": _l("Requirement management"),
    "onsite_engineering": _l("On-site engineers"),
    "other": _l("Other"),
}
# Documents (printable and Word minutes, calendar) are Chinese official papers: fixed Chinese
# labels, as the minutes name the groups that attended.
ORGANIZATION_LABELS_ZH = {
    "provincial_team": "省厅需求团队",
    "taskforce": "“数字财政”专班",
    "requirement_management": "需求管理人员",
    "onsite_engineering": "驻场运维工程师",
    "other": "其他人员",
}
DECISION_LABELS_ZH = {
    "approved": "评审通过",
    "rejected": "评审不通过",
    "needs_info": "待补充",
    "deferred": "暂缓",
}

# Reasons a review meeting commonly gives for rejecting an item (offered in the minutes form;
# any other text may be written instead). They are stored as written and read by proposers.
CANNED_REJECTION_REASONS = (
    "属于全省统一功能，不支持地市个性化定制",
    "可通过现有功能组合或参数配置实现，无需开发",
    "与省统一业务规范或制度要求冲突",
    "需求描述不清晰，无法评估影响范围",
    "已纳入省级统一规划建设，不单独开发",
    "与已评审通过的需求重复",
)
# The canned reasons by decision (what GET /meetings/reasons answers).
CANNED_REASONS = {"rejected": CANNED_REJECTION_REASONS}

# The workflow's rule (`workflow.REASON_REQUIRED`) in the words a minute-taker reads.
REASON_MESSAGES = {
    "rejected": Msg("A rejection needs a reason: choose one or write it."),
    "needs_info": Msg("Say what information is missing."),
}


# --- notes and general minutes -----------------------------------------------------------


def save_notes(actor: User, meeting: Meeting, requirement_id: int, notes: str) -> AgendaItem:
    """Autosave of one item's discussion notes."""
    permissions.require_any(actor, *MINUTE_TAKERS)
    ensure_open(meeting, actor)
    item = item_of(meeting, requirement_id)
    with unit_of_work(STALE):
        item.notes = notes
        item.notes_saved_at = utcnow()
    return item


def save_summary(actor: User, meeting: Meeting, summary: str) -> Meeting:
    """Autosave of the general minutes (no version check, no version bump: the minute-taker
    owns the text, and an edit form open meanwhile must not go stale)."""
    permissions.require_any(actor, *MINUTE_TAKERS)
    ensure_open(meeting, actor)
    with unit_of_work(STALE):
        meeting.summary = summary
        meeting.summary_saved_at = utcnow()
        touch(meeting)
    return meeting


# --- decisions ---------------------------------------------------------------------------


def validate_decision(decision: str | None, reason: str, target: str, until: date | None) -> None:
    """A decision with what it needs: a reason where the workflow requires one for the move
    it makes (`workflow.REASON_REQUIRED`), an "until when" for a deferral."""
    if decision is None:
        return
    if decision not in DECISIONS:
        raise ValidationFailed.field("decision", Msg("Unknown decision '%(decision)s'.", decision=decision))
    if decision in workflow.REASON_REQUIRED and not reason.strip():
        raise ValidationFailed.field("reason", REASON_MESSAGES.get(decision) or Msg(
            "A reason is required to move to '%(to)s' (%(to_label)s).", to=decision,
            to_label=workflow.label_lazy(decision)))
    if decision == "deferred" and not (target.strip() or until):
        raise ValidationFailed.field("target", Msg("Say until when the item is deferred."))


def record_decision(actor: User, meeting: Meeting, requirement_id: int, data: dict[str, Any]) -> AgendaItem:
    """PUT an item's minutes: `notes` alone autosaves; `decision` (with reason/target/until)
    replaces the decision as a whole (`decision: null` clears it)."""
    deciding = "decision" in data or any(k in data for k in ("reason", "target", "until"))
    if deciding:
        permissions.require(actor, "decide")
    else:
        permissions.require_any(actor, *MINUTE_TAKERS)
    ensure_open(meeting, actor)
    item = item_of(meeting, requirement_id)
    if deciding:
        decision = data.get("decision", item.decision)
        reason = (data.get("reason") or "").strip()
        target = (data.get("target") or "").strip()
        until = data.get("until")
        validate_decision(decision, reason, target, until)
        if decision is None:
            reason, target, until = "", "", None
    with unit_of_work(STALE):
        if deciding:
            item.decision = decision
            item.reason = reason
            item.target = target
            item.until = until
            item.decided_by_id = actor.id if decision else None
            item.decided_at = utcnow() if decision else None
            # what the decision was taken against; finalising checks it has not moved since
            item.status_when_decided = item.requirement.status if decision else None
        if "notes" in data and data["notes"] is not None:
            item.notes = data["notes"]
            item.notes_saved_at = utcnow()
    return item


def until_text(item: AgendaItem) -> str:
    """Until when a deferred item is deferred: the date and/or the text given."""
    parts = [p for p in ((item.target or "").strip(), item.until.isoformat() if item.until else "") if p]
    return " / ".join(parts)


# --- attendees and action items ----------------------------------------------------------


def add_attendee(actor: User, meeting: Meeting, data: dict[str, Any]) -> Attendee:
    permissions.require(actor, "manage_meetings")
    ensure_open(meeting, actor)
    with unit_of_work(STALE):
        attendee = Attendee(
            name=data["name"].strip(),
            organization=data["organization"],
            role=(data.get("role") or "").strip(),
            present=data.get("present", True),
        )
        meeting.attendees.append(attendee)
    return attendee


def _attendee(meeting: Meeting, attendee_id: int) -> Attendee:
    for attendee in meeting.attendees:
        if attendee.id == attendee_id:
            return attendee
    raise NotFound(Msg("Attendee not found."))


def update_attendee(actor: User, meeting: Meeting, attendee_id: int, data: dict[str, Any]) -> Attendee:
    permissions.require(actor, "manage_meetings")
    ensure_open(meeting, actor)
    attendee = _attendee(meeting, attendee_id)
    with unit_of_work(STALE):
        for name in ("name", "organization", "role", "present"):
            if name in data:
                setattr(attendee, name, data[name].strip() if isinstance(data[name], str) else data[name])
    return attendee


def remove_attendee(actor: User, meeting: Meeting, attendee_id: int) -> None:
    permissions.require(actor, "manage_meetings")
    ensure_open(meeting, actor)
    attendee = _attendee(meeting, attendee_id)
    with unit_of_work(STALE):
        meeting.attendees.remove(attendee)


def add_action_item(actor: User, meeting: Meeting, data: dict[str, Any]) -> ActionItem:
    permissions.require_any(actor, *MINUTE_TAKERS)
    ensure_open(meeting, actor)
    rid = data.get("requirement_id")
    if rid is not None and rid not in {item.requirement_id for item in meeting.agenda_items}:
        raise ValidationFailed.field("requirement_id", Msg("Link an action item to a requirement on this agenda."))
    with unit_of_work(STALE):
        action = ActionItem(
            text=data["text"].strip(),
            owner=data["owner"].strip(),
            due=data.get("due"),
            requirement_id=rid,
            created_by_id=actor.id,
            created_at=utcnow(),
        )
        meeting.action_items.append(action)
    return action


def remove_action_item(actor: User, meeting: Meeting, action_item_id: int) -> None:
    permissions.require_any(actor, *MINUTE_TAKERS)
    ensure_open(meeting, actor)
    action = next((a for a in meeting.action_items if a.id == action_item_id), None)
    if action is None:
        raise NotFound(Msg("Action item not found."))
    with unit_of_work(STALE):
        meeting.action_items.remove(action)


# --- how the minutes read ----------------------------------------------------------------


def attendees_by_organization(meeting: Meeting) -> list[tuple[str, list[Attendee]]]:
    """The attendees grouped by organisation, in the fixed order of ORGANIZATIONS."""
    groups = []
    for org in ORGANIZATIONS:
        members = [a for a in meeting.attendees if a.organization == org]
        if members:
            groups.append((org, members))
    return groups


def attendance_text(members: list[Attendee]) -> str:
    """One organisation's attendees as the minutes write them: 张三（主持）、李四；缺席：王五.

    Each person once: those present with their role at the meeting, those absent by name only
    (an absent person's planned role, e.g. 参会, is not what they did)."""
    present = "、".join(f"{a.name}（{a.role}）" if a.role else a.name for a in members if a.present)
    absent = "、".join(a.name for a in members if not a.present)
    parts = ([present] if present else []) + ([f"缺席：{absent}"] if absent else [])
    return "；".join(parts) or "—"


def host_of(meeting: Meeting) -> str:
    """The attendee present whose role says 主持 (host), else the organiser."""
    for attendee in meeting.attendees:
        if attendee.present and ("主持" in attendee.role or "host" in attendee.role.lower()):
            return attendee.name
    return meeting.organiser.name


def recorder_of(meeting: Meeting) -> str | None:
    for attendee in meeting.attendees:
        if attendee.present and ("记录" in attendee.role or "minute" in attendee.role.lower()):
            return attendee.name
    return None
