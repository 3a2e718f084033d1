"""Notifications on the pages: the bell's count (and its polled fragment), the list, marking
read one and all, the e-mail preference, and the watch button on the requirement page."""
from __future__ import annotations

import re

import pytest



@pytest.fixture
def sign_in(login):
    return login


def bell_count(html: str) -> int:
    match = re.search(r'class="bell-count" data-count="(\d+)"', html)
    return int(match.group(1)) if match else 0


def test_bell_list_and_mark_read(api, filed, sign_in):
    req = filed()
    manager = api("manager", "445200")
    for body in ("请补充截图", "已收到"):
        manager.post(f"/api/v1/requirements/{req['id']}/comments", json={"body": body})
    page = sign_in("engineer_445200")
    home = page.get("/requirements").get_data(as_text=True)
    assert bell_count(home) == 2 and 'hx-trigger="every 30s"' in home
    fragment = page.get("/notifications/bell", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert bell_count(fragment) == 2 and "<html" not in fragment

    listing = page.get("/notifications").get_data(as_text=True)
    assert listing.count('class="notification unread"') == 2
    assert f"manager_445200 评论了 {req['code']}" in listing and "全部标为已读" in listing
    first = re.search(r'/notifications/(\d+)/read', listing).group(1)
    assert page.post(f"/notifications/{first}/read").status_code == 303
    assert bell_count(page.get("/notifications/bell").get_data(as_text=True)) == 1
    assert page.get("/notifications?unread=1").get_data(as_text=True).count('class="notification unread"') == 1
    assert page.post("/notifications/read-all").status_code == 303
    after = page.get("/notifications").get_data(as_text=True)
    assert bell_count(after) == 0 and 'class="notification unread"' not in after
    # someone else's notification cannot be marked
    other = sign_in("manager_445200")
    assert other.post(f"/notifications/{first}/read").status_code == 303


def test_empty_list_and_email_setting(api, sign_in):
    api("engineer", "445200")
    page = sign_in("engineer_445200")
    html = page.get("/notifications").get_data(as_text=True)
    assert "暂无通知。" in html and "本服务器未配置电子邮件" in html
    assert page.post("/notifications/settings", data={"email_enabled": "false"}).status_code == 303
    assert api("engineer", "445200").get("/api/v1/notifications/settings").json == {"email_enabled": False}
    assert page.post("/notifications/settings", data={"email_enabled": "maybe"}).status_code == 422


def test_watch_button_on_the_requirement_page(api, filed, sign_in):
    req = filed()
    api("taskforce", "445200")
    api("taskforce", "440100")
    page = sign_in("taskforce_445200")
    detail = page.get(f"/requirements/{req['id']}").get_data(as_text=True)
    assert 'id="watch-button"' in detail and ">关注<" in detail
    assert page.post(f"/requirements/{req['id']}/watch", data={"watch": "1"}).status_code == 303
    detail = page.get(f"/requirements/{req['id']}").get_data(as_text=True)
    assert ">取消关注<" in detail
    api("manager", "445200").post(f"/api/v1/requirements/{req['id']}/comments", json={"body": "关注者可见"})
    assert bell_count(page.get("/notifications/bell").get_data(as_text=True)) == 1
    assert page.post(f"/requirements/{req['id']}/watch", data={"watch": "0"}).status_code == 303
    assert ">关注<" in page.get(f"/requirements/{req['id']}").get_data(as_text=True)
    outsider = sign_in("taskforce_440100")
    assert outsider.post(f"/requirements/{req['id']}/watch", data={"watch": "1"}).status_code == 404
