"""Recording results is atomic per request: concurrent step marks on one scenario all survive.

Like tests/unit/test_codes.py, the `app` fixture uses a SQLite *file* (WAL, busy timeout), so
each thread below has its own connection and transaction, as concurrent web requests would.
"""
from __future__ import annotations

import os
import time

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Run, RunScenario, User
from app.services import reports, scenarios, verification
from app.services.verification import recording
from app.services.results import derive_status

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FEATURE = os.path.join(ROOT, "fixtures", "reports", "features", "payments", "correction.feature")


def _run(make_user) -> tuple[int, list[int], int]:
    manager = make_user("mgr", "manager", "445200")
    engineer = make_user("eng", "engineer", "445200")
    with open(FEATURE, encoding="utf-8") as fh:
        scenarios.import_feature(manager, "payments/correction.feature", fh.read())
    release = verification.create_release(manager, {"version": "V2026.11"})
    run = verification.create_run(engineer, release, {"environment": "acceptance"})
    return run.id, list(db.session.scalars(select(RunScenario.scenario_id).where(RunScenario.run_id == run.id)
                                          .order_by(RunScenario.position))), engineer.id


def test_concurrent_step_marks_on_one_scenario_all_survive(app, app_ctx, make_user, monkeypatch, run_concurrently):
    run_id, scenario_ids, engineer_id = _run(make_user)
    scenario_id = scenario_ids[0]
    steps = len(verification.result_row(db.session.get(Run, run_id), scenario_id).scenario.steps)
    assert steps == 4
    db.session.remove()

    # widen the window between reading the step list and writing it back, where a lost update
    # would happen if the read were not inside the write transaction
    def slow_derive(statuses):
        time.sleep(0.05)
        return derive_status(statuses)

    monkeypatch.setattr(recording, "derive_status", slow_derive)

    def mark(index: int) -> None:
        with app.app_context():
            try:
                actor = db.session.get(User, engineer_id)
                run = verification.get_run(actor, run_id, "record_results")
                verification.record(actor, run, {"scenario_id": scenario_id,
                                                 "steps": [{"index": index, "status": "passed"}]})
            finally:
                db.session.remove()

    errors = run_concurrently(mark, steps)
    assert errors == []
    row = verification.result_row(db.session.get(Run, run_id), scenario_id)
    assert [s.status for s in row.steps] == ["passed"] * steps
    assert row.scenario.status == "passed"


def test_concurrent_bulk_and_single_marks_keep_each_others_steps(app, app_ctx, make_user, monkeypatch, run_concurrently):
    run_id, scenario_ids, engineer_id = _run(make_user)
    db.session.remove()
    monkeypatch.setattr(recording, "derive_status", lambda s: (time.sleep(0.02), derive_status(s))[1])

    def mark(index: int) -> None:
        with app.app_context():
            try:
                actor = db.session.get(User, engineer_id)
                run = verification.get_run(actor, run_id, "record_results")
                if index == 0:  # one bulk request: step 0 of every scenario
                    verification.record_many(actor, run, [
                        {"scenario_id": sid, "steps": [{"index": 0, "status": "failed"}]} for sid in scenario_ids])
                else:  # single requests: step `index` of every scenario
                    for sid in scenario_ids:
                        verification.record(actor, run, {"scenario_id": sid,
                                                         "steps": [{"index": index, "status": "passed"}]})
            finally:
                db.session.remove()

    errors = run_concurrently(mark, 3)
    assert errors == []
    run = db.session.get(Run, run_id)
    for row in verification.result_rows(run):
        statuses = [s.status for s in row.steps]
        assert statuses[:3] == ["failed", "passed", "passed"], (row.scenario.name, statuses)
        assert row.scenario.status == "failed"


# --- the rule of a manual result ---------------------------------------------------------


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        (["passed", "passed"], "passed"),
        (["passed", "failed", "blocked"], "failed"),
        (["passed", "blocked", "untested"], "blocked"),
        (["passed", "untested"], "untested"),
        (["skipped", "skipped"], "skipped"),
        (["passed", "skipped"], "passed"),
        ([], "untested"),
    ],
)
def test_scenario_status_follows_steps(statuses, expected):
    assert derive_status(statuses) == expected


def test_the_rule_lives_where_results_are_recorded_and_the_report_parser_borrows_it():
    """Recording (and the run's totals) and the report parser apply one rule, defined beside
    recording (app.services.results), not in the parser."""
    assert derive_status.__module__ == "app.services.results"
    assert recording.derive_status is derive_status and reports.derive_status is derive_status
