"""Requirements, their append-only timeline events and attachments."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.files import StoredFileMixin
from app.models.reference import Region
from app.models.user import User
from app.utils import utcnow

CUSTOM_DEV_CHOICES = ("yes", "no", "undecided")


class CodeSequence(db.Model):
    """Last number issued per year for requirement codes (REQ-YYYY-NNNN).

    Incremented with an UPDATE inside the creating transaction, so two concurrent creations
    serialise on this row and never get the same number.
    """

    __tablename__ = "code_sequence"

    name: Mapped[str] = mapped_column(String(20), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    last: Mapped[int] = mapped_column(default=0)


class Requirement(db.Model):
    __tablename__ = "requirement"
    __table_args__ = (
        Index("ix_requirement_region_status", "region_id", "status"),
        # lists newest first walk these indexes and stop after a page; the region is in them so
        # that a city's scope is checked in the index, not in each row (a city's page 500 of
        # 100,000: 55 -> 3 ms). The first also holds what the task force's figures for a period
        # count by (a year's overdue count: 40 -> 7 ms, read from the index alone).
        Index("ix_requirement_created", "created_at", "id", "region_id", "status", "domain", "type", "channel",
              "priority", "due_date"),
        # the commonest list: one status, newest first
        Index("ix_requirement_status_created", "status", "created_at", "id", "region_id"),
        Index("ix_requirement_domain_created", "domain", "created_at", "id", "region_id"),
        # the task force's figures (app.services.stats): counts grouped by any of these columns,
        # and overdue / at-risk counts, read from an index alone (narrower than the table)
        Index("ix_requirement_stats", "region_id", "status", "domain", "type", "channel", "priority", "created_at"),
        Index("ix_requirement_due_region_status", "due_date", "region_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    domain: Mapped[str] = mapped_column(String(40), index=True)
    module: Mapped[str] = mapped_column(String(100), default="")
    type: Mapped[str] = mapped_column(String(40), index=True)
    priority: Mapped[str] = mapped_column(String(20), index=True)
    channel: Mapped[str] = mapped_column(String(40), index=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"), index=True)
    proposer_name: Mapped[str] = mapped_column(String(100), default="")
    proposer_unit: Mapped[str] = mapped_column(String(200), default="")
    proposer_contact: Mapped[str] = mapped_column(String(100), default="")

    # assessment
    needs_custom_dev: Mapped[str] = mapped_column(String(10), default="undecided")
    assessment_notes: Mapped[str] = mapped_column(Text, default="")
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    due_date: Mapped[date | None] = mapped_column(index=True)
    external_ref: Mapped[str] = mapped_column(String(100), default="")

    status: Mapped[str] = mapped_column(String(24), index=True, default="submitted")
    status_changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("requirement.id"))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    region: Mapped[Region] = relationship(lazy="joined")
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id], lazy="joined")
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    duplicate_of: Mapped[Requirement | None] = relationship(remote_side=[id])
    # the release memberships not taken out (at most one open; loaded for a whole page at once)
    release_links: Mapped[list[ReleaseRequirement]] = relationship(  # noqa: F821
        "ReleaseRequirement",
        primaryjoin="and_(ReleaseRequirement.requirement_id == Requirement.id, "
                    "ReleaseRequirement.removed_at.is_(None))",
        order_by="ReleaseRequirement.id",
        viewonly=True,
        lazy="selectin",
    )

    __mapper_args__ = {"version_id_col": version}


class Event(db.Model):
    """One entry of a requirement's timeline. Rows are only ever inserted."""

    __tablename__ = "requirement_event"
    __table_args__ = (
        Index("ix_requirement_event_req", "requirement_id", "id"),
        # moves of a kind within a period (the task force's lead times and resolved counts)
        Index("ix_requirement_event_kind_at", "kind", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    requirement_id: Mapped[int] = mapped_column(ForeignKey("requirement.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    kind: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    actor: Mapped[User | None] = relationship(lazy="joined")


class Attachment(StoredFileMixin, db.Model):
    __tablename__ = "attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    requirement_id: Mapped[int] = mapped_column(ForeignKey("requirement.id"), index=True)
