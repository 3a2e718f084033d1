"""Pages of the upgrade application, the announcement, the announcements list and the freeze
periods admin page (issue 9)."""
from __future__ import annotations

import io
import re

import pytest
from docx import Document

from tests.release_kit import APPLICATION, accepted_release, fill_application, move

HX = {"HX-Request": "true"}
WINDOW = {"start": "2026-12-19T22:00:00", "end": "2026-12-20T06:00:00"}


@pytest.fixture
def manager(api):
    return api("manager", "445200")


@pytest.fixture
def accepted(manager, api, filed):
    return accepted_release(manager, api("reviewer", "440000"), filed(title="直接支出更正")["id"])


def text(response) -> str:
    return response.get_data(as_text=True)


def test_release_page_card_and_application_page(accepted, signed_in):
    client = signed_in("web_manager", "manager")
    page = text(client.get(f"/releases/{accepted}"))
    assert 'id="release-application"' in page and "升级申请" in page and 'data-complete="false"' in page
    assert "升级范围" in page and "联系人" in page
    assert re.search(r'data-to="upgrade_requested" disabled aria-describedby="application-blockers"', page)
    form = text(client.get(f"/releases/{accepted}/upgrade-application"))
    assert 'id="application-form"' in form and "直接支出更正" in form and "应急预案" in form
    for name in APPLICATION:
        assert f'name="{name}"' in form
    # a partial save answers the form block with the sections still empty
    saved = client.post(f"/releases/{accepted}/upgrade-application", headers=HX, data={"scope": "全省", "risks": ""})
    assert saved.status_code == 200 and 'id="application-saved"' in text(saved)
    assert 'data-empty="risks,criteria,method,rollback,tracking,contacts"' in text(saved)
    assert "<html" not in text(saved)
    # the move is refused naming the empty sections, on the release page
    refused = client.post(f"/releases/{accepted}/transitions", headers=HX, data={"to": "upgrade_requested"})
    assert refused.status_code == 409 and "风险分析" in text(refused) and "升级申请" in text(refused)
    full = client.post(f"/releases/{accepted}/upgrade-application", data=APPLICATION)
    assert full.status_code == 303
    page = text(client.get(f"/releases/{accepted}"))
    assert 'data-complete="true"' in page and 'id="application-blockers"' not in page
    moved = client.post(f"/releases/{accepted}/transitions", headers=HX, data={"to": "upgrade_requested"})
    assert moved.status_code == 200 and "HX-Location" in moved.headers
    # once requested, emptying a section is refused and named
    emptied = client.post(f"/releases/{accepted}/upgrade-application", headers=HX, data={**APPLICATION, "contacts": ""})
    assert emptied.status_code == 422 and "不能清空" in text(emptied)


def test_taskforce_reads_without_form(accepted, signed_in, manager):
    fill_application(manager, accepted)
    client = signed_in("web_tf", "taskforce")
    page = text(client.get(f"/releases/{accepted}/upgrade-application"))
    assert 'id="application-form"' not in page and 'id="application-read"' in page
    assert APPLICATION["rollback"] in page
    assert client.post(f"/releases/{accepted}/upgrade-application", data={"scope": "x"}).status_code == 403
    assert client.get("/releases/999999/upgrade-application").status_code == 404
    docx = client.get(f"/releases/{accepted}/upgrade-application.docx")
    assert docx.status_code == 200
    body = "\n".join(p.text for p in Document(io.BytesIO(docx.data)).paragraphs)
    assert "应急预案" in body and APPLICATION["contacts"] in body


def test_announcement_page_publish_and_list(accepted, signed_in, manager):
    fill_application(manager, accepted)
    assert move(manager, accepted, "upgrade_requested").status_code == 200
    client = signed_in("web_manager", "manager")
    page = text(client.get(f"/releases/{accepted}/announcement"))
    assert 'id="announcement-form"' in page and "关于V2026.12迭代版本升级的公告" in page and "升级窗口待定" in page
    refused = client.post(f"/releases/{accepted}/announcement", headers=HX,
                          data={"title": "升级公告", "body": "各单位：定于周六升级。", "publish": "true"})
    assert refused.status_code == 409 and "升级窗口" in text(refused)
    bad = client.post(f"/releases/{accepted}/announcement", headers=HX, data={"title": "", "body": "x"})
    assert bad.status_code == 422 and 'data-field="title"' in text(bad)
    assert manager.put(f"/api/v1/releases/{accepted}/window", json=WINDOW).status_code == 200
    ok = client.post(f"/releases/{accepted}/announcement", headers=HX,
                     data={"title": "V2026.12升级公告", "body": "各单位：定于周六升级。", "publish": "true"})
    assert ok.status_code == 200 and "HX-Location" in ok.headers
    assert 'data-published="true"' in text(client.get(f"/releases/{accepted}"))
    # every signed-in user reads the announcements page, linked in the top bar
    reader = signed_in("web_eng", "engineer", "445100")
    listing = text(reader.get("/announcements"))
    assert "V2026.12升级公告" in listing and "定于周六升级" in listing and 'data-nav="announcements"' in listing
    assert "升级公告" in listing


def test_announcements_page_empty_and_paged(signed_in):
    client = signed_in("web_tf", "taskforce")
    page = client.get("/announcements")
    assert page.status_code == 200 and "尚未发布公告" in text(page)
    assert client.get("/announcements?page=abc").status_code == 200  # a bad page is ignored


def test_freeze_periods_admin_page(signed_in):
    admin = signed_in("web_admin", "admin", "440000")
    nav = text(admin.get("/admin/freeze-periods"))
    assert "封网期" in nav and 'href="/admin/freeze-periods"' in nav
    created = admin.post("/admin/freeze-periods", data={"name": "年终决算", "start": "2026-12-31 00:00",
                                                        "end": "2027-01-03 00:00", "reason": "年终决算封网"})
    assert created.status_code == 303, text(created)
    page = text(admin.get("/admin/freeze-periods"))
    assert "年终决算封网" in page and "2026-12-31 00:00" in page
    fid = int(re.search(r'data-freeze-id="(\d+)"', page).group(1))
    assert 'hx-confirm="' in page
    bad = admin.post("/admin/freeze-periods", headers=HX, data={"name": "坏", "start": "2027-01-03 00:00",
                                                                "end": "2027-01-01 00:00"})
    assert bad.status_code == 422 and "结束时间必须晚于开始时间" in text(bad)
    edit = text(admin.get(f"/admin/freeze-periods/{fid}"))
    assert 'value="年终决算"' in edit and 'value="2026-12-31 00:00"' in edit
    changed = admin.post(f"/admin/freeze-periods/{fid}", data={"name": "元旦封网", "start": "2026-12-31 00:00",
                                                               "end": "2027-01-02 00:00", "reason": ""})
    assert changed.status_code == 303
    page = text(admin.get("/admin/freeze-periods"))
    assert "元旦封网" in page and "2027-01-02 00:00" in page
    assert admin.post(f"/admin/freeze-periods/{fid}/delete").status_code == 303
    assert "元旦封网" not in text(admin.get("/admin/freeze-periods"))
    assert admin.post(f"/admin/freeze-periods/{fid}/delete").status_code == 404


def test_freeze_periods_page_is_admin_only(signed_in):
    manager = signed_in("web_manager", "manager")
    assert manager.get("/admin/freeze-periods").status_code == 403
    assert manager.post("/admin/freeze-periods", data={"name": "x"}).status_code == 403
    assert 'href="/admin/freeze-periods"' not in text(manager.get("/announcements"))
