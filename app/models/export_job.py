"""A background export (issue 11): a large ledger (or audit log) built in a thread of the app
process while its owner watches the progress; the row lives in the database, so any worker
answers its status and download, and the file is kept under instance/exports/."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.utils import utcnow


class ExportJob(db.Model):
    __tablename__ = "export_job"
    __table_args__ = (
        # the owner's jobs, newest first; the clean-up of old ones
        Index("ix_export_job_owner_created", "owner_id", "created_at"),
        Index("ix_export_job_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    kind: Mapped[str] = mapped_column(String(20))  # ledger, audit
    # the filters as given (JSON-safe: dates as ISO text)
    filters: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(10), default="queued")  # queued, running, done, failed
    total: Mapped[int] = mapped_column(default=0)
    processed: Mapped[int] = mapped_column(default=0)
    error: Mapped[str] = mapped_column(Text, default="")
    # the file's name under instance/exports/ once done; the name a download is offered under
    file_name: Mapped[str] = mapped_column(String(100), default="")
    download_name: Mapped[str] = mapped_column(String(200), default="")
    size: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
