"""The release page's upgrade window (issue 9): shown, set by a manager, refused with the reason."""
from __future__ import annotations

import pytest

from tests.release_kit import accepted_release, fill_application, move

HX = {"HX-Request": "true"}


@pytest.fixture
def requested(api, filed):
    manager = api("manager", "445200")
    rid = accepted_release(manager, api("reviewer", "440000"), filed(title="直接支出更正")["id"])
    fill_application(manager, rid)
    assert move(manager, rid, "upgrade_requested").status_code == 200
    return rid


def test_manager_sets_the_window_on_the_release_page(requested, signed_in, api):
    client = signed_in("web_manager", "manager")
    html = client.get(f"/releases/{requested}").get_data(as_text=True)
    assert 'id="release-window"' in html and "尚未确定升级窗口" in html and 'id="window-form"' in html
    taskforce = signed_in("web_tf", "taskforce").get(f"/releases/{requested}").get_data(as_text=True)
    assert 'id="release-window"' in taskforce and 'id="window-form"' not in taskforce

    bad = client.post(f"/releases/{requested}/window", headers=HX, data={"start": "2026-12-19T22:00",
                                                                          "end": "2026-12-19T21:00"})
    assert bad.status_code == 422 and "结束时间必须晚于开始时间" in bad.get_data(as_text=True)

    admin = api("admin", "440000")
    assert admin.post("/api/v1/freeze-periods", json={"name": "年终封网", "start": "2026-12-19T00:00:00",
                                                      "end": "2026-12-21T00:00:00"}).status_code == 201
    data = {"start": "2026-12-19T22:00", "end": "2026-12-20T06:00", "override_reason": ""}
    refused = client.post(f"/releases/{requested}/window", headers=HX, data=data)
    assert refused.status_code == 409 and "年终封网" in refused.get_data(as_text=True)

    ok = client.post(f"/releases/{requested}/window", headers=HX, data={**data, "override_reason": "紧急补丁"})
    assert ok.status_code in (200, 204) and "HX-Location" in ok.headers
    page = client.get(f"/releases/{requested}").get_data(as_text=True)
    assert "2026-12-19 22:00" in page and "紧急补丁" in page and "年终封网" in page
