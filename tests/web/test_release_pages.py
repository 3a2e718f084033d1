"""Release pages (issue 8): list with status, progress and filters; the release page's gate,
verdicts, waivers, sign-off buttons and moves; the report; the requirement page's release choice."""
from __future__ import annotations

import pytest

from tests.release_kit import add, approve, import_feature, new_release, record, start_run

HX = {"HX-Request": "true"}


@pytest.fixture
def release(api, filed):
    """V2026.12 in acceptance: one requirement whose scenario failed, one scenario blocked."""
    manager = api("manager", "445200")
    req = approve(manager, filed(title="直接支出更正")["id"])
    ids = import_feature(manager, [("直接支出更正", [f"@{req['code']}", "@功能验证"]), ("到人到户", ["@流程验证"])])
    body = new_release(manager)
    assert add(manager, body["id"], req["id"]).status_code == 200
    run = start_run(manager, body["id"])
    record(manager, run["id"], {ids["直接支出更正"]: "failed", ids["到人到户"]: "blocked"})
    return {"id": body["id"], "req": req, "ids": ids, "manager": manager}


def test_list_shows_status_labelled_progress_and_filters(release, signed_in, api):
    new_release(api("manager", "445200"), "V2027.01")
    client = signed_in("web_manager", "manager")
    html = client.get("/releases").get_data(as_text=True)
    assert 'data-version="V2026.12" data-status="in_acceptance"' in html and "验收测试中" in html
    assert "共 2 个场景：通过 0，不通过 2，未执行 0" in html
    filtered = client.get("/releases?status=planned", headers=HX).get_data(as_text=True)
    assert "V2027.01" in filtered and "V2026.12" not in filtered and "<html" not in filtered
    assert "V2026.12" in client.get("/releases?q=2026.12").get_data(as_text=True)


def test_release_page_gate_verdicts_and_blocker_links(release, signed_in):
    client = signed_in("web_manager", "manager")
    html = client.get(f"/releases/{release['id']}").get_data(as_text=True)
    assert 'id="release-gate" data-passed="false"' in html
    assert f'href="/scenarios/{release["ids"]["直接支出更正"]}"' in html
    assert f'data-code="{release["req"]["code"]}" data-verdict="failed"' in html
    assert "功能验证" in html and "Waive" not in html and "有条件通过…" in html
    # the manager signs first: the sign-off form is shown to the manager, not to the reviewer
    assert 'id="signoff-form"' in html
    reviewer = signed_in("web_reviewer", "reviewer", "440000")
    assert 'id="signoff-form"' not in reviewer.get(f"/releases/{release['id']}").get_data(as_text=True)
    taskforce = signed_in("web_tf", "taskforce")
    page = taskforce.get(f"/releases/{release['id']}").get_data(as_text=True)
    assert 'data-to="accepted"' not in page and "有条件通过…" not in page


def test_forms_answer_errors_in_place_and_succeed_with_a_redirect(release, signed_in):
    client = signed_in("web_manager", "manager")
    refused = client.post(f"/releases/{release['id']}/transitions", data={"to": "accepted"}, headers=HX)
    assert refused.status_code == 409 and "尚缺“需求管理人员”的签署" in refused.get_data(as_text=True)
    empty = client.post(f"/releases/{release['id']}/waivers", headers=HX,
                        data={"scenario_id": release["ids"]["到人到户"], "reason": ""})
    assert empty.status_code == 422
    waived = client.post(f"/releases/{release['id']}/waivers", headers=HX,
                         data={"scenario_id": release["ids"]["到人到户"], "reason": "下期修复"})
    assert waived.status_code == 200 and waived.headers["HX-Location"].endswith(f"/releases/{release['id']}")
    assert "下期修复" in client.get(f"/releases/{release['id']}").get_data(as_text=True)
    scenario_page = client.get(f"/scenarios/{release['ids']['到人到户']}").get_data(as_text=True)
    assert 'data-waived="true" title="下期修复"' in scenario_page


def test_requirement_page_offers_open_releases_and_shows_the_verdict(release, signed_in, api, filed):
    manager = release["manager"]
    other = approve(manager, filed(title="跨年退款")["id"])
    new_release(manager, "V2027.01")
    client = signed_in("web_manager", "manager")
    html = client.get(f"/requirements/{other['id']}").get_data(as_text=True)
    assert 'id="schedule-move"' in html and '<select name="release_id" required>' in html
    assert "V2027.01" in html
    response = client.post(f"/requirements/{other['id']}/transitions", headers=HX,
                           data={"to": "scheduled", "release_id": str(release["id"])})
    assert response.status_code == 200
    assert api("manager", "445200").get(f"/api/v1/requirements/{other['id']}").json["release"]["id"] == release["id"]
    page = client.get(f"/requirements/{release['req']['id']}").get_data(as_text=True)
    assert 'id="requirement-release"' in page and 'data-verdict="failed"' in page


def test_printable_report_and_downloads(release, signed_in):
    client = signed_in("web_manager", "manager")
    html = client.get(f"/releases/{release['id']}/report").get_data(as_text=True)
    assert "V2026.12迭代版本验收报告" in html and 'data-frozen="false"' in html and release["req"]["code"] in html
    docx = client.get(f"/releases/{release['id']}/report.docx")
    assert docx.status_code == 200 and docx.data[:2] == b"PK"
    xlsx = client.get(f"/releases/{release['id']}/problems.xlsx")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"


def test_manager_sets_the_signoff_order_with_selects(api, signed_in):
    body = new_release(api("manager", "445200"))
    client = signed_in("web_manager", "manager")
    assert 'id="signoff-roles"' in client.get(f"/releases/{body['id']}").get_data(as_text=True)
    blank = client.post(f"/releases/{body['id']}/signoff-roles", headers=HX, data={"signoff_roles": ["", ""]})
    assert blank.status_code == 422
    saved = client.post(f"/releases/{body['id']}/signoff-roles", headers=HX,
                        data={"signoff_roles": ["reviewer", "", "manager"]})
    assert saved.status_code == 200
    assert api("manager", "445200").get(f"/api/v1/releases/{body['id']}").json["signoff_roles"] == ["reviewer", "manager"]
    reviewer = signed_in("web_reviewer", "reviewer", "440000")
    assert reviewer.post(f"/releases/{body['id']}/signoff-roles", data={"signoff_roles": ["manager"]}).status_code == 403


def _accept_button(html: str) -> str:
    start = html.index('data-to="accepted"')
    return html[html.rindex("<button", 0, start):html.index(">", start) + 1]


def test_accept_button_is_disabled_with_the_blockers_until_gate_and_signoffs_are_done(release, signed_in, api):
    client = signed_in("web_manager", "manager")
    rid = release["id"]
    html = client.get(f"/releases/{rid}").get_data(as_text=True)
    assert "disabled" in _accept_button(html) and 'aria-describedby="accept-blockers"' in _accept_button(html)
    assert 'id="accept-blockers"' in html and "以下事项解决后方可验收通过" in html
    blockers = html[html.index('id="accept-blockers"'):]
    blockers = blockers[:blockers.index("</div>")]
    assert "尚缺“需求管理人员”的签署" in blockers and "manager" not in blockers and blockers.count("<li>") >= 3  # two scenarios not passed, sign-off missing

    # the gate passes: only the missing sign-offs hold the button
    manager = release["manager"]
    run = start_run(manager, rid)
    record(manager, run["id"], {sid: "passed" for sid in release["ids"].values()})
    html = client.get(f"/releases/{rid}").get_data(as_text=True)
    assert 'id="release-gate" data-passed="true"' in html and "disabled" in _accept_button(html)
    assert "的签署" in html[html.index('id="accept-blockers"'):]
    assert manager.post(f"/api/v1/releases/{rid}/signoffs", json={"decision": "approve"}).status_code == 201
    reviewer = api("reviewer", "440000")
    assert reviewer.post(f"/api/v1/releases/{rid}/signoffs", json={"decision": "approve"}).status_code == 201

    # nothing blocks: the button is live and the move goes through
    html = client.get(f"/releases/{rid}").get_data(as_text=True)
    assert "disabled" not in _accept_button(html) and 'id="accept-blockers"' not in html
    moved = client.post(f"/releases/{rid}/transitions", data={"to": "accepted"}, headers=HX)
    assert moved.status_code == 200 and moved.headers["HX-Location"].endswith(f"/releases/{rid}")
