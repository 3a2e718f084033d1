"""The working calendar's local days: what the official schedule does not know yet."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.utils import utcnow


class CalendarOverride(db.Model):
    """One day declared a working day or a day off, whatever the official schedule says: the next
    year's holidays before the package knows them, or a local day."""

    __tablename__ = "calendar_override"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(unique=True)
    workday: Mapped[bool]
    note: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
