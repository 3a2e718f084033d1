"""A release's upgrade: its window and the freeze periods (封网期) no window may overlap
unless a manager overrides with a reason. Times are stored as naive UTC."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.user import User
from app.utils import utcnow


class FreezePeriod(db.Model):
    """A period in which no upgrade may take place (holidays, year-end closing, ...)."""

    __tablename__ = "freeze_period"
    __table_args__ = (Index("ix_freeze_period_span", "starts_at", "ends_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    reason: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReleaseWindow(db.Model):
    """The upgrade window of a release (one per release), possibly overriding a freeze period."""

    __tablename__ = "release_window"

    id: Mapped[int] = mapped_column(primary_key=True)
    release_id: Mapped[int] = mapped_column(ForeignKey("release.id"), unique=True)
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    override_reason: Mapped[str] = mapped_column(Text, default="")
    overridden_freeze_id: Mapped[int | None] = mapped_column(ForeignKey("freeze_period.id", ondelete="SET NULL"))
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    set_at: Mapped[datetime] = mapped_column(default=utcnow)

    set_by: Mapped[User | None] = relationship(lazy="joined")
    overridden_freeze: Mapped[FreezePeriod | None] = relationship(lazy="joined")


class UpgradeApplication(db.Model):
    """The upgrade application (全省版本升级申请) of a release with its emergency plan (应急预案):
    the editable sections; the rest (version, build, requirements, acceptance) is generated from
    the release. A release moves to `upgrade_requested` only with every section filled."""

    __tablename__ = "upgrade_application"

    id: Mapped[int] = mapped_column(primary_key=True)
    release_id: Mapped[int] = mapped_column(ForeignKey("release.id"), unique=True)
    scope: Mapped[str] = mapped_column(Text, default="")
    risks: Mapped[str] = mapped_column(Text, default="")
    criteria: Mapped[str] = mapped_column(Text, default="")
    method: Mapped[str] = mapped_column(Text, default="")
    rollback: Mapped[str] = mapped_column(Text, default="")
    tracking: Mapped[str] = mapped_column(Text, default="")
    contacts: Mapped[str] = mapped_column(Text, default="")
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    updated_by: Mapped[User | None] = relationship(lazy="joined")


class Announcement(db.Model):
    """The upgrade announcement (升级公告) of a release to the city and county bureaus and budget
    units: drafted from the release and its window, edited, then published (listed for everyone)."""

    __tablename__ = "announcement"
    __table_args__ = (Index("ix_announcement_published", "published_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    release_id: Mapped[int] = mapped_column(ForeignKey("release.id"), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    published_at: Mapped[datetime | None]
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    release: Mapped["Release"] = relationship(lazy="joined", viewonly=True)  # noqa: F821
    published_by: Mapped[User | None] = relationship(foreign_keys=[published_by_id], lazy="joined")
    updated_by: Mapped[User | None] = relationship(foreign_keys=[updated_by_id], lazy="joined")
