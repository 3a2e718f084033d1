"""Human-readable summaries of a release's timeline events, in the reader's language."""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.models import ReleaseEvent
from app.services.releases import lifecycle
from app.services.roles import role_label
from app.services.workflow import label as requirement_label

KIND_LABELS = {
    "transition": _l("Status changed"),
    "signoff": _l("Sign-off"),
    "waiver_added": _l("Waiver given"),
    "waiver_withdrawn": _l("Waiver withdrawn"),
    "requirement_added": _l("Requirement added"),
    "requirement_removed": _l("Requirement taken out"),
    "run_started": _l("Run started"),
    "roles_changed": _l("Sign-off roles changed"),
    "build_changed": _l("Build changed"),
    "window_set": _l("Upgrade window set"),
}


def kind_label(kind: str) -> str:
    return str(KIND_LABELS.get(kind, kind))


def role_name(role: str) -> str:
    return role_label(role)


def describe(event: ReleaseEvent) -> str:
    data = event.data or {}
    kind = event.kind
    if kind == "transition":
        text = _("Status: %(before)s → %(after)s", before=lifecycle.label(data.get("from", "")),
                 after=lifecycle.label(data.get("to", "")))
        if data.get("build"):
            text += _("; build: %(build)s", build=data["build"])
        if data.get("reason"):
            text += _("; reason: %(reason)s", reason=data["reason"])
        return text
    if kind == "signoff":
        if data.get("decision") == "approve":
            text = _("Signed off (%(role)s): approved", role=role_name(data.get("role", "")))
        else:
            text = _("Signed off (%(role)s): refused", role=role_name(data.get("role", "")))
        if data.get("comment"):
            text += _("; comment: %(comment)s", comment=data["comment"])
        return text
    if kind == "waiver_added":
        return _("Waived scenario \"%(name)s\": %(reason)s", name=data.get("scenario", ""), reason=data.get("reason", ""))
    if kind == "waiver_withdrawn":
        return _("Withdrew the waiver of scenario #%(id)s", id=data.get("scenario_id", ""))
    if kind == "requirement_added":
        return _("Added %(code)s", code=data.get("code", ""))
    if kind == "requirement_removed":
        text = _("Took out %(code)s (now %(status)s)", code=data.get("code", ""),
                 status=requirement_label(data.get("to", "")))
        if data.get("scenarios"):
            text += _("; failing scenarios: %(names)s", names="、".join(data["scenarios"]))
        return text
    if kind == "run_started":
        return _("Started run #%(id)s (%(n)s scenarios)", id=data.get("run_id", ""), n=data.get("scenario_count", 0))
    if kind == "roles_changed":
        return _("Sign-off roles: %(roles)s", roles=" → ".join(role_name(r) for r in data.get("after", [])))
    if kind == "build_changed":
        return _("Build: %(before)s → %(after)s", before=data.get("before") or "—", after=data.get("after") or "—")
    if kind == "window_set":
        from datetime import datetime

        from app.services.meetings.times import local_text

        span = " – ".join(local_text(datetime.fromisoformat(data[k]).replace(tzinfo=None)) if data.get(k) else "—"
                          for k in ("start", "end"))
        text = _("Upgrade window: %(span)s", span=span)
        if data.get("override_reason"):
            text += _("; overrides freeze period %(names)s: %(reason)s", names="、".join(data.get("freezes", [])),
                      reason=data["override_reason"])
        return text
    return kind
