"""A proposer's opinion (用户意见, issue 10): why they were not satisfied with a requirement's
outcome, recorded by the engineer who asked them. Kept for the task force's reports (half-year
and annual summaries list user opinions), in the requirement's region at the time."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.reference import Region
from app.models.requirement import Requirement
from app.models.user import User
from app.utils import utcnow


class UserOpinion(db.Model):
    __tablename__ = "user_opinion"
    __table_args__ = (
        # the reports: opinions of a region (and below) within a period
        Index("ix_user_opinion_region_at", "region_id", "recorded_at"),
        Index("ix_user_opinion_req", "requirement_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    requirement_id: Mapped[int] = mapped_column(ForeignKey("requirement.id"))
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"))
    reason: Mapped[str] = mapped_column(Text)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    requirement: Mapped[Requirement] = relationship(lazy="joined")
    region: Mapped[Region] = relationship(lazy="joined")
    recorded_by: Mapped[User | None] = relationship(lazy="joined")
