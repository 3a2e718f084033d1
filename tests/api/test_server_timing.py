"""Every answer says how long the application spent on it (`Server-Timing: app;dur=<ms>`)."""
from __future__ import annotations

import re

TIMING = re.compile(r"^app;dur=(\d+\.\d{2})$")


def _duration(response) -> float:
    match = TIMING.match(response.headers.get("Server-Timing", ""))
    assert match, response.headers.get("Server-Timing")
    return float(match.group(1))


def test_answers_carry_the_application_time(client, manager):
    assert _duration(manager.get("/api/v1/requirements")) >= 0
    assert _duration(client.get("/api/v1/requirements")) >= 0  # 401: refused answers too
    assert _duration(client.get("/login")) >= 0  # pages
    assert _duration(manager.post("/api/v1/requirements", json={"title": ""})) >= 0  # 422


def test_it_includes_the_work_of_the_other_hooks(app, manager, monkeypatch):
    """The audit entry of a write is written in an after-request hook: the time includes it
    (a clock of the test's own moves 50 ms while that entry is made)."""
    from app import timing
    from app.services import audit

    class Clock:
        now = 1000.0

        def perf_counter(self):
            return self.now

    clock = Clock()
    monkeypatch.setattr(timing, "time", clock)
    original = audit._entry_fields

    def slow(*args, **kwargs):
        clock.now += 0.05
        return original(*args, **kwargs)

    monkeypatch.setattr(audit, "_entry_fields", slow)
    answer = manager.post("/api/v1/requirements", json={
        "title": "预算指标调剂", "domain": "budget", "type": "defect", "priority": "low", "channel": "phone",
        "region": "445202", "proposer_name": "李"})
    assert answer.status_code == 201, answer.json
    assert answer.headers["Server-Timing"] == "app;dur=50.00"
