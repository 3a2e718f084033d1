"""Columns shared by every uploaded file kept under instance/ (see app.services.files)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from app.models.user import User
from app.utils import utcnow


class StoredFileMixin:
    filename: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    content_type: Mapped[str] = mapped_column(String(100), default="application/octet-stream")
    size: Mapped[int]
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)

    @declared_attr
    def uploaded_by(cls) -> Mapped[User]:
        return relationship(User, lazy="joined")
