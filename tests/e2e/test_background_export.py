"""A background ledger export in a real browser (issue 11): the reports page starts it, the
progress block polls while rows are written (slowed here so that the running state is seen), and
the download link appears and downloads the workbook."""
from __future__ import annotations

import io
import time

import pytest
from playwright.sync_api import expect

from sqlalchemy import select

from app.extensions import db
from app.models import User
from app.services import exports, requirements

pytestmark = pytest.mark.e2e


def test_start_see_progress_and_download(live_server, page, sign_in, monkeypatch):
    base, app = live_server
    app.config.update(EXPORT_PROGRESS_EVERY=1, EXPORT_JOBS_THREADS=True)
    with app.app_context():
        engineer = db.session.scalar(select(User).where(User.username == "engineer"))
        for n in range(4):
            requirements.create(engineer, {"title": f"台帐导出测试{n + 1}", "description": "", "domain": "execution",
                                           "module": "", "type": "defect", "priority": "high", "channel": "phone",
                                           "region": "445202", "proposer_name": "李秀英"})
    real_update = exports._update

    def slow_update(job_id, **values):
        real_update(job_id, **values)
        if "processed" in values and values["processed"] < values["total"]:
            time.sleep(0.6)  # a large ledger, in miniature: the running state lasts a few polls

    monkeypatch.setattr(exports, "_update", slow_update)

    sign_in(page, base, "manager")
    page.goto(f"{base}/reports")
    page.click("#ledger-form button[type=submit]")
    job = page.locator("#export-job")
    expect(job).to_have_attribute("data-status", "running", timeout=5_000)
    expect(job.locator("progress")).to_be_visible()
    expect(job.locator(".export-state")).to_contain_text("正在导出")
    link = page.locator("#export-download")
    expect(link).to_be_visible(timeout=15_000)
    expect(job).to_have_attribute("data-status", "done")
    expect(job.locator(".export-percent")).to_have_text("100%")
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename.endswith(".xlsx")
    from openpyxl import load_workbook

    with open(download.path(), "rb") as fh:
        rows = [[c.value for c in row] for row in load_workbook(io.BytesIO(fh.read())).active.iter_rows()]
    start = next(i for i, row in enumerate(rows) if row[0] == "需求编号")
    assert [row[1] for row in rows[start + 1:]] == [f"台帐导出测试{n}" for n in range(1, 5)]

    # at phone width the reports page (with the recent export listed) and the export page fit
    page.set_viewport_size({"width": 390, "height": 800})
    for path in ("/reports", page.locator("#export-download").get_attribute("href").removesuffix("/file")):
        page.goto(f"{base}{path}")
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 390, path
