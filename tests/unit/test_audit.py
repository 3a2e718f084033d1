"""The audit log's rules (app/services/audit.py): entries commit with the change or not at all,
the database refuses to change or remove one (models and migration alike), before → after keeps
only what changed, nothing a database refuses is stored, the client address behind a proxy."""
from __future__ import annotations

import pytest
from flask_migrate import upgrade
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import DatabaseError

from app import create_app
from app.extensions import db
from app.models import AuditEntry
from app.services import audit
from app.services.errors import Conflict, Msg
from app.services.uow import unit_of_work


def _count() -> int:
    return len(db.session.scalars(select(AuditEntry.id)).all())


def test_an_entry_commits_with_its_change_or_not_at_all(app_ctx):
    before = _count()
    with pytest.raises(Conflict):
        with unit_of_work():
            audit.record("settings", "sla_targets", "", "x", {"a": 1}, {"a": 2})
            raise Conflict(Msg("refused"))
    assert _count() == before
    with unit_of_work():
        entry = audit.record("settings", "sla_targets", "", "x", {"a": 1}, {"a": 2})
    assert _count() == before + 1
    # no request: no actor, address or path (the CLI), but the entry stands
    assert (entry.actor_id, entry.actor_name, entry.address, entry.path) == (None, "", "", "")


@pytest.mark.parametrize("statement", [
    update(AuditEntry).values(summary="tampered"),
    delete(AuditEntry),
])
def test_the_database_refuses_to_change_or_remove_an_entry(app_ctx, statement):
    with unit_of_work():
        audit.record("write", summary="POST /x → 201")
    with pytest.raises(DatabaseError, match="append-only"):
        db.session.execute(statement)
        db.session.commit()
    db.session.rollback()
    assert db.session.scalar(select(AuditEntry.summary).order_by(AuditEntry.id.desc())) == "POST /x → 201"


def test_the_migration_installs_the_same_guard(empty_app):
    upgrade()
    db.session.execute(text(
        "INSERT INTO audit_entry (created_at, actor_name, action, target_type, target_id, summary, method, path,"
        " endpoint, address, user_agent) VALUES (CURRENT_TIMESTAMP, 'a', 'write', '', '', 's', '', '', '', '', '')"))
    db.session.commit()
    for statement in ("UPDATE audit_entry SET summary = 't'", "DELETE FROM audit_entry"):
        with pytest.raises(DatabaseError, match="append-only"):
            db.session.execute(text(statement))
        db.session.rollback()
    assert db.session.scalar(text("SELECT summary FROM audit_entry")) == "s"


def test_changes_keep_only_what_differs_and_read_well(app_ctx):
    before, after = audit.changes({"role": "engineer", "region": "445200", "active": True},
                                  {"role": "manager", "region": "445200", "active": False})
    assert before == {"role": "engineer", "active": True} and after == {"role": "manager", "active": False}
    assert audit.describe_change(before, after) == "角色: 驻场工程师 → 需求管理人员; 启用: ✓ → ✗"  # zh-CN default
    assert audit.change_lines(None, {"note": "调休"})[0][1:] == ("—", "调休")
    assert audit.describe_change(None, None) == ""


def test_nothing_a_database_refuses_is_stored(app_ctx):
    with unit_of_work():
        entry = audit.record("write", "x" * 100, "\x00" * 3, "a\x00b\ud800c" + "y" * 600,
                             {"k\x00": ["\ud800", 1, None]}, actor_name="n\x00" * 50)
    db.session.expire_all()
    stored = db.session.get(AuditEntry, entry.id)
    assert "\x00" not in stored.summary and "\ud800" not in stored.summary and len(stored.summary) == 500
    assert len(stored.target_type) == 40 and len(stored.actor_name) == 64 and "\x00" not in stored.target_id
    assert stored.before == {"k\ufffd": ["\ufffd", 1, None]}


def test_behind_a_proxy_the_forwarded_client_address_is_recorded(tmp_path):
    from tests.conftest import TEST_CONFIG

    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'proxy.db'}",
                      "PROXY_FIX": 1})
    app.instance_path = str(tmp_path)
    with app.app_context():
        db.create_all()
    client = app.test_client()
    response = client.post("/api/v1/auth/token", json={"username": "nobody", "password": "wrong-password"},
                           headers={"X-Forwarded-For": "203.0.113.9"}, environ_base={"REMOTE_ADDR": "10.0.0.1"})
    assert response.status_code == 401
    with app.app_context():
        entry = db.session.scalars(select(AuditEntry)).one()
        assert (entry.action, entry.address, entry.actor_name) == ("sign_in_failed", "203.0.113.9", "nobody")
        db.session.remove()
        db.engine.dispose()
