"""Fixtures shared by the API tests: API clients of the usual roles, an accepted (and an
upgrade-requested) release, a fixed service-level clock, a counter of SQL statements."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import event

from app.extensions import db
from app.services import sla
from tests.release_kit import accepted_release, fill_application, move


@pytest.fixture
def manager(api):
    """A 揭阳 manager (modules that want the province's manager define their own)."""
    return api("manager", "445200")


@pytest.fixture
def engineer(api):
    return api("engineer", "445200")


@pytest.fixture
def reviewer(api):
    return api("reviewer", "440000")


@pytest.fixture
def admin(api):
    return api("admin", "440000")


@pytest.fixture
def accepted(manager, api, filed):
    """A 揭阳 manager's accepted release: one approved requirement verified by one passed scenario, signed."""
    return accepted_release(manager, api("reviewer", "440000"), filed(title="直接支出更正")["id"])


@pytest.fixture
def requested(accepted, manager):
    """The accepted release, its upgrade application filled, moved to upgrade_requested."""
    fill_application(manager, accepted)
    assert move(manager, accepted, "upgrade_requested").status_code == 200
    return accepted


@pytest.fixture
def clock(monkeypatch):
    """clock.set("2026-03-09T09:25") fixes the service levels' "now" (Beijing time)."""

    class Clock:
        now = datetime.fromisoformat("2026-03-09T09:00") - timedelta(hours=8)

        def set(self, text):
            self.now = datetime.fromisoformat(text) - timedelta(hours=8)

    fixed = Clock()
    monkeypatch.setattr(sla, "utcnow", lambda: fixed.now)
    return fixed


@pytest.fixture
def count_statements(app):
    """count_statements(call) -> (how many SQL statements `call()` ran, what it answered)."""

    def count(call):
        seen: list[str] = []

        def note(conn, cursor, statement, *args):
            seen.append(statement)

        with app.app_context():
            engine = db.engine
        event.listen(engine, "before_cursor_execute", note)
        try:
            answer = call()
        finally:
            event.remove(engine, "before_cursor_execute", note)
        return len(seen), answer

    return count
