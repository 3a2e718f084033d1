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
    "rollout_moved": _l("Region upgrade status changed"),
    "rollout_target_added": _l("Rollout target added"),
    "rollout_target_removed": _l("Rollout target removed"),
    "manual_marked": _l("Manual update marked"),
    "manual_done": _l("Manual updated"),
    "manual_unmarked": _l("Manual update unmarked"),
    "application_edited": _l("Upgrade application edited"),
    "announcement_published": _l("Announcement published"),
    "announcement_withdrawn": _l("Announcement withdrawn"),
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
    if kind == "rollout_moved":
        from app.services.releases import rollout_states

        text = _("%(region)s: %(before)s → %(after)s", region=data.get("region_name", ""),
                 before=rollout_states.label(data.get("from", "")), after=rollout_states.label(data.get("to", "")))
        if data.get("notes"):
            text += _("; notes: %(notes)s", notes=data["notes"])
        return text
    if kind in ("rollout_target_added", "rollout_target_removed"):
        return "%s: %s" % (kind_label(kind), data.get("region_name", ""))
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
    if kind == "application_edited":
        from app.services.releases.application import section_label

        return _("Upgrade application: %(sections)s", sections="、".join(section_label(k) for k in data.get("sections", [])))
    if kind in ("announcement_published", "announcement_withdrawn"):
        return "%s: %s" % (kind_label(kind), data.get("title", ""))
    if kind in ("manual_marked", "manual_done", "manual_unmarked"):
        from flask_babel import get_locale

        from app.services import reference

        english = not str(get_locale() or "zh").startswith("zh")
        domain = reference.all_labels(english=english).get("domain", {}).get(data.get("domain", ""),
                                                                             data.get("domain", ""))
        texts = {"manual_marked": _("%(code)s changes the operation manual of %(domain)s"),
                 "manual_done": _("Operation manual of %(domain)s updated for %(code)s"),
                 "manual_unmarked": _("%(code)s no longer marked as changing the manual of %(domain)s")}
        return texts[kind] % {"code": data.get("code", ""), "domain": domain}
    return kind
