"""The task force's own records: requirements marked as notable cases (典型案例) for the reports."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.requirement import Requirement
from app.models.user import User
from app.utils import utcnow


class NotableCase(db.Model):
    """A requirement a requirement manager marked as a notable case, with a short write-up; the
    monthly, half-year and annual reports list the cases marked in their period."""

    __tablename__ = "notable_case"

    id: Mapped[int] = mapped_column(primary_key=True)
    requirement_id: Mapped[int] = mapped_column(ForeignKey("requirement.id"), unique=True)
    write_up: Mapped[str] = mapped_column(Text)
    marked_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    marked_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    requirement: Mapped[Requirement] = relationship(lazy="joined")
    marked_by: Mapped[User] = relationship(lazy="joined")
