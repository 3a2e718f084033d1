"""Proposer status links (issue 10): a signed, expiring, read-only link to one requirement's
public status page, for the engineer to paste into a message to the proposer.

The token (`secrets.token_urlsafe(32)`) is shown once, in the URL; only its SHA-256 is stored.
Creating a link revokes the requirement's previous active one. Who may create or revoke: the
users who may edit the requirement (action "edit": engineers, managers, administrators) within
its region; outside it 404, another role 403. The public page shows only what the proposer may
see: code, title, status, the public history (filed, review decisions, scheduled into which
version, released) and the feedback texts — never comments, other requirements or user names.
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from app.extensions import db
from app.models import Event, Feedback, Requirement, RequirementShareLink, User
from app.services.errors import Msg, NotFound
from app.services.requirements import get_for
from app.services.uow import unit_of_work
from app.utils import utcnow

ACTION = "edit"
DEFAULT_DAYS = 30
# a token_urlsafe(32) is 43 characters: anything much longer is not one of ours
MAX_TOKEN_LENGTH = 128
LINK_NOT_FOUND = Msg("This link is invalid, expired or revoked.")
NO_ACTIVE_LINK = Msg("The requirement has no active status link.")

# review decisions the proposer sees on the public page
PUBLIC_DECISIONS = ("approved", "rejected", "needs_info", "deferred")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def link_days() -> int:
    try:
        days = int(current_app.config.get("SHARE_LINK_DAYS", DEFAULT_DAYS))
    except (TypeError, ValueError):
        days = DEFAULT_DAYS
    return days if days > 0 else DEFAULT_DAYS


def _active_query(requirement_id: int, now: datetime):
    return select(RequirementShareLink).where(
        RequirementShareLink.requirement_id == requirement_id,
        RequirementShareLink.revoked_at.is_(None),
        RequirementShareLink.expires_at > now,
    )


def active_link(req: Requirement) -> RequirementShareLink | None:
    """The requirement's active link (the newest), if any; for the requirement page."""
    now = utcnow()
    return db.session.scalars(_active_query(req.id, now).order_by(RequirementShareLink.id.desc())).first()


def may_share(user: User, req: Requirement) -> bool:
    from app.services import permissions

    return permissions.can(user, ACTION, req)


def create(user: User, requirement_id: int) -> tuple[RequirementShareLink, str]:
    """A new link for the requirement -> (link, token); the previous active link is revoked."""
    req = get_for(user, requirement_id, action=ACTION)
    now = utcnow()
    token = secrets.token_urlsafe(32)
    with unit_of_work():
        for previous in db.session.scalars(_active_query(req.id, now)):
            previous.revoked_at = now
        link = RequirementShareLink(
            requirement_id=req.id,
            token_hash=token_hash(token),
            created_by_id=user.id,
            created_at=now,
            expires_at=now + timedelta(days=link_days()),
        )
        db.session.add(link)
    return link, token


def revoke(user: User, requirement_id: int) -> None:
    """Revoke the requirement's active link; NotFound when it has none."""
    req = get_for(user, requirement_id, action=ACTION)
    now = utcnow()
    with unit_of_work():
        links = list(db.session.scalars(_active_query(req.id, now)))
        if not links:
            raise NotFound(NO_ACTIVE_LINK)
        for link in links:
            link.revoked_at = now


def resolve(token: str | None) -> Requirement:
    """The requirement a link's token opens; NotFound for a garbled, revoked or expired one."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise NotFound(LINK_NOT_FOUND)
    link = db.session.scalar(
        select(RequirementShareLink).where(RequirementShareLink.token_hash == token_hash(token))
    )
    if link is None or not link.active():
        raise NotFound(LINK_NOT_FOUND)
    return db.session.get(Requirement, link.requirement_id)


@dataclass(frozen=True)
class PublicEvent:
    at: datetime
    kind: str  # filed | decided | scheduled | released
    status: str | None = None
    version: str | None = None


@dataclass(frozen=True)
class PublicFeedback:
    at: datetime
    decision: str
    reason: str


@dataclass(frozen=True)
class PublicStatus:
    code: str
    title: str
    status: str
    history: list[PublicEvent]
    feedback: list[PublicFeedback]


def _public_event(event: Event) -> PublicEvent | None:
    if event.kind == "created":
        return PublicEvent(event.at, "filed")
    if event.kind != "transition":
        return None
    data = event.data or {}
    to, before = data.get("to"), data.get("from")
    version = ((data.get("context") or {}).get("release_version")) or None
    if to in PUBLIC_DECISIONS and not (to == "approved" and before == "scheduled"):
        return PublicEvent(event.at, "decided", status=to)
    if to == "scheduled":
        return PublicEvent(event.at, "scheduled", status=to, version=version and str(version))
    if to == "released":
        return PublicEvent(event.at, "released", status=to, version=version and str(version))
    return None


def public_status(req: Requirement) -> PublicStatus:
    """What the proposer's page shows (two queries, nothing internal)."""
    events = db.session.scalars(
        select(Event)
        .where(Event.requirement_id == req.id, Event.kind.in_(("created", "transition")))
        .order_by(Event.at, Event.id)
    )
    history = [e for e in (_public_event(event) for event in events) if e is not None]
    feedback = [
        PublicFeedback(f.created_at, f.decision, f.reason or "")
        for f in db.session.scalars(
            select(Feedback).where(Feedback.requirement_id == req.id).order_by(Feedback.created_at, Feedback.id)
        )
    ]
    return PublicStatus(req.code, req.title, req.status, history, feedback)
