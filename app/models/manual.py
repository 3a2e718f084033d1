"""Operation manual updates (操作手册更新): a requirement a release carries marked as changing
a domain's standard operation manual, open until someone records the update done (who, when)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.requirement import Requirement
from app.models.user import User
from app.utils import utcnow


class ReleaseManualUpdate(db.Model):
    __tablename__ = "release_manual_update"
    __table_args__ = (
        UniqueConstraint("release_id", "requirement_id", "domain", name="uq_release_manual_update_item"),
        Index("ix_release_manual_update_release_done", "release_id", "done_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    release_id: Mapped[int] = mapped_column(ForeignKey("release.id"))
    requirement_id: Mapped[int] = mapped_column(ForeignKey("requirement.id"), index=True)
    domain: Mapped[str] = mapped_column(String(40))
    note: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    done_at: Mapped[datetime | None]
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    done_note: Mapped[str] = mapped_column(Text, default="")

    requirement: Mapped[Requirement] = relationship(lazy="joined")
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id], lazy="joined")
    done_by: Mapped[User | None] = relationship(foreign_keys=[done_by_id], lazy="joined")

    @property
    def done(self) -> bool:
        return self.done_at is not None
