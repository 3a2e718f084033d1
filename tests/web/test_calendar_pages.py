"""The working calendar's admin page: overrides listed, added and removed; missing years named."""
from __future__ import annotations

import pytest



@pytest.fixture
def sign_in(make_user, login):
    make_user("cal_admin", "admin", "440000")
    make_user("cal_manager", "manager", "445200")
    return login


def test_admin_page_adds_lists_and_removes_overrides(sign_in):
    client = sign_in("cal_admin")
    page = client.get("/admin/calendar").get_data(as_text=True)
    assert "工作日历" in page and "工作时间：09:00–12:00、14:00–18:00" in page and "2004–2026" in page
    response = client.post("/admin/calendar", data={"date": "2028-01-03", "workday": "false", "note": "本地假日"})
    assert response.status_code == 303
    page = client.get("/admin/calendar").get_data(as_text=True)
    assert 'id="override-2028-01-03"' in page and "本地假日" in page and "休息日" in page
    # a year with an override but no official schedule is named
    missing = page.split('id="missing-years"')[1].split("</div>")[0]
    assert "2028" in missing
    again = client.post("/admin/calendar", data={"date": "2028-01-03", "workday": "true"})
    assert again.status_code == 409 and "该日已有调整" in again.get_data(as_text=True)
    bad = client.post("/admin/calendar", data={"date": "", "workday": "true"})
    assert bad.status_code == 422
    assert client.post("/admin/calendar/2028-01-03/delete").status_code == 303
    assert 'id="override-2028-01-03"' not in client.get("/admin/calendar").get_data(as_text=True)


def test_only_admins_manage_the_calendar(sign_in):
    client = sign_in("cal_manager")
    assert client.get("/admin/calendar").status_code == 403
    assert client.post("/admin/calendar", data={"date": "2028-01-03", "workday": "false"}).status_code == 403
    assert "/admin/calendar" not in client.get("/requirements").get_data(as_text=True)
