"""A release's rollout: one target per region (a city, or a county a manager added) whose
upgrade is watched from `pending` to `done` (app.services.releases.rollout_states)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.reference import Region
from app.models.user import User
from app.models.verification import Run
from app.utils import utcnow


class ReleaseRolloutTarget(db.Model):
    """One region's upgrade to a release: its status, notes, actual start and end and who, and
    the production smoke run (a `done` needs it passed when there is one)."""

    __tablename__ = "release_rollout_target"
    __table_args__ = (
        UniqueConstraint("release_id", "region_code", name="uq_release_rollout_target_release_region"),
        Index("ix_release_rollout_target_region_status", "region_code", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    release_id: Mapped[int] = mapped_column(ForeignKey("release.id"), index=True)
    region_code: Mapped[str] = mapped_column(String(12), ForeignKey("region.code"))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    notes: Mapped[str] = mapped_column(Text, default="")
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    finished_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    smoke_run_id: Mapped[int | None] = mapped_column(ForeignKey("verification_run.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    region: Mapped[Region] = relationship(lazy="joined", primaryjoin="ReleaseRolloutTarget.region_code == Region.code",
                                          foreign_keys=[region_code])
    started_by: Mapped[User | None] = relationship(foreign_keys=[started_by_id], lazy="joined")
    finished_by: Mapped[User | None] = relationship(foreign_keys=[finished_by_id], lazy="joined")
    smoke_run: Mapped[Run | None] = relationship(lazy="joined")
