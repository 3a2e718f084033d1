"""Background exports (issue 11): POST /api/v1/exports → 202 and a job, its status and progress,
its file; the owner's alone (404 otherwise), the audit log for administrators only (403), bad
input 422 naming the field with nothing stored, old jobs cleaned, the synchronous ledger's limit."""
from __future__ import annotations

import io
import os
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import ExportJob
from app.services import exports
from app.utils import utcnow


@pytest.fixture(autouse=True)
def _export_threads(app):
    app.config["EXPORT_JOBS_THREADS"] = True  # off under TESTING by default (app.services.exports)


def _wait(client, job_id: int, seconds: float = 30) -> dict:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        body = client.get(f"/api/v1/exports/{job_id}").json
        if body["status"] in ("done", "failed"):
            return body
        time.sleep(0.1)
    raise AssertionError(f"export {job_id} did not finish: {body}")


def _ledger_codes(body: bytes) -> list[str]:
    from openpyxl import load_workbook

    rows = [[c.value for c in row] for row in load_workbook(io.BytesIO(body)).worksheets[0].iter_rows()]
    header = next(i for i, row in enumerate(rows) if row and row[0] == "需求编号")
    return [row[0] for row in rows[header + 1:]]


@pytest.fixture
def three_filed(filed):
    return [filed(region="445202")["code"], filed()["code"], filed(region="445200", title="第三条")["code"]]


def test_ledger_job_runs_in_the_background_and_its_owner_downloads_it(three_filed, api, app):
    reader = api("taskforce", "445200")
    response = reader.post("/api/v1/exports", json={"kind": "ledger", "filters": {"region": "445202"}})
    assert response.status_code == 202, response.json
    job = response.json
    assert job["status"] in ("queued", "running", "done") and job["status_url"] == f"/api/v1/exports/{job['id']}"
    done = _wait(reader, job["id"])
    assert done["status"] == "done", done
    assert (done["processed"], done["total"], done["percent"]) == (1, 1, 100)
    assert done["file_url"] == f"/api/v1/exports/{job['id']}/file"
    download = reader.get(done["file_url"])
    assert download.status_code == 200
    assert "filename*=UTF-8''" in download.headers["Content-Disposition"]
    assert _ledger_codes(download.data) == [three_filed[0]]
    whole = _wait(reader, reader.post("/api/v1/exports", json={"kind": "ledger"}).json["id"])
    assert _ledger_codes(reader.get(whole["file_url"]).data) == three_filed
    assert [j["id"] for j in reader.get("/api/v1/exports").json] == [whole["id"], job["id"]]


def test_a_job_is_its_owners_alone(three_filed, api):
    owner, other = api("taskforce", "445200"), api("manager", "445200")
    job = owner.post("/api/v1/exports", json={"kind": "ledger"}).json
    _wait(owner, job["id"])
    assert other.get(f"/api/v1/exports/{job['id']}").status_code == 404
    assert other.get(f"/api/v1/exports/{job['id']}/file").status_code == 404
    assert other.get("/api/v1/exports").json == []
    assert owner.get("/api/v1/exports/999999").status_code == 404
    assert owner.get("/api/v1/exports/99999999999").status_code == 404


def test_progress_is_recorded_while_rows_are_written(three_filed, filed, api, app, monkeypatch):
    filed(), filed()  # five rows
    app.config.update(EXPORT_JOBS_THREADS=False, EXPORT_PROGRESS_EVERY=2)
    reader = api("taskforce", "445200")
    job = reader.post("/api/v1/exports", json={"kind": "ledger"}).json
    queued = reader.get(f"/api/v1/exports/{job['id']}").json
    assert (queued["status"], queued["processed"], queued["percent"], queued["file_url"]) == ("queued", 0, 0, None)
    conflict = reader.get(f"/api/v1/exports/{job['id']}/file")
    assert conflict.status_code == 409 and "queued" in conflict.json["message"]
    seen = []
    real_update = exports._update

    def spy(job_id, **values):
        if "processed" in values:
            seen.append((values["processed"], values["total"]))
        real_update(job_id, **values)

    monkeypatch.setattr(exports, "_update", spy)
    with app.app_context():
        exports.run(job["id"])
    assert seen == [(0, 5), (2, 5), (4, 5), (5, 5)]
    done = reader.get(f"/api/v1/exports/{job['id']}").json
    assert (done["status"], done["processed"], done["total"], done["percent"]) == ("done", 5, 5, 100)
    assert len(_ledger_codes(reader.get(done["file_url"]).data)) == 5


def test_the_audit_log_export_is_for_administrators(api):
    assert api("engineer", "445200").post("/api/v1/exports", json={"kind": "audit"}).status_code == 403
    assert api("taskforce", "440000").post("/api/v1/exports", json={"kind": "audit"}).status_code == 403
    admin = api("admin", "440000")
    job = admin.post("/api/v1/exports", json={"kind": "audit", "filters": {"action": "sign_in"}})
    assert job.status_code == 202, job.json
    done = _wait(admin, job.json["id"])
    assert done["status"] == "done", done
    assert admin.get(done["file_url"]).status_code == 200


@pytest.mark.parametrize("body,field", [
    ({"kind": "everything"}, "kind"),
    ({}, "kind"),
    ({"kind": "ledger", "filters": {"status": "nonsense"}}, "filters.status"),
    ({"kind": "ledger", "filters": {"from": "2026-13-01"}}, "filters.from"),
    ({"kind": "ledger", "filters": {"region": {"a": 1}}}, "filters.region"),
    ({"kind": "ledger", "filters": "x"}, "filters"),
])
def test_bad_input_names_the_field_and_stores_nothing(api, app, body, field):
    response = api("taskforce", "445200").post("/api/v1/exports", json=body)
    assert response.status_code == 422, response.json
    assert field in str(response.json), response.json
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ExportJob)) == 0


def test_a_region_outside_the_readers_is_not_exported(api, app):
    response = api("taskforce", "445200").post("/api/v1/exports", json={"kind": "ledger", "filters": {"region": "440100"}})
    assert response.status_code == 404
    unknown = api("taskforce", "445200").post("/api/v1/exports", json={"kind": "ledger", "filters": {"region": "999999"}})
    assert unknown.status_code == 422 and "filters.region" in unknown.json["errors"]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ExportJob)) == 0


def test_old_jobs_and_their_files_are_cleaned(three_filed, api, app):
    reader = api("taskforce", "445200")
    old = _wait(reader, reader.post("/api/v1/exports", json={"kind": "ledger"}).json["id"])
    with app.app_context():
        job = db.session.get(ExportJob, old["id"])
        path = os.path.join(exports.folder(), job.file_name)
        assert os.path.exists(path)
        job.created_at = utcnow() - timedelta(days=8)
        db.session.commit()
    fresh = reader.post("/api/v1/exports", json={"kind": "ledger"}).json
    _wait(reader, fresh["id"])
    assert not os.path.exists(path)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ExportJob)) == 1  # the fresh one alone


def test_the_synchronous_ledger_answers_409_above_its_limit(three_filed, api, app):
    app.config["LEDGER_SYNC_MAX_ROWS"] = 2
    reader = api("taskforce", "445200")
    response = reader.get("/api/v1/ledger.xlsx")
    assert response.status_code == 409
    assert "/api/v1/exports" in response.json["message"] and "3" in response.json["message"]
    assert reader.get("/api/v1/ledger.xlsx?region=445202").status_code == 200


def test_a_job_whose_thread_stopped_reads_failed(api, app):
    app.config["EXPORT_JOBS_THREADS"] = False  # as if the worker running it had stopped
    reader = api("taskforce", "445200")
    job = reader.post("/api/v1/exports", json={"kind": "ledger"}).json
    with app.app_context():
        row = db.session.get(ExportJob, job["id"])
        row.status, row.started_at = "running", utcnow() - timedelta(minutes=31)
        db.session.commit()
    body = reader.get(f"/api/v1/exports/{job['id']}").json
    assert (body["status"], body["error"]) == ("failed", "interrupted")
    assert reader.get(f"/api/v1/exports/{job['id']}/file").status_code == 409
