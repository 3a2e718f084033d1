"""Who raised a requirement (需求提出人): one or more per requirement.

`requirement_id` is the requirement that holds the proposer now; `origin_id` the one it was filed
with. Merging a duplicate moves its proposers to the original (and undoing moves them back), so
"raised by N units in M cities" is a count over `requirement_id`. The requirement's own
proposer_name / proposer_unit / proposer_contact columns mirror its first proposer (the one
filed with it), which the requirement service keeps in step.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.reference import Region
from app.utils import utcnow


class Proposer(db.Model):
    __tablename__ = "requirement_proposer"
    __table_args__ = (Index("ix_requirement_proposer_req", "requirement_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    requirement_id: Mapped[int] = mapped_column(ForeignKey("requirement.id"))
    origin_id: Mapped[int] = mapped_column(ForeignKey("requirement.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    unit: Mapped[str] = mapped_column(String(200), default="")
    contact: Mapped[str] = mapped_column(String(100), default="")
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"), index=True)
    channel: Mapped[str] = mapped_column(String(40), default="")
    raised_at: Mapped[datetime] = mapped_column(default=utcnow)

    region: Mapped[Region] = relationship(lazy="joined")

    @property
    def city_code(self) -> str | None:
        """The city (地市) of the proposer's region: the second code of its path, if any."""
        parts = [p for p in self.region.path.split("/") if p]
        return parts[1] if len(parts) > 1 else None
