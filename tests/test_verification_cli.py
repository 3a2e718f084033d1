"""`flask features import DIR`, `flask runs import RUN_ID FILE` and the demo scenario library."""
from __future__ import annotations

import os
import shutil

from sqlalchemy import func, select

from app.extensions import db
from app.models import FeatureFile, Release, Run, RunScenario, Scenario, ScenarioRequirement
from app.seed import demo, demo_verification
from app.services import verification

REPORTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "reports")


def test_features_import_is_recursive_and_prints_a_summary(app, tmp_path):
    shutil.copytree(os.path.join(REPORTS, "features"), tmp_path / "lib")
    (tmp_path / "lib" / "broken.feature").write_text("Feature: x\n  Scenario: y\n    Given z\n  oops\n", encoding="utf-8")
    (tmp_path / "lib" / "notes.txt").write_text("not a feature", encoding="utf-8")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["features", "import", str(tmp_path / "lib")])
    assert result.exit_code == 1, result.output  # one file had an error
    assert "+ payments/correction.feature revision 1: 6 scenarios" in result.output
    assert "ERROR broken.feature" in result.output and "line 4, column 3" in result.output
    assert "2 feature files: 1 imported, 0 unchanged, 1 with errors" in result.output
    (tmp_path / "lib" / "broken.feature").unlink()
    again = runner.invoke(args=["features", "import", str(tmp_path / "lib")])
    assert again.exit_code == 0 and "1 feature files: 0 imported, 1 unchanged" in again.output
    assert db.session.scalar(select(func.count()).select_from(FeatureFile)) == 1


def test_runs_import_matches_a_report(app, make_user, tmp_path):
    shutil.copytree(os.path.join(REPORTS, "features"), tmp_path / "lib")
    runner = app.test_cli_runner()
    runner.invoke(args=["features", "import", str(tmp_path / "lib")])
    manager = make_user("mgr", "manager", "445200")
    release = verification.create_release(manager, {"version": "V2026.11"})
    run = verification.create_run(manager, release, {"environment": "acceptance", "tags": "@执行域"})
    result = runner.invoke(args=["runs", "import", str(run.id), os.path.join(REPORTS, "behave.xml")])
    assert result.exit_code == 0, result.output
    assert "junit: 6 matched (4 passed, 2 failed), 0 unmatched." in result.output
    missing = runner.invoke(args=["runs", "import", "999", os.path.join(REPORTS, "behave.xml")])
    assert missing.exit_code != 0 and "Run 999 not found" in missing.output


def test_demo_library_release_and_run(app):
    demo.load()
    assert demo_verification.load() == {"features": 3, "runs": 1}
    assert demo_verification.load() == {"features": 0, "runs": 0}  # idempotent
    assert db.session.scalar(select(Release.version)) == "V2026.11"
    assert db.session.scalar(select(func.count()).select_from(Scenario)) == 11
    assert db.session.scalar(select(func.count()).select_from(ScenarioRequirement)) > 0
    run_id = db.session.scalar(select(Run.id))
    statuses = dict(db.session.execute(select(RunScenario.status, func.count()).where(RunScenario.run_id == run_id)
                                       .group_by(RunScenario.status)).all())
    assert statuses["failed"] == 1 and statuses["blocked"] == 1 and statuses["passed"] == 4
