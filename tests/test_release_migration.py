"""Migration 0006: existing releases become `planned`, or `in_acceptance` when they have an
acceptance run, with the default sign-off order."""
from __future__ import annotations

import json

from flask_migrate import upgrade
from sqlalchemy import text

from app.extensions import db


def test_existing_releases_get_their_status(empty_app):
    upgrade(revision="0005_requirement_list_indexes")
    with db.engine.begin() as conn:
        if conn.dialect.name == "sqlite":  # rows without their users: no foreign-key checks
            conn.execute(text("PRAGMA foreign_keys=OFF"))
        else:
            conn.execute(text("SET session_replication_role = replica"))
        for rid, version in ((1, "V1"), (2, "V2"), (3, "V3")):
            conn.execute(text("INSERT INTO release (id, version, name, domains, notes, created_by_id, created_at) "
                              "VALUES (:id, :v, '', '[]', '', 1, '2026-11-01 00:00:00')"), {"id": rid, "v": version})
        for run_id, release_id, environment in ((1, 1, "acceptance"), (2, 2, "pre_release")):
            conn.execute(text("INSERT INTO verification_run (id, release_id, environment, selection, scenario_count, "
                              "created_by_id, created_at) VALUES (:id, :r, :e, '{}', 0, 1, '2026-11-02 00:00:00')"),
                         {"id": run_id, "r": release_id, "e": environment})
    upgrade(revision="0006_release_lifecycle")
    with db.engine.connect() as conn:
        rows = conn.execute(text("SELECT version, status, signoff_roles, signoff_round, status_changed_at "
                                 "FROM release ORDER BY id")).all()
    assert [(r.version, r.status) for r in rows] == [("V1", "in_acceptance"), ("V2", "planned"), ("V3", "planned")]
    roles = [json.loads(r.signoff_roles) if isinstance(r.signoff_roles, str) else r.signoff_roles for r in rows]
    assert all(r == ["manager", "reviewer"] for r in roles) and all(r.signoff_round == 1 for r in rows)
    assert all(str(r.status_changed_at).startswith("2026-11-01") for r in rows)
