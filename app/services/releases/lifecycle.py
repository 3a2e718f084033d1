"""The release state machine: statuses, legal moves, and what an illegal move reports.

planned → in_acceptance → accepted | rejected; rejected → in_acceptance (a fixed build);
accepted → upgrade_requested → scheduled → rolling_out → completed; rolling_out → rolled_back.
The one module that knows the moves; app.services.releases applies them with their effects.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.services.errors import IllegalTransition, Msg, ValidationFailed
from app.services.workflow import LazyJoin

STATUS_LABELS = {
    "planned": _l("Planned"),
    "in_acceptance": _l("In acceptance testing"),
    "accepted": _l("Acceptance passed"),
    "rejected": _l("Acceptance failed"),
    "upgrade_requested": _l("Upgrade requested"),
    "scheduled": _l("Upgrade window set"),
    "rolling_out": _l("Upgrading"),
    "completed": _l("Completed"),
    "rolled_back": _l("Rolled back"),
}
STATUSES = tuple(STATUS_LABELS)

TRANSITIONS: dict[str, tuple[str, ...]] = {
    "planned": ("in_acceptance",),
    "in_acceptance": ("accepted", "rejected"),
    "rejected": ("in_acceptance",),
    "accepted": ("upgrade_requested",),
    "upgrade_requested": ("scheduled",),
    "scheduled": ("rolling_out",),
    "rolling_out": ("completed", "rolled_back"),
    "completed": (),
    "rolled_back": (),
}

REASON_REQUIRED = frozenset({"rolled_back"})
# a release is open (may take requirements, carries them) until it is completed or rolled back
CLOSED = frozenset({"completed", "rolled_back"})
OPEN = tuple(s for s in STATUSES if s not in CLOSED)
# requirements may be added or taken out, waivers given and sign-off roles edited before acceptance
BEFORE_ACCEPTANCE = ("planned", "in_acceptance", "rejected")


def label(status: str) -> str:
    return str(STATUS_LABELS.get(status, status))


def allowed_targets(status: str) -> tuple[str, ...]:
    return TRANSITIONS.get(status, ())


def check_legal(version: str, current: str, to: str) -> None:
    """Raise unless `to` is a known status and a legal move from `current` (409 naming the
    current status and the allowed ones)."""
    if to not in STATUS_LABELS:
        raise ValidationFailed.field("to", Msg("Unknown release status '%(to)s'.", to=to))
    allowed = allowed_targets(current)
    if to not in allowed:
        labels = dict(
            version=version, current=current, to=to, allowed=", ".join(allowed) if allowed else "none",
            current_label=STATUS_LABELS.get(current, current), to_label=STATUS_LABELS.get(to, to),
            allowed_labels=LazyJoin([STATUS_LABELS[s] for s in allowed]),
        )
        raise IllegalTransition(
            Msg("Cannot move release %(version)s from '%(current)s' (%(current_label)s) to '%(to)s' (%(to_label)s); "
                "allowed from '%(current)s': %(allowed)s (%(allowed_labels)s).", **labels),
            {"to": [Msg("'%(to)s' (%(to_label)s) is not allowed from '%(current)s' (%(current_label)s); "
                       "allowed: %(allowed)s (%(allowed_labels)s).", **labels)]},
        )


def check_reason(to: str, reason: str | None) -> None:
    if to in REASON_REQUIRED and not (reason or "").strip():
        raise ValidationFailed.field(
            "reason", Msg("A reason is required to move a release to '%(to)s' (%(to_label)s).",
                          to=to, to_label=STATUS_LABELS.get(to, to)))
