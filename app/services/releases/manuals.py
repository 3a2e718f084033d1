"""Operation manual updates (操作手册): a requirement the release carries is marked as changing a
domain's standard operation manual; the release lists the updates still to do, each closed with
who and when (seed 002: 各领域标准操作手册更新).

Requirement managers mark and unmark (manage_releases); whoever maintains the manuals closes an
update (managers, or on-site engineers: record_results). Readers see the updates of the
requirements in their region, as the release's requirement list does.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import Release, ReleaseManualUpdate, ReleaseRequirement, Requirement, User
from app.services import permissions, reference
from app.services.errors import Conflict, Msg, NotFound, ValidationFailed
from app.services.releases import _event
from app.services.releases.lifecycle import CLOSED
from app.services.uow import unit_of_work
from app.utils import utcnow

STATES = ("open", "done", "all")


def listing_query(user: User, release: Release, state: str = "all"):
    """A select of the release's manual updates in the reader's scope: open ones first, by domain."""
    stmt = (select(ReleaseManualUpdate).join(Requirement, Requirement.id == ReleaseManualUpdate.requirement_id)
            .where(ReleaseManualUpdate.release_id == release.id,
                   permissions.region_clause(user, Requirement.region_id)))
    if state == "open":
        stmt = stmt.where(ReleaseManualUpdate.done_at.is_(None))
    elif state == "done":
        stmt = stmt.where(ReleaseManualUpdate.done_at.is_not(None))
    return stmt.order_by(ReleaseManualUpdate.done_at.is_not(None), ReleaseManualUpdate.domain, Requirement.code,
                         ReleaseManualUpdate.id)


def updates(user: User | None, release: Release) -> list[ReleaseManualUpdate]:
    """Every manual update of the release (bounded: requirements × domains), `user` None: all."""
    stmt = (select(ReleaseManualUpdate).join(Requirement, Requirement.id == ReleaseManualUpdate.requirement_id)
            .where(ReleaseManualUpdate.release_id == release.id))
    if user is not None:
        stmt = stmt.where(permissions.region_clause(user, Requirement.region_id))
    return list(db.session.scalars(stmt.order_by(ReleaseManualUpdate.done_at.is_not(None), ReleaseManualUpdate.domain,
                                                 Requirement.code, ReleaseManualUpdate.id)))


def _get(user: User, release: Release, update_id: int) -> ReleaseManualUpdate:
    item = db.session.get(ReleaseManualUpdate, update_id) if 0 < update_id <= permissions.MAX_ID else None
    if item is None or item.release_id != release.id or not permissions.in_scope(user, item.requirement):
        raise NotFound(Msg("Manual update not found."))
    return item


def mark(actor: User, release: Release, requirement_id: int, domain: str, note: str | None = None
         ) -> ReleaseManualUpdate:
    """Mark a requirement the release carries as changing `domain`'s operation manual."""
    permissions.require(actor, "manage_releases")
    note = (note or "").strip()
    if not reference.is_valid_code("domain", domain):
        raise ValidationFailed.field("domain", Msg("Unknown domain code '%(code)s'.", code=domain))
    member = db.session.scalar(
        select(ReleaseRequirement).where(ReleaseRequirement.release_id == release.id,
                                         ReleaseRequirement.requirement_id == requirement_id,
                                         ReleaseRequirement.removed_at.is_(None)))
    if member is None or not permissions.in_scope(actor, member.requirement):
        raise ValidationFailed.field("requirement_id", Msg("Requirement %(id)s is not carried by release %(version)s.",
                                                           id=requirement_id, version=release.version))
    if release.status in CLOSED:
        raise Conflict(Msg("Release %(version)s is '%(status)s': manual updates are marked while it is open.",
                           version=release.version, status=release.status))
    exists = db.session.scalar(select(ReleaseManualUpdate.id).where(
        ReleaseManualUpdate.release_id == release.id, ReleaseManualUpdate.requirement_id == requirement_id,
        ReleaseManualUpdate.domain == domain))
    if exists is not None:
        raise Conflict(Msg("%(code)s is already marked as changing this domain's manual.",
                           code=member.requirement.code),
                       {"domain": [Msg("Already marked for this requirement.")]})
    code = member.requirement.code
    try:
        with unit_of_work():
            item = ReleaseManualUpdate(release_id=release.id, requirement_id=requirement_id, domain=domain, note=note,
                                       created_by_id=actor.id)
            db.session.add(item)
            db.session.flush()
            _event(release, actor, "manual_marked", update_id=item.id, code=code, domain=domain)
    except IntegrityError:  # the same mark made at the same moment by someone else
        raise Conflict(Msg("%(code)s is already marked as changing this domain's manual.", code=code),
                       {"domain": [Msg("Already marked for this requirement.")]}) from None
    return item


def close(actor: User, release: Release, update_id: int, note: str | None = None) -> ReleaseManualUpdate:
    """Record the manual updated: who and when (409 when it already is)."""
    item = _get(actor, release, update_id)
    permissions.require_any(actor, "manage_releases", "record_results")
    if item.done_at is not None:
        raise Conflict(Msg("This manual update was already recorded done."))
    with unit_of_work():
        item.done_at = utcnow()
        item.done_by_id = actor.id
        item.done_note = (note or "").strip()
        _event(release, actor, "manual_done", update_id=item.id, code=item.requirement.code, domain=item.domain)
    db.session.refresh(item)
    return item


def unmark(actor: User, release: Release, update_id: int) -> None:
    """Take back a mark made by mistake (only while the update is still to do)."""
    item = _get(actor, release, update_id)
    permissions.require(actor, "manage_releases")
    if item.done_at is not None:
        raise Conflict(Msg("This manual update was already recorded done: it cannot be unmarked."))
    with unit_of_work():
        _event(release, actor, "manual_unmarked", code=item.requirement.code, domain=item.domain)
        db.session.delete(item)
