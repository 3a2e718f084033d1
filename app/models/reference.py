"""Reference data: the region tree and the coded lookups (domains, types, channels, priorities)."""
from __future__ import annotations

from sqlalchemy import ForeignKey, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db

# kind -> what the API calls the list
LOOKUP_KINDS = ("domain", "type", "channel", "priority")

REGION_LEVELS = ("province", "city", "county", "park")


class Region(db.Model):
    """A node of the administrative division tree (GB/T 2260 codes; parks get codes of their own).

    `path` is the chain of codes from the root, `/440000/445200/`, so "this region and its
    descendants" is one indexed prefix match.
    """

    __tablename__ = "region"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(12), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    level: Mapped[str] = mapped_column(String(16))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("region.id"), index=True)
    path: Mapped[str] = mapped_column(String(255), index=True)
    active: Mapped[bool] = mapped_column(default=True)

    parent: Mapped[Region | None] = relationship(remote_side=[id])

    def contains(self, other: Region) -> bool:
        return other.path.startswith(self.path)

    @staticmethod
    def subtree_ids(root: Region):
        """A subquery of the ids of `root` and all its descendants."""
        return select(Region.id).where(Region.path.startswith(root.path))

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"<Region {self.code} {self.name}>"


class Lookup(db.Model):
    """A coded value of one kind: codes are stable (API/CLI), labels are editable."""

    __tablename__ = "lookup"
    __table_args__ = (UniqueConstraint("kind", "code", name="uq_lookup_kind_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    code: Mapped[str] = mapped_column(String(40))
    label: Mapped[str] = mapped_column(String(100))
    label_en: Mapped[str] = mapped_column(String(100), default="")
    sort_order: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)
