"""`flask features import DIR`, `flask runs import RUN_ID FILE` and the demo scenario library."""
from __future__ import annotations

import os
import shutil

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import FeatureFile, Release, Run, RunScenario, Scenario, ScenarioRequirement
from app.seed import demo, demo_verification
from app.services import verification

REPORTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "reports")


def test_features_import_is_recursive_and_prints_a_summary(app_ctx, tmp_path):
    app = app_ctx
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


def test_runs_import_matches_a_report(app_ctx, make_user, tmp_path):
    app = app_ctx
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


def test_demo_library_release_and_run(app_ctx):
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


# --- issue 7: one import function each, behind the command line, the pages and the API ----------

PASSWORD = "Secret#2026"


def _calls(monkeypatch, module, name):
    """Record the calls of module.name (still doing its work)."""
    calls = []
    original = getattr(module, name)

    def spy(*args, **kwargs):
        calls.append((args, kwargs))
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, spy)
    return calls


def test_the_cli_and_the_pages_import_through_the_same_service_functions(app, make_user, monkeypatch, tmp_path):
    from app.services import scenarios

    feature_batches = _calls(monkeypatch, scenarios, "import_feature_files")
    report_imports = _calls(monkeypatch, verification, "import_report")
    shutil.copytree(os.path.join(REPORTS, "features"), tmp_path / "lib")
    runner = app.test_cli_runner()
    assert runner.invoke(args=["features", "import", str(tmp_path / "lib")]).exit_code == 0
    make_user("mgr", "manager", "445200")
    client = app.test_client()
    client.post("/login", data={"username": "mgr", "password": PASSWORD})
    with open(os.path.join(REPORTS, "features", "payments", "correction.feature"), "rb") as fh:
        client.post("/features/upload", content_type="multipart/form-data",
                    data={"folder": "payments", "files": [(fh, "correction.feature")]})
    assert len(feature_batches) == 2

    run_url = client.post("/releases", headers={"HX-Request": "true"}, data={"version": "V1"}).headers["HX-Location"]
    run_url = client.post(run_url + "/runs", headers={"HX-Request": "true"},
                          data={"environment": "acceptance"}).headers["HX-Location"]
    run_id = int(run_url.rsplit("/", 1)[1])
    assert runner.invoke(args=["runs", "import", str(run_id), os.path.join(REPORTS, "behave.xml")]).exit_code == 0
    with open(os.path.join(REPORTS, "cucumber-js.json"), "rb") as fh:
        page = client.post(run_url + "/import", content_type="multipart/form-data", data={"file": (fh, "report.json")})
    assert 'data-matched="6"' in page.get_data(as_text=True)
    assert [kwargs["filename"].rsplit("/", 1)[-1] for _, kwargs in report_imports] == ["behave.xml", "report.json"]


def test_import_report_reads_a_file_and_tells_the_format(app_ctx, make_user, tmp_path):
    """The one report import: an open file or the bytes, the format from the content, else the
    declared type, else the file's extension; a summary of what it did."""
    from app.services import scenarios
    from app.services.reports import MalformedReport

    manager = make_user("mgr", "manager", "445200")
    with open(os.path.join(REPORTS, "features", "payments", "correction.feature"), encoding="utf-8") as fh:
        scenarios.import_feature(manager, "payments/correction.feature", fh.read())
    release = verification.create_release(manager, {"version": "V2026.11"})
    run = verification.create_run(manager, release, {"environment": "acceptance"})
    with open(os.path.join(REPORTS, "pytest-bdd.xml"), "rb") as fh:
        summary = verification.import_report(None, run, fh, filename="pytest-bdd.xml")
    assert summary == verification.ImportSummary(format="junit", matched=6, unmatched=[], passed=4, failed=2,
                                                 blocked=0, skipped=0)
    for filename, content_type, words in (("r.json", "", "JSON"), ("r.xml", "application/octet-stream", "XML"),
                                          ("r.txt", "", "neither"), ("r.xml", "application/json", "JSON")):
        with pytest.raises(MalformedReport, match=words):
            verification.import_report(manager, run, b"oops", filename=filename, content_type=content_type)
    assert verification.totals(run)["passed"] == 4


def test_feature_files_import_one_by_one_and_report_each(app_ctx, make_user):
    from app.services import scenarios
    from app.services.errors import Forbidden

    with open(os.path.join(REPORTS, "features", "payments", "correction.feature"), "rb") as fh:
        good = fh.read()
    outcomes = scenarios.import_feature_files(make_user("eng", "engineer", "445200"), [
        ("payments/correction.feature", good), ("gbk.feature", "功能: x".encode("gbk")),
        ("broken.feature", b"Feature: x\n  Scenario: y\n    Given z\n  oops\n"), ("../x.feature", good)])
    assert [(o.path, o.ok) for o in outcomes] == [("payments/correction.feature", True), ("gbk.feature", False),
                                                  ("broken.feature", False), ("../x.feature", False)]
    assert outcomes[0].result.scenario_count == 6
    assert [o.error.template for o in outcomes[1:]] == [
        "The file is not UTF-8 text.",
        "Gherkin syntax error in %(path)s at line %(line)s, column %(column)s: %(detail)s",
        "'%(path)s' is not a relative file path."]
    with pytest.raises(Forbidden):
        scenarios.import_feature_files(make_user("tf", "taskforce", "445200"), [("a.feature", good)])
