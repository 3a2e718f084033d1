"""Server-rendered pages: sign-in, list with htmx partials, forms with 422, scope and roles, CSRF."""
from __future__ import annotations

import re

import pytest

from app import create_app
from app.extensions import db

PASSWORD = "Secret#2026"


@pytest.fixture
def browser_client(login):
    """A test client that signs in through the form."""
    return login


@pytest.fixture
def people(make_user):
    return {
        "engineer": make_user("eng_jy", "engineer", "445200"),
        "engineer_gz": make_user("eng_gz", "engineer", "440100"),
        "manager": make_user("mgr_jy", "manager", "445200"),
        "taskforce": make_user("tf_jy", "taskforce", "445200"),
        "admin": make_user("root", "admin", "440000"),
    }


def test_pages_need_sign_in(client):
    response = client.get("/requirements")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    response = client.get("/requirements", headers={"HX-Request": "true"})
    assert response.headers["HX-Redirect"].startswith("/login")


def test_wrong_password_shows_error(client, people):
    response = client.post("/login", data={"username": "eng_jy", "password": "nope"})
    assert response.status_code == 422
    assert "用户名或密码错误" in response.get_data(as_text=True)


def test_interface_is_chinese_by_default_and_english_on_request(browser_client, people):
    client = browser_client("eng_jy")
    html = client.get("/requirements").get_data(as_text=True)
    assert 'lang="zh-CN"' in html and "需求列表" in html
    response = client.get("/lang/en?next=/requirements")
    assert response.status_code == 302
    html = client.get("/requirements").get_data(as_text=True)
    assert 'lang="en"' in html and "Requirements" in html


def test_list_filters_and_htmx_partial(browser_client, people, filed):
    first = filed(title="跨年退款无法关联上年度支付凭证")
    filed(title="统一门户单点登录偶发空白页", domain="portal")
    client = browser_client("eng_jy")
    full = client.get("/requirements?q=跨年退款").get_data(as_text=True)
    assert "<html" in full and first["code"] in full and "统一门户单点登录" not in full
    partial = client.get("/requirements?domain=portal", headers={"HX-Request": "true"})
    text = partial.get_data(as_text=True)
    assert "<html" not in text and "统一门户单点登录" in text and first["code"] not in text
    assert "HX-Request" in partial.headers["Vary"]
    empty = client.get("/requirements?q=不存在的需求", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "没有符合" in empty


def test_new_form_errors_in_place_with_422(browser_client, people):
    client = browser_client("eng_jy")
    response = client.post(
        "/requirements/new",
        data={"title": "", "domain": "execution", "type": "defect", "priority": "high", "channel": "phone",
              "region": "445200", "proposer_name": "李秀英"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'data-field="title"' in html and "<html" not in html
    listing = client.get("/api/v1/requirements")  # no token: API is bearer-only
    assert listing.status_code == 401


def test_new_form_files_and_redirects(browser_client, people):
    client = browser_client("eng_jy")
    response = client.post(
        "/requirements/new",
        data={"title": "到人到户明细导出字段不全", "domain": "execution", "type": "optimization", "priority": "medium",
              "channel": "onsite", "region": "445202", "proposer_name": "吴海燕"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    target = response.headers["HX-Location"]
    page = client.get(target).get_data(as_text=True)
    assert "到人到户明细导出字段不全" in page and re.search(r"REQ-\d{4}-\d{4}", page)


def test_detail_out_of_scope_is_404_and_taskforce_reads_only(browser_client, people, filed):
    req = filed()
    assert browser_client("eng_gz").get(f"/requirements/{req['id']}").status_code == 404
    taskforce = browser_client("tf_jy")
    html = taskforce.get(f"/requirements/{req['id']}").get_data(as_text=True)
    assert req["title"] in html and "transition-btn" not in html
    response = taskforce.post(f"/requirements/{req['id']}/transitions", data={"to": "assessing"},
                              headers={"HX-Request": "true"})
    assert response.status_code == 403
    assert taskforce.get("/requirements/new").status_code == 403


def test_transition_swaps_status_actions_and_timeline(browser_client, people, filed):
    req = filed()
    client = browser_client("mgr_jy")
    response = client.post(f"/requirements/{req['id']}/transitions", data={"to": "assessing"},
                           headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="req-status" hx-swap-oob="true"' in html and 'data-status="assessing"' in html
    assert 'hx-swap-oob="innerHTML:#timeline"' in html
    illegal = client.post(f"/requirements/{req['id']}/transitions", data={"to": "closed"},
                          headers={"HX-Request": "true"})
    assert illegal.status_code == 409
    assert "当前状态“分析评估中”不能转为“已关闭”" in illegal.get_data(as_text=True)
    no_reason = client.post(f"/requirements/{req['id']}/transitions", data={"to": "withdrawn", "reason": ""},
                            headers={"HX-Request": "true"})
    assert no_reason.status_code == 422


def test_inline_edit_stale_version_is_409(browser_client, people, filed):
    req = filed()
    client = browser_client("mgr_jy")
    form = client.get(f"/requirements/{req['id']}/edit", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert 'name="version" value="1"' in form
    data = {"title": "新的标题", "version": "1", "domain": "execution", "type": "defect", "priority": "high",
            "channel": "phone", "region": "445200", "proposer_name": "李秀英"}
    assert client.post(f"/requirements/{req['id']}/edit", data=data, headers={"HX-Request": "true"}).status_code == 200
    data["title"] = "另一个标题"
    stale = client.post(f"/requirements/{req['id']}/edit", data=data, headers={"HX-Request": "true"})
    assert stale.status_code == 409
    assert "新的标题" in client.get(f"/requirements/{req['id']}").get_data(as_text=True)


def test_attachment_upload_and_scoped_download(browser_client, people, filed):
    import io

    req = filed()
    client = browser_client("eng_jy")
    response = client.post(f"/requirements/{req['id']}/attachments",
                           data={"file": (io.BytesIO("截图说明".encode()), "截图.txt")},
                           content_type="multipart/form-data", headers={"HX-Request": "true"})
    assert response.status_code == 200
    match = re.search(r"/attachments/(\d+)", response.get_data(as_text=True))
    download = client.get(match.group(0))
    assert download.status_code == 200 and download.data == "截图说明".encode()
    assert browser_client("eng_gz").get(match.group(0)).status_code == 404


def test_admin_pages_need_admin(browser_client, people):
    assert browser_client("mgr_jy").get("/admin/users").status_code == 403
    admin = browser_client("root")
    assert "eng_jy" in admin.get("/admin/users").get_data(as_text=True)
    response = admin.post("/admin/users", data={"username": "new_eng", "password": "Long#enough1",
                                                 "role": "engineer", "region": "445202"})
    assert response.status_code == 303
    bad = admin.post("/admin/users", data={"username": "x y", "password": "short", "role": "engineer",
                                           "region": "445202"})
    assert bad.status_code == 422
    page = admin.get("/admin/reference").get_data(as_text=True)
    assert "预算域" in page and "揭阳产业转移工业园" in page
    renamed = admin.post("/admin/reference/domain/budget", data={"label": "预算管理域", "label_en": "Budget",
                                                                 "sort_order": "0", "active": "on"})
    assert renamed.status_code == 303
    assert "预算管理域" in admin.get("/admin/reference").get_data(as_text=True)


def test_csrf_is_enforced_on_forms_and_htmx_requests(tmp_path):
    from app.seed import reference_data
    from app.services import users

    app = create_app({"TESTING": True, "SECRET_KEY": "x", "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'csrf.db'}"})
    with app.app_context():
        db.create_all()
        reference_data.load()
        user = users.create_user("csrf_eng", PASSWORD, "engineer", "445200")
        session_id = user.get_id()
    client = app.test_client()
    assert client.post("/login", data={"username": "csrf_eng", "password": PASSWORD}).status_code == 400
    with client.session_transaction() as session:
        session["_user_id"] = session_id
        session["_fresh"] = True
    form = {"title": "x", "domain": "budget", "type": "defect", "priority": "low", "channel": "phone",
            "region": "445200", "proposer_name": "张三"}
    assert client.post("/requirements/new", data=form, headers={"HX-Request": "true"}).status_code == 400
    page = client.get("/requirements/new").get_data(as_text=True)
    token = re.search(r'"X-CSRFToken": "([^"]+)"', page).group(1)
    ok = client.post("/requirements/new", data=form, headers={"HX-Request": "true", "X-CSRFToken": token})
    assert ok.status_code == 200 and "HX-Location" in ok.headers
    with app.app_context():
        db.engine.dispose()


def test_back_button_history_restore_gets_the_whole_page(browser_client, people):
    client = browser_client("eng_jy")
    restore = client.get("/requirements?q=x", headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    html = restore.get_data(as_text=True)
    assert "<html" in html and 'id="filters"' in html


def test_bad_list_filter_is_ignored_not_an_error(browser_client, people, filed):
    filed(title="跨年退款无法关联凭证")
    client = browser_client("eng_jy")
    for query in ("status=bogus", "region=999999", "page=abc"):
        response = client.get(f"/requirements?{query}")
        assert response.status_code == 200 and "跨年退款无法关联凭证" in response.get_data(as_text=True), query


def test_english_pages_show_english_reference_labels(browser_client, people, filed):
    req = filed(domain="execution", priority="urgent")
    client = browser_client("eng_jy")
    client.get("/lang/en?next=/requirements")
    html = client.get(f"/requirements/{req['id']}").get_data(as_text=True)
    assert "Execution" in html and "Urgent" in html and "执行域" not in html


def test_responses_forbid_mime_sniffing(browser_client, people):
    response = browser_client("eng_jy").get("/requirements")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
