"""A proposer status link (issue 10): a read-only, expiring link to one requirement's public
status page, pasted into a message to the proposer. Only the token's SHA-256 is stored; the
token itself is shown once, in the link's URL. At most one active link per requirement (the
service revokes the previous one when it creates another)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.requirement import Requirement
from app.utils import utcnow


class RequirementShareLink(db.Model):
    __tablename__ = "requirement_share_link"
    __table_args__ = (
        Index("ix_requirement_share_link_token_hash", "token_hash", unique=True),
        Index("ix_requirement_share_link_req", "requirement_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    requirement_id: Mapped[int] = mapped_column(ForeignKey("requirement.id"))
    token_hash: Mapped[str] = mapped_column(String(64))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()
    revoked_at: Mapped[datetime | None] = mapped_column()

    requirement: Mapped[Requirement] = relationship()

    def active(self, now: datetime | None = None) -> bool:
        return self.revoked_at is None and self.expires_at > (now or utcnow())
