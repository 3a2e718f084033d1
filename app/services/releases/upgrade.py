"""A release's upgrade window and the freeze periods (封网期).

A window is set while the upgrade is requested or scheduled; it may not overlap a freeze
period unless a manager gives an override reason (kept on the window and on the release's
timeline). Moving a release to `scheduled` needs a window (app.services.releases.transition).
Times arrive and are stored as naive UTC; periods are half-open, so touching ends do not overlap.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from app.extensions import db
from app.models import FreezePeriod, Release, ReleaseWindow, User
from app.services import audit, paging, permissions
from app.services.errors import Conflict, Msg, ValidationFailed
from app.services.uow import unit_of_work
from app.utils import iso_utc, utcnow

WINDOW_STATUSES = ("upgrade_requested", "scheduled")


def overlaps(start: datetime, end: datetime, other_start: datetime, other_end: datetime) -> bool:
    """Two half-open periods [start, end) share a moment; touching boundaries do not."""
    return start < other_end and other_start < end


def _check_span(start: datetime, end: datetime) -> None:
    if end <= start:
        raise ValidationFailed.field("end", Msg("The end must be after the start."))


def overlapping_freezes(start: datetime, end: datetime) -> list[FreezePeriod]:
    return list(db.session.scalars(
        select(FreezePeriod).where(FreezePeriod.starts_at < end, FreezePeriod.ends_at > start)
        .order_by(FreezePeriod.starts_at, FreezePeriod.id)))


def window_of(release: Release) -> ReleaseWindow | None:
    return db.session.scalar(select(ReleaseWindow).where(ReleaseWindow.release_id == release.id))


def set_window(actor: User, release: Release, start: datetime, end: datetime,
               override_reason: str | None = None) -> ReleaseWindow:
    """Set (or move) the release's upgrade window; 409 names a freeze period it overlaps
    unless `override_reason` is given."""
    permissions.require(actor, "manage_releases")
    override_reason = (override_reason or "").strip()
    _check_span(start, end)
    from app.services.releases import _event, _lock

    with unit_of_work():
        _lock(release)  # a concurrent move or window: read the status it committed
        if release.status not in WINDOW_STATUSES:
            raise Conflict(Msg("Release %(version)s is '%(status)s': the upgrade window is set once the upgrade is "
                               "requested (upgrade_requested or scheduled).",
                               version=release.version, status=release.status))
        freezes = overlapping_freezes(start, end)
        if freezes and not override_reason:
            names = ", ".join(f.name for f in freezes)
            raise Conflict(Msg("The window overlaps the freeze period %(names)s; give an override reason to set it "
                               "anyway.", names=names),
                           {"start": [Msg("Overlaps the freeze period %(names)s.", names=names)]})
        window = window_of(release)
        if window is None:
            window = ReleaseWindow(release_id=release.id)
            db.session.add(window)
        window.starts_at, window.ends_at = start, end
        window.override_reason = override_reason if freezes else ""
        window.overridden_freeze_id = freezes[0].id if freezes else None
        window.set_by_id = actor.id
        window.set_at = utcnow()
        data = {"start": iso_utc(start), "end": iso_utc(end)}
        if freezes:
            data.update(override_reason=override_reason, freeze_ids=[f.id for f in freezes],
                        freezes=[f.name for f in freezes])
        _event(release, actor, "window_set", **data)
    return window


# --- freeze periods ----------------------------------------------------------------------


def freeze_listing(user: User, page: int, per_page: int) -> paging.Page:
    permissions.require(user, "view")
    return paging.paginate(select(FreezePeriod).order_by(FreezePeriod.starts_at.desc(), FreezePeriod.id.desc()),
                           page, per_page)


def get_freeze(user: User, freeze_id: int, action: str = "view") -> FreezePeriod:
    return permissions.fetch(user, FreezePeriod, freeze_id, action=action,
                             not_found=Msg("Freeze period not found."))


def _apply(freeze: FreezePeriod, data: dict) -> None:
    for key in ("name", "starts_at", "ends_at", "reason"):
        if key in data and data[key] is not None:
            setattr(freeze, key, data[key])
    if not (freeze.name or "").strip():
        raise ValidationFailed.field("name", Msg("Name the freeze period."))
    if freeze.ends_at <= freeze.starts_at:
        raise ValidationFailed.field("end", Msg("The end must be after the start."))


def _freeze_fields(freeze: FreezePeriod) -> dict:
    return {"name": freeze.name, "starts_at": iso_utc(freeze.starts_at), "ends_at": iso_utc(freeze.ends_at),
            "reason": freeze.reason or ""}


def create_freeze(actor: User, data: dict) -> FreezePeriod:
    permissions.require(actor, "manage_reference")
    freeze = FreezePeriod(created_by_id=actor.id, reason="")
    with unit_of_work():
        _apply(freeze, data)
        db.session.add(freeze)
        db.session.flush()
        audit.record("settings", "freeze_period", freeze.id, freeze.name, None, _freeze_fields(freeze), actor=actor)
    return freeze


def update_freeze(actor: User, freeze_id: int, data: dict) -> FreezePeriod:
    freeze = get_freeze(actor, freeze_id, action="manage_reference")
    before = _freeze_fields(freeze)
    with unit_of_work():  # a refused change is rolled back, nothing written
        _apply(freeze, data)
        audit.record("settings", "freeze_period", freeze.id, freeze.name,
                     *audit.changes(before, _freeze_fields(freeze)), actor=actor)
    return freeze


def delete_freeze(actor: User, freeze_id: int) -> None:
    freeze = get_freeze(actor, freeze_id, action="manage_reference")
    with unit_of_work():
        db.session.delete(freeze)
        audit.record("settings", "freeze_period", freeze.id, freeze.name, _freeze_fields(freeze), None, actor=actor)


def require_window(release: Release) -> None:
    """Moving to `scheduled` needs a window (409 otherwise)."""
    if window_of(release) is None:
        raise Conflict(Msg("Set the upgrade window of release %(version)s before moving it to 'scheduled'.",
                           version=release.version))

