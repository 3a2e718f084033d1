"""What a release carries beyond its runs: its timeline, requirements, waivers and sign-offs.

The release itself (app.models.verification.Release) holds its status, build label, the roles
that must sign and the frozen acceptance report.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.requirement import Requirement
from app.models.user import User
from app.utils import utcnow


class ReleaseEvent(db.Model):
    """One entry of a release's timeline (moves, sign-offs, waivers, requirements, runs); only inserted."""

    __tablename__ = "release_event"
    __table_args__ = (Index("ix_release_event_release", "release_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    release_id: Mapped[int] = mapped_column(ForeignKey("release.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    kind: Mapped[str] = mapped_column(String(30))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    actor: Mapped[User | None] = relationship(lazy="joined")


class ReleaseRequirement(db.Model):
    """A requirement carried by a release. Taken out after failing, the row stays (removed_at set)
    so the release still lists it, and its scenarios no longer block the gate."""

    __tablename__ = "release_requirement"
    __table_args__ = (Index("ix_release_requirement_release", "release_id", "removed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    release_id: Mapped[int] = mapped_column(ForeignKey("release.id"))
    requirement_id: Mapped[int] = mapped_column(ForeignKey("requirement.id"), index=True)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    added_at: Mapped[datetime] = mapped_column(default=utcnow)
    removed_at: Mapped[datetime | None]
    removed_reason: Mapped[str] = mapped_column(Text, default="")

    requirement: Mapped[Requirement] = relationship(lazy="joined")
    release: Mapped[Release] = relationship(lazy="joined", viewonly=True)  # noqa: F821


class ReleaseWaiver(db.Model):
    """有条件通过: a failed or blocked scenario accepted for this release, with the reason."""

    __tablename__ = "release_waiver"
    __table_args__ = (Index("ix_release_waiver_release", "release_id", "withdrawn_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    release_id: Mapped[int] = mapped_column(ForeignKey("release.id"))
    scenario_id: Mapped[int] = mapped_column(ForeignKey("scenario.id"))
    reason: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    withdrawn_at: Mapped[datetime | None]
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id], lazy="joined")


class ReleaseSignoff(db.Model):
    """One sign-off of a release's acceptance, in a round (a new round after each re-acceptance)."""

    __tablename__ = "release_signoff"
    __table_args__ = (Index("ix_release_signoff_release", "release_id", "round"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    release_id: Mapped[int] = mapped_column(ForeignKey("release.id"))
    round: Mapped[int] = mapped_column(default=1)
    role: Mapped[str] = mapped_column(String(20))
    decision: Mapped[str] = mapped_column(String(10))  # approve, refuse
    comment: Mapped[str] = mapped_column(Text, default="")
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(lazy="joined")
