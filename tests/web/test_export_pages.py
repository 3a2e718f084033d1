"""The reports page starts a background ledger export, swaps in its progress block (polling
while it runs) and links the file when it is ready; another user's export is 404 (issue 11)."""
from __future__ import annotations

import time

import pytest


@pytest.fixture(autouse=True)
def _export_threads(app):
    app.config["EXPORT_JOBS_THREADS"] = True  # off under TESTING by default (app.services.exports)


@pytest.fixture
def browser_client(signed_in):
    """`signed_in` with the task force as the default role."""

    def sign_in(username: str, role: str = "taskforce", region: str = "445200"):
        return signed_in(username, role, region)

    return sign_in


def test_start_watch_and_download_a_ledger_export(filed, browser_client, app):
    filed(), filed(region="445202")
    app.config["EXPORT_JOBS_THREADS"] = False
    client = browser_client("tf_jy")
    page = client.get("/reports").get_data(as_text=True)
    assert 'hx-target="#ledger-job"' in page and 'name="kind" value="ledger"' in page
    started = client.post("/exports", data={"kind": "ledger", "region": "445200"}, headers={"HX-Request": "true"})
    assert started.status_code == 200
    block = started.get_data(as_text=True)
    assert 'id="export-job"' in block and 'hx-trigger="every 1s"' in block and "<html" not in block
    job_id = int(block.split('hx-get="/exports/')[1].split('"')[0])
    from app.services import exports

    with app.app_context():
        exports.run(job_id)
    done = client.get(f"/exports/{job_id}", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "hx-trigger" not in done and f'href="/exports/{job_id}/file"' in done and "100%" in done
    assert client.get(f"/exports/{job_id}/file").status_code == 200
    full = client.get(f"/exports/{job_id}").get_data(as_text=True)
    assert "<html" in full and 'id="export-download"' in full
    assert f'href="/exports/{job_id}"' in client.get("/reports").get_data(as_text=True)  # recent exports
    other = browser_client("mgr_jy", "manager")
    assert other.get(f"/exports/{job_id}").status_code == 404
    assert other.get(f"/exports/{job_id}/file").status_code == 404


def test_a_plain_form_post_goes_to_the_export_page(filed, browser_client, app):
    filed()
    client = browser_client("tf_jy")
    response = client.post("/exports", data={"kind": "ledger"})
    assert response.status_code == 303 and response.headers["Location"].startswith("/exports/")
    deadline = time.monotonic() + 20
    while "export-download" not in (body := client.get(response.headers["Location"]).get_data(as_text=True)):
        assert time.monotonic() < deadline, body
        time.sleep(0.1)


def test_bad_filters_are_shown_not_stored(browser_client):
    client = browser_client("tf_jy")
    response = client.post("/exports", data={"kind": "ledger", "from": "2026-13-01"}, headers={"HX-Request": "true"})
    assert response.status_code == 422 and 'role="alert"' in response.get_data(as_text=True)
    assert client.post("/exports", data={"kind": "audit"}, headers={"HX-Request": "true"}).status_code == 403
    hostile = client.post("/exports", data={"kind": "ledger", "q": "a\x00b"}, headers={"HX-Request": "true"})
    assert hostile.status_code == 422
