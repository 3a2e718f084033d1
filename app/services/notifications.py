"""Notifications (issue 10): who hears of what, in the same transaction as the change.

One central point: a `before_flush` hook reads what the flush inserts — a requirement's timeline
events (`Event`: assignments, moves, comments, breaches), a release's moves (`ReleaseEvent`) and
clocks turning at risk (`SlaState`) — and adds the notifications (and their e-mails) to the same
flush, so a change and its notifications commit together or not at all. Services call nothing.

Rules: the actor never hears of their own action; only active users who may read the requirement
(its region or above) are notified; one notification per user per change.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import event as sa_event
from sqlalchemy import func, inspect, select, update
from sqlalchemy.orm import Session

from app.extensions import db
from app.models import Event, Region, Release, Requirement, SlaState, User
from app.models.notification import MailMessage, Notification, NotificationSetting, Watch
from app.models.release import ReleaseEvent, ReleaseRequirement
from app.services import paging, permissions, workflow
from app.services.errors import Msg, ValidationFailed
from app.services.uow import unit_of_work
from app.utils import utcnow

KIND_LABELS = {
    "assigned": _l("Assigned to me"),
    "decision": _l("Decision"),
    "transition": _l("Status changed"),
    "comment": _l("Comment"),
    "feedback_due": _l("Feedback due"),
    "verification_failed": _l("Verification failed"),
    "release_accepted": _l("Release accepted"),
    "release_completed": _l("Release completed"),
    "sla_at_risk": _l("Service level at risk"),
    "sla_breached": _l("Service level breached"),
}
KINDS = tuple(KIND_LABELS)
# requirement moves a release makes for its requirements: its own notification says it once
RELEASE_MOVES = frozenset({"in_verification", "verified", "released"})
# who hears of a service level at risk or breached, within the requirement's region or above
SLA_ROLES = ("taskforce", "manager")


# --- rendering ----------------------------------------------------------------------------------

def describe(n: Notification) -> str:
    """The notification as one line in the reader's language (no query: `data` carries the names)."""
    from app.services.timeline import CLOCK_LABELS

    data = n.data or {}
    code, status = data.get("code", ""), workflow.label(data.get("to", "")) if data.get("to") else ""
    clock = str(CLOCK_LABELS.get(data.get("clock"), data.get("clock") or ""))
    if n.kind == "assigned":
        return _("%(code)s was assigned to you", code=code)
    if n.kind == "decision":
        return _("Decision on %(code)s: %(status)s", code=code, status=status)
    if n.kind == "transition":
        return _("%(code)s moved to %(status)s", code=code, status=status)
    if n.kind == "comment":
        return _("%(actor)s commented on %(code)s", actor=data.get("actor", ""), code=code)
    if n.kind == "feedback_due":
        return _("Feedback due to the proposer of %(code)s (%(status)s)", code=code, status=status)
    if n.kind == "verification_failed":
        return _("Verification failed on %(code)s", code=code)
    if n.kind == "release_accepted":
        return _("Release %(version)s passed acceptance", version=data.get("version", ""))
    if n.kind == "release_completed":
        return _("Release %(version)s upgrade completed", version=data.get("version", ""))
    if n.kind == "sla_at_risk":
        return _("%(code)s: service level at risk (%(clock)s)", code=code, clock=clock)
    if n.kind == "sla_breached":
        return _("%(code)s: service level breached (%(clock)s)", code=code, clock=clock)
    return n.kind


def kind_label(kind: str) -> str:
    return str(KIND_LABELS.get(kind, kind))


# --- recipients ---------------------------------------------------------------------------------

def _readers(session: Session, req: Requirement, user_ids: Iterable[int | None]) -> list[User]:
    """Of `user_ids`, the active users who may read `req` (its region or a region above)."""
    ids = {i for i in user_ids if i}
    if not ids:
        return []
    users = session.scalars(select(User).where(User.id.in_(ids), User.active.is_(True))).unique()
    return [u for u in users if permissions.in_scope(u, req)]


def _watchers(session: Session, req_id: int) -> list[int]:
    return list(session.scalars(select(Watch.user_id).where(Watch.requirement_id == req_id)))


def _sla_readers(session: Session, req: Requirement) -> list[User]:
    """The task force and the requirement managers of the requirement's region or above."""
    above = [p for p in req.region.path.split("/") if p]
    ancestors = select(Region.id).where(Region.code.in_(above))
    return list(session.scalars(select(User).where(
        User.role.in_(SLA_ROLES), User.active.is_(True), User.region_id.in_(ancestors))).unique())


def _add(session: Session, pending: dict, users: Iterable[User], kind: str, actor_id: int | None, *,
         requirement: Requirement | None = None, release: Release | None = None, **data: Any) -> None:
    """Queue one notification per user (the actor excluded; the first kind for a user wins)."""
    if requirement is not None:
        data.setdefault("code", requirement.code)
        data.setdefault("title", requirement.title)
    if release is not None:
        data.setdefault("version", release.version)
    for user in users:
        if user.id == actor_id:
            continue
        key = (user.id, requirement.id if requirement else None, release.id if release else None, kind)
        if key in pending:
            continue
        pending[key] = Notification(user_id=user.id, kind=kind, actor_id=actor_id, data=dict(data),
                                    requirement_id=requirement.id if requirement else None,
                                    release_id=release.id if release else None, created_at=utcnow())


NOTIFYING_EVENTS = frozenset({"assigned", "sla_breached", "transition", "comment"})


def _for_event(session: Session, pending: dict, ev: Event) -> None:
    if ev.kind not in NOTIFYING_EVENTS:
        return
    req = session.get(Requirement, ev.requirement_id) if ev.requirement_id else None
    if req is None:
        return
    data = ev.data or {}
    actor = session.get(User, ev.actor_id) if ev.actor_id else None
    actor_name = actor.name if actor else ""
    if ev.kind == "assigned":
        username = data.get("after")
        if username:
            assignee = session.scalar(select(User).where(User.username == username))
            if assignee is not None:
                _add(session, pending, _readers(session, req, [assignee.id]), "assigned", ev.actor_id,
                     requirement=req, actor=actor_name)
        return
    if ev.kind == "sla_breached":
        _add(session, pending, _sla_readers(session, req), "sla_breached", None, requirement=req,
             clock=data.get("clock"))
        return
    if ev.kind not in ("transition", "comment"):
        return
    filer = _readers(session, req, [req.created_by_id])
    watchers = _readers(session, req, _watchers(session, req.id))
    if ev.kind == "comment":
        _add(session, pending, filer + watchers, "comment", ev.actor_id, requirement=req, actor=actor_name)
        return
    to = data.get("to", "")
    if to in RELEASE_MOVES and (data.get("context") or {}).get("release_id"):
        return
    if to == "verification_failed":
        _add(session, pending, filer, "verification_failed", ev.actor_id, requirement=req, to=to)
    elif to in ("rejected", "needs_info"):
        _add(session, pending, filer, "feedback_due", ev.actor_id, requirement=req, to=to)
    kind = "decision" if to in workflow.REVIEW_OUTCOMES else "transition"
    _add(session, pending, filer + watchers, kind, ev.actor_id, requirement=req, to=to, actor=actor_name)


def _for_release_event(session: Session, pending: dict, ev: ReleaseEvent) -> None:
    to = (ev.data or {}).get("to")
    if ev.kind != "transition" or to not in ("accepted", "completed"):
        return
    release = session.get(Release, ev.release_id)
    if release is None:
        return
    members = list(session.scalars(select(Requirement).join(
        ReleaseRequirement, ReleaseRequirement.requirement_id == Requirement.id).where(
        ReleaseRequirement.release_id == release.id, ReleaseRequirement.removed_at.is_(None))))
    watched: dict[int, list[int]] = {}
    if members:
        for user_id, req_id in session.execute(select(Watch.user_id, Watch.requirement_id).where(
                Watch.requirement_id.in_([m.id for m in members]))):
            watched.setdefault(req_id, []).append(user_id)
    for req in members:
        users = _readers(session, req, [req.created_by_id, *watched.get(req.id, [])])
        _add(session, pending, users, f"release_{to}", ev.actor_id, release=release)


def _for_sla_state(session: Session, pending: dict, row: SlaState) -> None:
    if row.state != "at_risk":
        return
    if inspect(row).persistent:
        history = inspect(row).attrs.state.history
        if not history.has_changes() or "at_risk" in (history.deleted or ()):
            return
    req = session.get(Requirement, row.requirement_id)
    if req is not None:
        _add(session, pending, _sla_readers(session, req), "sla_at_risk", None, requirement=req, clock=row.clock)


@sa_event.listens_for(Session, "before_flush")
def _before_flush(session: Session, flush_context, instances) -> None:
    new_events = [o for o in session.new if isinstance(o, (Event, ReleaseEvent))]
    sla_rows = [o for o in list(session.new) + list(session.dirty) if isinstance(o, SlaState)]
    if not new_events and not sla_rows:
        return
    pending: dict = {}
    with session.no_autoflush:
        for obj in sorted(new_events, key=lambda o: (type(o).__name__, id(o))):
            if isinstance(obj, Event):
                _for_event(session, pending, obj)
            else:
                _for_release_event(session, pending, obj)
        for row in sla_rows:
            _for_sla_state(session, pending, row)
        if not pending:
            return
        notes = list(pending.values())
        session.add_all(notes)
        _queue_mail(session, notes)


# --- e-mail outbox ------------------------------------------------------------------------------

def mail_enabled() -> bool:
    return bool(current_app.config.get("MAIL_SERVER"))


def _queue_mail(session: Session, notes: list[Notification]) -> None:
    """An outbox message for each notification whose reader has an address and wants e-mail."""
    if not mail_enabled():
        return
    ids = {n.user_id for n in notes}
    users = {u.id: u for u in session.scalars(select(User).where(User.id.in_(ids))).unique()}
    off = set(session.scalars(select(NotificationSetting.user_id).where(
        NotificationSetting.user_id.in_(ids), NotificationSetting.email_enabled.is_(False))))
    for n in notes:
        user = users.get(n.user_id)
        if user is None or not user.email or user.id in off:
            continue
        subject, body = mail_text(n)
        session.add(MailMessage(notification=n, to_address=user.email, subject=subject, body=body,
                                status="pending", attempts=0, next_attempt_at=utcnow(), last_error=""))


def mail_text(n: Notification) -> tuple[str, str]:
    """Subject and body, in Chinese (the platform's language) whatever the actor's page language."""
    with force_locale(current_app.config.get("MAIL_LOCALE", "zh_Hans_CN")):
        line = describe(n)
        subject = _("[Digital finance tracker] %(text)s", text=line)
        parts = [line]
        data = n.data or {}
        if data.get("title"):
            parts.append(_("Requirement: %(code)s %(title)s", code=data.get("code", ""), title=data["title"]))
        parts.append(_("Open the tracker to see the details. You can turn e-mail off in your notification "
                       "settings."))
    return subject[:300], "\n\n".join(parts)


# --- reading and marking ------------------------------------------------------------------------

def unread_count(user: User) -> int:
    return db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None))) or 0


def listing(user: User, page: int = 1, per_page: int = 20, unread: bool = False) -> paging.Page:
    stmt = select(Notification).where(Notification.user_id == user.id)
    if unread:
        stmt = stmt.where(Notification.read_at.is_(None))
    return paging.paginate(stmt.order_by(Notification.id.desc()), page, per_page)


def mark_read(user: User, ids: list[int] | None = None, everything: bool = False) -> int:
    """Mark the user's own notifications read (others' ids are ignored); returns how many changed."""
    if not everything and ids is None:
        raise ValidationFailed.field("ids", Msg("Name the notifications to mark read, or all."))
    stmt = update(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None))
    if not everything:
        wanted = [i for i in ids or [] if isinstance(i, int) and 0 < i <= permissions.MAX_ID]
        if not wanted:
            return 0
        stmt = stmt.where(Notification.id.in_(wanted))
    with unit_of_work():
        result = db.session.execute(stmt.values(read_at=utcnow()).execution_options(synchronize_session=False))
    return result.rowcount or 0


# --- watching -----------------------------------------------------------------------------------

def _readable(user: User, requirement_id: int) -> Requirement:
    return permissions.fetch(user, Requirement, requirement_id, not_found=Msg("Requirement not found."))


def is_watching(user: User, req: Requirement) -> bool:
    return db.session.get(Watch, (user.id, req.id)) is not None


def watch(user: User, requirement_id: int) -> Requirement:
    req = _readable(user, requirement_id)
    with unit_of_work():
        if db.session.get(Watch, (user.id, req.id)) is None:
            db.session.add(Watch(user_id=user.id, requirement_id=req.id, created_at=utcnow()))
    return req


def unwatch(user: User, requirement_id: int) -> Requirement:
    req = _readable(user, requirement_id)
    with unit_of_work():
        row = db.session.get(Watch, (user.id, req.id))
        if row is not None:
            db.session.delete(row)
    return req


# --- e-mail preference --------------------------------------------------------------------------

def email_enabled(user: User) -> bool:
    row = db.session.get(NotificationSetting, user.id)
    return True if row is None else row.email_enabled


def set_email_enabled(user: User, enabled: bool) -> bool:
    with unit_of_work():
        row = db.session.get(NotificationSetting, user.id)
        if row is None:
            row = NotificationSetting(user_id=user.id)
            db.session.add(row)
        row.email_enabled = bool(enabled)
    return row.email_enabled
