"""The audit log (issue 13): one append-only row per write request, sign-in (failed ones too),
user, role and region change, token issue and revocation, settings change and export.

Who (`actor_id`, and `actor_name` kept as written then: the username tried by a failed sign-in,
even one that does not exist), when, what (`action`, the target, a summary, `before`/`after`
for settings and permissions), from where (`address`, `user_agent`) and through which request
(`method`, `path`, `endpoint`, `status`). Rows are only ever inserted: no code path updates or
deletes them (see app/services/audit.py).
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.user import User
from app.utils import utcnow


class AuditEntry(db.Model):
    __tablename__ = "audit_entry"
    __table_args__ = (
        Index("ix_audit_entry_created_at", "created_at"),
        Index("ix_audit_entry_actor_created", "actor_id", "created_at"),
        Index("ix_audit_entry_action_created", "action", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    actor_name: Mapped[str] = mapped_column(String(64), default="")
    action: Mapped[str] = mapped_column(String(40))
    target_type: Mapped[str] = mapped_column(String(40), default="")
    target_id: Mapped[str] = mapped_column(String(64), default="")
    summary: Mapped[str] = mapped_column(String(500), default="")
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    method: Mapped[str] = mapped_column(String(8), default="")
    path: Mapped[str] = mapped_column(String(500), default="")
    endpoint: Mapped[str] = mapped_column(String(100), default="")
    status: Mapped[int | None] = mapped_column()
    address: Mapped[str] = mapped_column(String(64), default="")
    user_agent: Mapped[str] = mapped_column(String(200), default="")

    actor: Mapped[User | None] = relationship(lazy="joined")


# --- append-only in the database too: updates and deletes of entries are refused -----------------

APPEND_ONLY_DDL = {
    "sqlite": (
        "CREATE TRIGGER IF NOT EXISTS audit_entry_no_update BEFORE UPDATE ON audit_entry "
        "BEGIN SELECT RAISE(ABORT, 'audit_entry is append-only'); END",
        "CREATE TRIGGER IF NOT EXISTS audit_entry_no_delete BEFORE DELETE ON audit_entry "
        "BEGIN SELECT RAISE(ABORT, 'audit_entry is append-only'); END",
    ),
    "postgresql": (
        "CREATE OR REPLACE FUNCTION audit_entry_append_only() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RAISE EXCEPTION 'audit_entry is append-only'; END $$",
        "CREATE TRIGGER audit_entry_append_only BEFORE UPDATE OR DELETE ON audit_entry "
        "FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only()",
    ),
}
DROP_DDL = {
    "sqlite": ("DROP TRIGGER IF EXISTS audit_entry_no_update", "DROP TRIGGER IF EXISTS audit_entry_no_delete"),
    "postgresql": ("DROP TRIGGER IF EXISTS audit_entry_append_only ON audit_entry",
                   "DROP FUNCTION IF EXISTS audit_entry_append_only()"),
}


def create_guard(connection) -> None:
    from sqlalchemy import text

    for statement in APPEND_ONLY_DDL.get(connection.dialect.name, ()):
        connection.execute(text(statement))


def drop_guard(connection) -> None:
    from sqlalchemy import text

    for statement in DROP_DDL.get(connection.dialect.name, ()):
        connection.execute(text(statement))


@event.listens_for(AuditEntry.__table__, "after_create")
def _after_create(target, connection, **kw):
    create_guard(connection)
