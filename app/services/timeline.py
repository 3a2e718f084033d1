"""Human-readable summaries of timeline events, in the reader's language."""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.models import Event
from app.services import workflow

FIELD_LABELS = {
    "title": _l("Title"),
    "description": _l("Description"),
    "domain": _l("Domain"),
    "module": _l("Module"),
    "type": _l("Type"),
    "priority": _l("Priority"),
    "channel": _l("Channel"),
    "region": _l("Region"),
    "proposer_name": _l("Proposer"),
    "proposer_unit": _l("Proposer's unit"),
    "proposer_contact": _l("Proposer's contact"),
    "needs_custom_dev": _l("Needs custom development"),
    "assessment_notes": _l("Assessment notes"),
    "assignee": _l("Assignee"),
    "due_date": _l("Due date"),
    "external_ref": _l("External reference"),
}

KIND_LABELS = {
    "created": _l("Created"),
    "field_changed": _l("Field changed"),
    "transition": _l("Status changed"),
    "comment": _l("Comment"),
    "attachment": _l("Attachment"),
    "assigned": _l("Assignment"),
    "merged_in": _l("Duplicate merged in"),
    "merge_undone": _l("Merge undone"),
    "sla_breached": _l("Service level breached"),
    "feedback_delivered": _l("Feedback delivered"),
    "follow_up": _l("Follow-up call"),
}

CLOCK_LABELS = {
    "response": _l("Response"),
    "assessment": _l("Assessment"),
    "feedback": _l("Feedback to the proposer"),
    "confirmation": _l("Proposer's confirmation"),
}
CHANNEL_LABELS = {
    "yuezhengyi": _l("Yuezhengyi (粤政易)"),
    "phone": _l("Phone"),
    "sms": _l("SMS"),
    "in_person": _l("In person"),
    "other": _l("Other"),
}


def _short(value, limit: int = 60) -> str:
    text = "—" if value in (None, "") else str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


LOOKUP_FIELDS = {"domain": "domain", "type": "type", "priority": "priority", "channel": "channel"}


def _labels():
    """Reference labels in the reader's language, read once per request."""
    from flask import g
    from flask_babel import get_locale

    from app.services import reference

    cached = g.get("_timeline_labels")
    if cached is None:
        english = not str(get_locale()).startswith("zh")
        cached = g._timeline_labels = (reference.all_labels(english), reference.region_names())
    return cached


def _value(field: str | None, value) -> str:
    """A field's stored value as a reader would name it (labels, not codes)."""
    if value in (None, ""):
        return "—"
    if field in LOOKUP_FIELDS:
        return _labels()[0].get(LOOKUP_FIELDS[field], {}).get(value, value)
    if field == "region":
        return _labels()[1].get(value, value)
    if field == "needs_custom_dev":
        return {"yes": _("Yes"), "no": _("No"), "undecided": _("Undecided")}.get(value, value)
    return _short(value)


def describe(event: Event) -> str:
    data = event.data or {}
    if event.kind == "created":
        return _("Filed the requirement")
    if event.kind == "field_changed":
        name = data.get("field")
        return _(
            "%(field)s: %(before)s → %(after)s",
            field=str(FIELD_LABELS.get(name, name)),
            before=_value(name, data.get("before")),
            after=_value(name, data.get("after")),
        )
    if event.kind == "transition":
        text = _(
            "Status: %(before)s → %(after)s",
            before=workflow.label(data.get("from", "")),
            after=workflow.label(data.get("to", "")),
        )
        if data.get("duplicate_of"):
            text += _(" (merged into %(code)s)", code=data["duplicate_of"])
        if data.get("merge_undone"):
            text += _(" (merge into %(code)s undone)", code=data["merge_undone"])
        if data.get("outside_meeting"):
            text += _("; decided outside a review meeting")
        if data.get("reason"):
            text += _("; reason: %(reason)s", reason=data["reason"])
        context = data.get("context") or {}
        if context.get("meeting_title"):
            text += _("; review meeting: %(title)s", title=context["meeting_title"])
            if context.get("decision") == "deferred":
                # "until when" (older events kept it in "target")
                until = context.get("until") or context.get("target")
                if until:
                    text += _("; deferred until: %(until)s", until=until)
            elif context.get("target"):
                text += _("; target: %(target)s", target=context["target"])
        if context.get("release_version"):
            text += _("; release: %(version)s", version=context["release_version"])
        confirmation = context.get("confirmation")
        if confirmation == "confirmed":
            text += _("; the proposer confirmed the outcome")
        elif confirmation == "not_satisfied":
            text += _("; the proposer is not satisfied: reopened")
        elif confirmation == "automatic":
            text += _("; confirmed automatically: no answer from the proposer within %(days)s working days",
                      days=context.get("working_days", "—"))
        return text
    if event.kind == "comment":
        return _short(data.get("body"), 200)
    if event.kind == "attachment":
        return _("Attached %(name)s", name=data.get("filename", ""))
    if event.kind in ("merged_in", "merge_undone"):
        who = "、".join(data.get("proposers") or []) or "—"
        if event.kind == "merged_in":
            text = _("%(code)s merged in as a duplicate; its proposers join this one: %(who)s", code=data.get("duplicate", ""),
                     who=who)
        else:
            text = _("Merge of %(code)s undone; its proposers went back to it: %(who)s", code=data.get("duplicate", ""),
                     who=who)
        if data.get("reason"):
            text += _("; reason: %(reason)s", reason=data["reason"])
        return text
    if event.kind == "sla_breached":
        return _("%(clock)s: target of %(target)s working minutes exceeded (%(used)s used)",
                 clock=str(CLOCK_LABELS.get(data.get("clock"), data.get("clock"))),
                 target=data.get("target_minutes", "—"), used=data.get("used_minutes", "—"))
    if event.kind == "feedback_delivered":
        text = _("Feedback (%(decision)s) delivered to the proposer by %(channel)s",
                 decision=workflow.label(data.get("decision", "")),
                 channel=str(CHANNEL_LABELS.get(data.get("channel"), data.get("channel"))))
        if data.get("note"):
            text += _("; note: %(note)s", note=_short(data["note"], 200))
        return text
    if event.kind == "follow_up":
        text = _("Follow-up call with the proposer by %(channel)s",
                 channel=str(CHANNEL_LABELS.get(data.get("channel"), data.get("channel"))))
        if data.get("note"):
            text += _("; note: %(note)s", note=_short(data["note"], 200))
        return text
    if event.kind == "assigned":
        return _(
            "Assignee: %(before)s → %(after)s",
            before=_short(data.get("before_name") or data.get("before")),
            after=_short(data.get("after_name") or data.get("after")),
        )
    return event.kind
