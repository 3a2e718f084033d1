"""The state machine of one region's upgrade (a rollout target).

pending → in_progress → done | failed; failed → in_progress (try again) | rolled_back.
`done` and `rolled_back` are final. app.services.releases.rollout applies the moves.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.services.errors import IllegalTransition, Msg, ValidationFailed
from app.services.workflow import LazyJoin

STATUS_LABELS = {
    "pending": _l("Not started"),
    "in_progress": _l("Upgrading"),
    "done": _l("Upgraded"),
    "failed": _l("Upgrade failed"),
    "rolled_back": _l("Rolled back"),
}
STATUSES = tuple(STATUS_LABELS)

TRANSITIONS: dict[str, tuple[str, ...]] = {
    "pending": ("in_progress",),
    "in_progress": ("done", "failed"),
    "failed": ("in_progress", "rolled_back"),
    "done": (),
    "rolled_back": (),
}
FINAL = frozenset(s for s, targets in TRANSITIONS.items() if not targets)
# a move to one of these records the end (when and who); a start records the start
FINISHING = frozenset({"done", "failed", "rolled_back"})


def label(status: str) -> str:
    return str(STATUS_LABELS.get(status, status))


def allowed_targets(status: str) -> tuple[str, ...]:
    return TRANSITIONS.get(status, ())


def check_legal(region_name: str, current: str, to: str) -> None:
    """Raise 422 for an unknown status, 409 for an illegal move (naming the allowed ones)."""
    if to not in STATUS_LABELS:
        raise ValidationFailed.field("status", Msg("Unknown rollout status '%(to)s'.", to=to))
    allowed = allowed_targets(current)
    if to not in allowed:
        labels = dict(region=region_name, current=current, to=to, allowed=", ".join(allowed) if allowed else "none",
                      current_label=STATUS_LABELS[current] if current in STATUS_LABELS else current,
                      to_label=STATUS_LABELS[to], allowed_labels=LazyJoin([STATUS_LABELS[s] for s in allowed]))
        raise IllegalTransition(
            Msg("Cannot move the upgrade of %(region)s from '%(current)s' (%(current_label)s) to '%(to)s' "
                "(%(to_label)s); allowed: %(allowed)s (%(allowed_labels)s).", **labels),
            {"status": [Msg("'%(to)s' (%(to_label)s) is not allowed from '%(current)s' (%(current_label)s).",
                            **labels)]})
