"""The requirement REST API against the contract of issue 2: intake, validation, lists, optimistic
locking, workflow moves, comments, timeline, attachments, reference data, admin, OpenAPI."""
from __future__ import annotations

import io
import os
import re

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Attachment, Event, Requirement

BASE = "/api/v1/requirements"

# A manager's path from `submitted` to each status (managers may make every move).
PATHS = {
    "submitted": [],
    "assessing": ["assessing"],
    "awaiting_review": ["assessing", "awaiting_review"],
    "resolved_locally": ["assessing", "resolved_locally"],
    "approved": ["assessing", "awaiting_review", "approved"],
    "rejected": ["assessing", "awaiting_review", "rejected"],
    "needs_info": ["assessing", "awaiting_review", "needs_info"],
    "deferred": ["assessing", "awaiting_review", "deferred"],
    "scheduled": ["assessing", "awaiting_review", "approved", "scheduled"],
    "in_verification": ["assessing", "awaiting_review", "approved", "scheduled", "in_verification"],
    "verified": ["assessing", "awaiting_review", "approved", "scheduled", "in_verification", "verified"],
    "verification_failed": [
        "assessing", "awaiting_review", "approved", "scheduled", "in_verification", "verification_failed",
    ],
    "released": [
        "assessing", "awaiting_review", "approved", "scheduled", "in_verification", "verified", "released",
    ],
    "withdrawn": ["withdrawn"],
}



def assert_error(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.json
    assert set(body) == {"code", "message", "errors"}
    assert body["message"]
    if code is not None:
        assert body["code"] == code
    return body


def move(client, rid: int, to: str, reason: str | None = None, **extra):
    data = {"to": to, **extra}
    if reason is not None:
        data["reason"] = reason
    return client.post(f"{BASE}/{rid}/transitions", json=data)


@pytest.fixture
def bring_to(manager):
    """bring_to(req_json, status): walk the requirement there as a 揭阳 manager."""

    def walk(req: dict, status: str) -> dict:
        body = req
        for step in PATHS[status]:
            response = move(manager, req["id"], step, reason="测试原因")
            assert response.status_code == 200, response.json
            body = response.json
        assert body["status"] == status
        return body

    return walk


def snapshot(client, rid: int) -> tuple[dict, list]:
    return client.get(f"{BASE}/{rid}").json, client.get(f"{BASE}/{rid}/timeline").json


# --- create ------------------------------------------------------------------------------


def test_create_answers_201_with_code_status_version_and_fields(engineer, payload):
    response = engineer.post(BASE, json=payload())
    assert response.status_code == 201, response.json
    body = response.json
    assert re.fullmatch(r"REQ-\d{4}-\d{4}", body["code"])
    assert body["code"] == f"REQ-{body['created_at'][:4]}-0001"
    assert body["status"] == "submitted"
    assert body["version"] == 1
    assert isinstance(body["id"], int)
    for field, value in payload().items():
        assert body[field] == value, field
    assert body["needs_custom_dev"] == "undecided"
    assert body["assignee"] is None
    assert body["due_date"] is None


def test_codes_are_sequential(filed):
    codes = [filed(title=f"需求{i}")["code"] for i in range(3)]
    year = codes[0][4:8]
    assert codes == [f"REQ-{year}-0001", f"REQ-{year}-0002", f"REQ-{year}-0003"]


def test_create_only_required_fields(engineer):
    data = {
        "title": "预算指标导入报错",
        "domain": "budget",
        "type": "defect",
        "priority": "medium",
        "channel": "tapd",
        "region": "445200",
        "proposer_name": "陈",
    }
    response = engineer.post(BASE, json=data)
    assert response.status_code == 201, response.json
    assert response.json["description"] == ""


def test_create_in_a_child_region(engineer, payload):
    response = engineer.post(BASE, json=payload(region="445202"))
    assert response.status_code == 201
    assert response.json["region"] == "445202"
    assert response.json["region_name"] == "榕城区"


def test_create_records_a_created_event(engineer, filed):
    req = filed()
    timeline = engineer.get(f"{BASE}/{req['id']}/timeline").json
    assert [e["kind"] for e in timeline] == ["created"]
    assert timeline[0]["actor"] == "engineer_445200"


def test_manager_may_file_with_assessment_and_assignee(manager, payload, make_user):
    make_user("zhao", "engineer", "445200")
    response = manager.post(
        BASE, json=payload(needs_custom_dev="yes", assessment_notes="需省厅定制开发", assignee="zhao",
                           due_date="2026-12-31")
    )
    assert response.status_code == 201, response.json
    body = response.json
    assert (body["needs_custom_dev"], body["assignee"], body["due_date"]) == ("yes", "zhao", "2026-12-31")
    kinds = [e["kind"] for e in manager.get(f"{BASE}/{body['id']}/timeline").json]
    assert kinds == ["created", "assigned"]


@pytest.mark.parametrize(
    "field,value",
    [("needs_custom_dev", "yes"), ("assessment_notes", "可配置解决"), ("assignee", "engineer_445200"),
     ("due_date", "2026-12-31")],
)
def test_engineer_may_not_file_with_assessment_fields(app_ctx, engineer, payload, field, value):
    assert_error(engineer.post(BASE, json=payload(**{field: value})), 403, "forbidden")
    assert db.session.scalar(select(func.count()).select_from(Requirement)) == 0


@pytest.mark.parametrize("role", ["reviewer", "taskforce"])
def test_roles_without_create_get_403(app_ctx, api, payload, role):
    assert_error(api(role, "445200").post(BASE, json=payload()), 403, "forbidden")
    assert db.session.scalar(select(func.count()).select_from(Requirement)) == 0


# --- validation --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "field", ["title", "domain", "type", "priority", "channel", "region", "proposer_name"]
)
def test_missing_required_field_is_422_naming_it(engineer, payload, field):
    data = payload()
    del data[field]
    body = assert_error(engineer.post(BASE, json=data), 422, "validation_error")
    assert field in body["errors"]
    assert field in body["message"]


def test_unknown_field_is_rejected_not_ignored(engineer, payload):
    body = assert_error(engineer.post(BASE, json=payload(severity="high")), 422)
    assert "severity" in body["errors"]


@pytest.mark.parametrize("field", ["status", "code", "version", "id"])
def test_server_owned_fields_cannot_be_sent_on_create(engineer, payload, field):
    body = assert_error(engineer.post(BASE, json=payload(**{field: "approved"})), 422)
    assert field in body["errors"]


@pytest.mark.parametrize(
    "field,value",
    [("title", 123), ("title", ["a"]), ("description", {"x": 1}), ("priority", 1),
     ("due_date", "31/12/2026"), ("needs_custom_dev", "maybe"), ("title", ""), ("title", "长" * 201)],
)
def test_wrong_type_or_value_is_422_naming_the_field(manager, payload, field, value):
    body = assert_error(manager.post(BASE, json=payload(**{field: value})), 422)
    assert field in body["errors"]


@pytest.mark.parametrize(
    "field,value", [("domain", "treasury"), ("type", "wish"), ("priority", "p0"), ("channel", "email")]
)
def test_unknown_reference_code_is_422(engineer, payload, field, value):
    body = assert_error(engineer.post(BASE, json=payload(**{field: value})), 422)
    assert field in body["errors"]


def test_unknown_region_is_422(engineer, payload):
    body = assert_error(engineer.post(BASE, json=payload(region="999999")), 422)
    assert "region" in body["errors"]


@pytest.mark.parametrize("region", ["440100", "440000", "445100", "440106"])
def test_region_outside_users_region_is_422(app_ctx, engineer, payload, region):
    body = assert_error(engineer.post(BASE, json=payload(region=region)), 422)
    assert "region" in body["errors"]
    assert db.session.scalar(select(func.count()).select_from(Requirement)) == 0


def test_province_user_may_file_anywhere(api, payload):
    response = api("engineer", "440000").post(BASE, json=payload(region="440106"))
    assert response.status_code == 201


def test_malformed_json_is_400(engineer):
    response = engineer.post(BASE, data='{"title": ', headers={"Content-Type": "application/json"})
    assert_error(response, 400, "bad_request")


def test_json_array_body_is_rejected(engineer):
    assert engineer.post(BASE, json=[{"title": "x"}]).status_code in (400, 422)


def test_failed_validation_consumes_no_code(engineer, payload, filed):
    assert engineer.post(BASE, json=payload(region="440100")).status_code == 422
    first = filed()
    assert first["code"].endswith("-0001")


# --- list, filters, pagination, sort ----------------------------------------------------


@pytest.fixture
def catalogue(api, payload, manager, make_user):
    """Five requirements in 揭阳 (two in 榕城区) and one in 广州, in various states."""
    make_user("zhao", "engineer", "445200")
    jy = api("engineer", "445200")
    gz = api("engineer", "440100")

    def new(client, **kw):
        response = client.post(BASE, json=payload(**kw))
        assert response.status_code == 201, response.json
        return response.json

    items = {
        "a": new(jy, title="指标导入失败", description="预算单位导入指标时报错", domain="budget",
                 type="defect", priority="urgent"),
        "b": new(jy, title="支付更正流程优化", description="希望简化更正审批", domain="execution",
                 type="optimization", priority="low", region="445202"),
        "c": new(jy, title="会计凭证报表", description="新增科目余额表", domain="accounting",
                 type="report", priority="medium", region="445202"),
        "d": new(jy, title="门户单点登录", description="统一门户跳转数据中枢失败", domain="portal",
                 type="portal_integration", priority="high", region="445200Y01"),
        "e": new(jy, title="跨年退款", description="执行域跨年退款无法办理", domain="execution",
                 type="functional", priority="high"),
        "gz": new(gz, title="广州指标导入失败", description="广州的需求", domain="budget",
                  type="defect", priority="urgent", region="440106"),
    }
    # assign "e" to zhao; move "a" to assessing
    response = manager.patch(f"{BASE}/{items['e']['id']}", json={"version": 1, "assignee": "zhao"})
    assert response.status_code == 200, response.json
    assert move(manager, items["a"]["id"], "assessing").status_code == 200
    return items


def codes_of(response) -> set[str]:
    assert response.status_code == 200, response.json
    return {item["title"] for item in response.json["items"]}


def titles(catalogue, *keys) -> set[str]:
    return {catalogue[k]["title"] for k in keys}


def test_list_shape(engineer, catalogue):
    body = engineer.get(BASE).json
    assert set(body) >= {"items", "total", "page", "per_page"}
    assert body["total"] == 5
    assert body["page"] == 1
    assert body["per_page"] == 20
    assert len(body["items"]) == 5
    assert {"id", "code", "status", "version", "title", "region"} <= set(body["items"][0])


@pytest.mark.parametrize(
    "query,expected",
    [
        ("status=assessing", {"a"}),
        ("status=submitted", {"b", "c", "d", "e"}),
        ("status=submitted,assessing", {"a", "b", "c", "d", "e"}),
        ("status=closed", set()),
        ("domain=execution", {"b", "e"}),
        ("domain=budget,portal", {"a", "d"}),
        ("type=report", {"c"}),
        ("type=defect,functional", {"a", "e"}),
        ("priority=high", {"d", "e"}),
        ("priority=urgent", {"a"}),
        ("region=445200", {"a", "b", "c", "d", "e"}),
        ("region=445202", {"b", "c"}),
        ("region=445200Y01", {"d"}),
        ("region=445203", set()),
        ("assignee=zhao", {"e"}),
        ("assignee=none", {"a", "b", "c", "d"}),
        ("assignee=nobody", set()),
        ("q=导入", {"a"}),
        ("q=跨年退款", {"e"}),
        ("q=数据中枢", {"d"}),  # in the description only
        ("q=简化更正", {"b"}),
        ("q=不存在的词", set()),
        ("domain=execution&priority=high", {"e"}),
        ("region=445202&type=report", {"c"}),
        ("status=submitted&assignee=none&domain=execution", {"b"}),
    ],
)
def test_list_filters(engineer, catalogue, query, expected):
    response = engineer.get(f"{BASE}?{query}")
    assert codes_of(response) == titles(catalogue, *expected)
    assert response.json["total"] == len(expected)


def test_q_is_case_insensitive(engineer, payload):
    engineer.post(BASE, json=payload(title="TAPD Sync fails", description="x"))
    engineer.post(BASE, json=payload(title="other", description="nothing"))
    assert {i["title"] for i in engineer.get(f"{BASE}?q=tapd sync").json["items"]} == {"TAPD Sync fails"}


def test_q_finds_by_code(engineer, catalogue):
    code = catalogue["c"]["code"]
    assert [i["code"] for i in engineer.get(f"{BASE}?q={code}").json["items"]] == [code]


def test_region_filter_from_province_includes_descendants(api, catalogue):
    province = api("manager", "440000")
    assert codes_of(province.get(f"{BASE}?region=440100")) == titles(catalogue, "gz")
    assert codes_of(province.get(f"{BASE}?region=440000")) == titles(catalogue, "a", "b", "c", "d", "e", "gz")
    assert province.get(BASE).json["total"] == 6


def test_unknown_region_filter_is_422(engineer, catalogue):
    body = assert_error(engineer.get(f"{BASE}?region=999999"), 422)
    assert "region" in body["errors"]


def test_unknown_status_filter_is_422(engineer, catalogue):
    body = assert_error(engineer.get(f"{BASE}?status=bogus"), 422)
    assert any(key.startswith("status") for key in body["errors"])


@pytest.mark.parametrize("query,field", [("page=0", "page"), ("per_page=0", "per_page"),
                                         ("per_page=201", "per_page"), ("page=x", "page"),
                                         ("sort=colour", "sort")])
def test_bad_paging_or_sort_is_422(engineer, query, field):
    body = assert_error(engineer.get(f"{BASE}?{query}"), 422)
    assert field in body["errors"]


def test_pagination(engineer, catalogue):
    pages = [engineer.get(f"{BASE}?per_page=2&page={p}&sort=code").json for p in (1, 2, 3, 4)]
    assert [p["total"] for p in pages] == [5, 5, 5, 5]
    assert [p["page"] for p in pages] == [1, 2, 3, 4]
    assert all(p["per_page"] == 2 for p in pages)
    assert [len(p["items"]) for p in pages] == [2, 2, 1, 0]
    seen = [i["code"] for p in pages for i in p["items"]]
    assert len(seen) == len(set(seen)) == 5


def test_pagination_total_counts_the_filtered_set(engineer, catalogue):
    body = engineer.get(f"{BASE}?region=445202&per_page=1").json
    assert body["total"] == 2 and len(body["items"]) == 1


def test_sort(engineer, catalogue):
    ascending = [i["code"] for i in engineer.get(f"{BASE}?sort=code").json["items"]]
    assert ascending == sorted(ascending)
    descending = [i["code"] for i in engineer.get(f"{BASE}?sort=-code").json["items"]]
    assert descending == ascending[::-1]
    default = [i["code"] for i in engineer.get(BASE).json["items"]]
    assert default == descending  # newest first


def test_sort_by_priority_puts_urgent_first(engineer, catalogue):
    priorities = [i["priority"] for i in engineer.get(f"{BASE}?sort=-priority").json["items"]]
    assert priorities == ["urgent", "high", "high", "medium", "low"]


# --- get one -----------------------------------------------------------------------------


def test_get_one(engineer, filed):
    req = filed()
    body = engineer.get(f"{BASE}/{req['id']}").json
    assert body == req


def test_get_unknown_is_404(engineer):
    assert_error(engineer.get(f"{BASE}/9999"), 404, "not_found")


# --- PATCH and optimistic locking --------------------------------------------------------


def test_patch_with_current_version_updates_and_bumps_version(engineer, filed):
    req = filed()
    response = engineer.patch(f"{BASE}/{req['id']}", json={"version": 1, "title": "新标题", "priority": "urgent"})
    assert response.status_code == 200, response.json
    body = response.json
    assert (body["title"], body["priority"], body["version"]) == ("新标题", "urgent", 2)
    assert engineer.get(f"{BASE}/{req['id']}").json["version"] == 2
    changes = [e for e in engineer.get(f"{BASE}/{req['id']}/timeline").json if e["kind"] == "field_changed"]
    assert {(e["details"]["field"], e["details"]["before"], e["details"]["after"]) for e in changes} == {
        ("title", req["title"], "新标题"),
        ("priority", "high", "urgent"),
    }


def test_patch_stale_version_is_409_and_changes_nothing(app_ctx, engineer, manager, filed):
    req = filed()
    assert engineer.patch(f"{BASE}/{req['id']}", json={"version": 1, "title": "第一次修改"}).status_code == 200
    before = snapshot(engineer, req["id"])
    response = manager.patch(f"{BASE}/{req['id']}", json={"version": 1, "title": "过期修改", "module": "x"})
    body = assert_error(response, 409, "stale_version")
    assert "version" in body["errors"]
    db.session.expire_all()
    assert snapshot(engineer, req["id"]) == before
    assert before[0]["title"] == "第一次修改" and before[0]["version"] == 2


def test_patch_future_version_is_409(engineer, filed):
    req = filed()
    assert_error(engineer.patch(f"{BASE}/{req['id']}", json={"version": 7, "title": "x"}), 409)
    assert engineer.get(f"{BASE}/{req['id']}").json["title"] == req["title"]


def test_patch_without_version_is_422(engineer, filed):
    req = filed()
    body = assert_error(engineer.patch(f"{BASE}/{req['id']}", json={"title": "x"}), 422)
    assert "version" in body["errors"]


@pytest.mark.parametrize("version", ["1", 1.5, None, True])
def test_patch_version_must_be_an_integer(engineer, filed, version):
    req = filed()
    body = assert_error(engineer.patch(f"{BASE}/{req['id']}", json={"version": version, "title": "x"}), 422)
    assert "version" in body["errors"]
    assert engineer.get(f"{BASE}/{req['id']}").json["title"] == req["title"]


@pytest.mark.parametrize("field,value", [("status", "approved"), ("code", "REQ-2000-0001"), ("bogus", 1)])
def test_patch_unknown_or_readonly_field_is_422(manager, filed, field, value):
    req = filed()
    body = assert_error(manager.patch(f"{BASE}/{req['id']}", json={"version": 1, field: value}), 422)
    assert field in body["errors"]
    after = manager.get(f"{BASE}/{req['id']}").json
    assert (after["status"], after["code"], after["version"]) == ("submitted", req["code"], 1)


def test_patch_wrong_type_is_422(engineer, filed):
    req = filed()
    body = assert_error(engineer.patch(f"{BASE}/{req['id']}", json={"version": 1, "title": 5}), 422)
    assert "title" in body["errors"]


def test_patch_unknown_domain_is_422(engineer, filed):
    req = filed()
    body = assert_error(engineer.patch(f"{BASE}/{req['id']}", json={"version": 1, "domain": "x"}), 422)
    assert "domain" in body["errors"]


def test_patch_region_outside_scope_is_422_and_changes_nothing(app_ctx, engineer, filed):
    req = filed()
    before = snapshot(engineer, req["id"])
    body = assert_error(
        engineer.patch(f"{BASE}/{req['id']}", json={"version": 1, "title": "改", "region": "440100"}), 422
    )
    assert "region" in body["errors"]
    db.session.expire_all()
    assert snapshot(engineer, req["id"]) == before


def test_patch_region_within_scope(engineer, filed):
    req = filed()
    body = engineer.patch(f"{BASE}/{req['id']}", json={"version": 1, "region": "445202"}).json
    assert body["region"] == "445202"
    change = engineer.get(f"{BASE}/{req['id']}/timeline").json[-1]
    assert change["details"] == {"field": "region", "before": "445200", "after": "445202"}


def test_patch_same_value_records_nothing(engineer, filed):
    req = filed()
    body = engineer.patch(f"{BASE}/{req['id']}", json={"version": 1, "title": req["title"]}).json
    assert body["version"] == 1
    assert [e["kind"] for e in engineer.get(f"{BASE}/{req['id']}/timeline").json] == ["created"]


@pytest.mark.parametrize(
    "field,value",
    [("needs_custom_dev", "yes"), ("assessment_notes", "配置可解决"), ("assignee", "engineer_445200"),
     ("due_date", "2026-12-31")],
)
def test_assessment_fields_need_a_manager(app_ctx, engineer, manager, filed, field, value):
    req = filed()
    before = snapshot(engineer, req["id"])
    assert_error(engineer.patch(f"{BASE}/{req['id']}", json={"version": 1, field: value}), 403, "forbidden")
    db.session.expire_all()
    assert snapshot(engineer, req["id"]) == before
    response = manager.patch(f"{BASE}/{req['id']}", json={"version": 1, field: value})
    assert response.status_code == 200, response.json
    assert response.json[field] == value
    assert response.json["version"] == 2


def test_assessment_and_assignment_events(manager, filed, make_user):
    make_user("zhao", "engineer", "445200")
    req = filed()
    manager.patch(
        f"{BASE}/{req['id']}",
        json={"version": 1, "needs_custom_dev": "no", "assessment_notes": "通过配置解决", "assignee": "zhao"},
    )
    manager.patch(f"{BASE}/{req['id']}", json={"version": 2, "assignee": None})
    timeline = manager.get(f"{BASE}/{req['id']}/timeline").json
    assigned = [e["details"] for e in timeline if e["kind"] == "assigned"]
    assert assigned == [
        {"before": None, "after": "zhao", "before_name": None, "after_name": "zhao"},
        {"before": "zhao", "after": None, "before_name": "zhao", "after_name": None},
    ]
    fields = {e["details"]["field"]: e["details"] for e in timeline if e["kind"] == "field_changed"}
    assert fields["needs_custom_dev"] == {"field": "needs_custom_dev", "before": "undecided", "after": "no"}
    assert fields["assessment_notes"]["after"] == "通过配置解决"


@pytest.mark.parametrize(
    "data",
    [{"needs_custom_dev": "yes", "assignee": "zhao"}, {"title": "新", "region": "445202"},
     {"title": "新", "assessment_notes": "n", "assignee": "zhao", "region": "445202", "due_date": "2027-01-31"}],
)
def test_one_patch_bumps_the_version_once(manager, filed, make_user, data):
    make_user("zhao", "engineer", "445200")
    req = filed()
    response = manager.patch(f"{BASE}/{req['id']}", json={"version": 1, **data})
    assert response.status_code == 200, response.json
    assert response.json["version"] == 2
    assert manager.patch(f"{BASE}/{req['id']}", json={"version": 2, "module": "m"}).json["version"] == 3


def test_assignee_must_be_a_known_active_user(manager, filed):
    req = filed()
    body = assert_error(manager.patch(f"{BASE}/{req['id']}", json={"version": 1, "assignee": "ghost"}), 422)
    assert "assignee" in body["errors"]


@pytest.mark.parametrize("role", ["reviewer", "taskforce"])
def test_roles_without_edit_get_403(api, filed, role):
    req = filed()
    assert_error(api(role, "445200").patch(f"{BASE}/{req['id']}", json={"version": 1, "title": "x"}), 403)


# --- transitions -------------------------------------------------------------------------


def test_legal_transition(engineer, filed):
    req = filed()
    response = move(engineer, req["id"], "assessing")
    assert response.status_code == 200, response.json
    assert response.json["status"] == "assessing"
    assert response.json["version"] == 2
    assert engineer.get(f"{BASE}/{req['id']}").json["status"] == "assessing"


def test_transitions_get_lists_what_this_user_may_do(api, filed, engineer, manager):
    req = filed()
    assert engineer.get(f"{BASE}/{req['id']}/transitions").json == {
        "status": "submitted", "allowed": ["assessing", "withdrawn"],
    }
    assert set(manager.get(f"{BASE}/{req['id']}/transitions").json["allowed"]) == {
        "assessing", "duplicate", "withdrawn",
    }
    assert api("taskforce", "445200").get(f"{BASE}/{req['id']}/transitions").json["allowed"] == []


@pytest.mark.parametrize(
    "status,to",
    [("submitted", "approved"), ("submitted", "closed"), ("assessing", "scheduled"),
     ("awaiting_review", "released"), ("scheduled", "withdrawn"), ("scheduled", "duplicate"),
     ("released", "withdrawn"), ("withdrawn", "assessing"), ("rejected", "approved"),
     ("submitted", "submitted")],
)
def test_illegal_transition_is_409_naming_current_and_allowed(app_ctx, manager, filed, bring_to, status, to):
    req = bring_to(filed(), status)
    before = snapshot(manager, req["id"])
    body = assert_error(move(manager, req["id"], to, reason="理由"), 409)
    assert body["code"] == "illegal_transition"
    assert status in body["message"]
    from app.services.workflow import allowed_targets

    allowed = allowed_targets(status)
    for target in allowed:
        assert target in body["message"]
    if not allowed:
        assert "none" in body["message"]
    db.session.expire_all()
    assert snapshot(manager, req["id"]) == before


def test_illegal_message_lists_the_documented_moves(manager, filed):
    req = filed()
    message = move(manager, req["id"], "approved").json["message"]
    assert "'submitted'" in message
    for target in ("assessing", "duplicate", "withdrawn"):
        assert target in message


@pytest.mark.parametrize(
    "status,to",
    [("awaiting_review", "rejected"), ("awaiting_review", "needs_info"), ("submitted", "withdrawn"),
     ("in_verification", "verification_failed")],
)
@pytest.mark.parametrize("reason", [None, "", "   "])
def test_reason_required(app_ctx, manager, filed, bring_to, status, to, reason):
    req = bring_to(filed(), status)
    before = snapshot(manager, req["id"])
    body = assert_error(move(manager, req["id"], to, reason=reason), 422, "validation_error")
    assert "reason" in body["errors"]
    db.session.expire_all()
    assert snapshot(manager, req["id"]) == before
    ok = move(manager, req["id"], to, reason="提出人已撤回")
    assert ok.status_code == 200 and ok.json["status"] == to


def test_reason_not_required_for_ordinary_moves(manager, filed):
    assert move(manager, filed()["id"], "assessing").status_code == 200


def test_duplicate_needs_the_originals_code(app_ctx, manager, filed):
    original, dup = filed(title="原需求"), filed(title="重复需求")
    before = snapshot(manager, dup["id"])
    body = assert_error(move(manager, dup["id"], "duplicate", reason="重复"), 422)
    assert "duplicate_of" in body["errors"]
    db.session.expire_all()
    assert snapshot(manager, dup["id"]) == before
    response = move(manager, dup["id"], "duplicate", reason="与原需求重复", duplicate_of=original["code"])
    assert response.status_code == 200, response.json
    assert response.json["status"] == "duplicate"
    assert response.json["duplicate_of"] == original["code"]
    event = manager.get(f"{BASE}/{dup['id']}/timeline").json[-1]
    assert event["details"]["duplicate_of"] == original["code"]
    assert event["details"]["reason"] == "与原需求重复"


def test_duplicate_needs_a_reason_too(manager, filed):
    original, dup = filed(), filed()
    body = assert_error(move(manager, dup["id"], "duplicate", duplicate_of=original["code"]), 422)
    assert "reason" in body["errors"]


def test_duplicate_of_itself_is_422(manager, filed):
    req = filed()
    body = assert_error(move(manager, req["id"], "duplicate", reason="x", duplicate_of=req["code"]), 422)
    assert "duplicate_of" in body["errors"]


def test_duplicate_of_a_merged_requirement_is_422(manager, filed):
    a, b, c = filed(), filed(), filed()
    assert move(manager, b["id"], "duplicate", reason="重复", duplicate_of=a["code"]).status_code == 200
    body = assert_error(move(manager, c["id"], "duplicate", reason="重复", duplicate_of=b["code"]), 422)
    assert "duplicate_of" in body["errors"]


@pytest.mark.parametrize("code", ["REQ-1999-0001", "garbage"])
def test_duplicate_of_unknown_code_is_422_naming_the_field(manager, filed, code):
    req = filed()
    body = assert_error(move(manager, req["id"], "duplicate", reason="重复", duplicate_of=code), 422)
    assert "duplicate_of" in body["errors"]
    assert manager.get(f"{BASE}/{req['id']}").json["status"] == "submitted"


def test_duplicate_of_out_of_scope_code_is_treated_as_unknown(api, manager, filed, payload):
    other = api("engineer", "440100").post(BASE, json=payload(region="440100")).json
    req = filed()
    body = assert_error(move(manager, req["id"], "duplicate", reason="重复", duplicate_of=other["code"]), 422)
    assert "duplicate_of" in body["errors"]
    unknown = assert_error(move(manager, req["id"], "duplicate", reason="重复", duplicate_of="REQ-1999-0001"), 422)
    # the answer does not reveal that the out-of-scope code exists
    assert body["message"].replace(other["code"], "?") == unknown["message"].replace("REQ-1999-0001", "?")


def test_unknown_target_status_is_422(manager, filed):
    body = assert_error(move(manager, filed()["id"], "finished"), 422)
    assert "to" in body["errors"]


def test_transition_body_rejects_unknown_fields(manager, filed):
    body = assert_error(manager.post(f"{BASE}/{filed()['id']}/transitions", json={"to": "assessing", "x": 1}), 422)
    assert "x" in body["errors"]


def test_transition_needs_to(manager, filed):
    body = assert_error(manager.post(f"{BASE}/{filed()['id']}/transitions", json={}), 422)
    assert "to" in body["errors"]


def test_reviewer_approves_from_awaiting_review(api, filed, bring_to):
    req = bring_to(filed(), "awaiting_review")
    response = move(api("reviewer", "445200"), req["id"], "approved", reason="会外决定：紧急")
    assert response.status_code == 200, response.json
    assert response.json["status"] == "approved"


@pytest.mark.parametrize("to", ["approved", "rejected", "needs_info", "deferred"])
def test_review_outcome_outside_a_meeting_needs_a_reason_and_is_marked(app_ctx, api, filed, bring_to, to):
    req = bring_to(filed(), "awaiting_review")
    reviewer = api("reviewer", "445200")
    before = snapshot(reviewer, req["id"])
    assert_error(move(reviewer, req["id"], to), 422, "validation_error")
    assert_error(move(reviewer, req["id"], to, reason="  "), 422, "validation_error")
    db.session.expire_all()
    assert snapshot(reviewer, req["id"]) == before
    moved = move(reviewer, req["id"], to, reason="会外决定：省厅已书面答复")
    assert moved.status_code == 200, moved.json
    last = reviewer.get(f"{BASE}/{req['id']}/timeline").json[-1]
    assert last["details"]["outside_meeting"] is True
    assert last["details"]["reason"] == "会外决定：省厅已书面答复"


def test_administrators_record_no_review_decision_outside_a_meeting(api, filed, bring_to):
    req = bring_to(filed(), "awaiting_review")
    admin = api("admin", "440000")
    body = assert_error(move(admin, req["id"], "approved", reason="管理员代办"), 403, "forbidden")
    assert "outside a review meeting" in body["message"]
    assert "approved" not in admin.get(f"{BASE}/{req['id']}/transitions").json["allowed"]


def test_engineer_approving_is_403_when_the_move_is_legal(app_ctx, engineer, filed, bring_to):
    req = bring_to(filed(), "awaiting_review")
    before = snapshot(engineer, req["id"])
    assert_error(move(engineer, req["id"], "approved"), 403, "forbidden")
    db.session.expire_all()
    assert snapshot(engineer, req["id"]) == before


def test_illegal_move_answers_409_before_the_role_check(api, filed):
    # an engineer may never approve; from `submitted` the move is illegal for everyone -> 409
    req = filed()
    assert_error(move(api("reviewer", "445200"), req["id"], "approved"), 409)
    assert_error(move(api("engineer", "445200"), req["id"], "approved"), 409)


def test_taskforce_changes_nothing(api, filed):
    req = filed()
    assert_error(move(api("taskforce", "445200"), req["id"], "assessing"), 403)


def test_reviewer_cannot_start_assessment(api, filed):
    assert_error(move(api("reviewer", "445200"), filed()["id"], "assessing"), 403)


def test_whole_life_to_closed(manager, api, filed, bring_to):
    req = bring_to(filed(), "released")
    engineer = api("engineer", "445200")
    assert move(engineer, req["id"], "confirmed").json["status"] == "confirmed"
    assert move(manager, req["id"], "closed").json["status"] == "closed"
    assert manager.get(f"{BASE}/{req['id']}/transitions").json["allowed"] == []


def test_verification_failed_goes_back_to_scheduled(manager, filed, bring_to):
    req = bring_to(filed(), "verification_failed")
    assert move(manager, req["id"], "scheduled").json["status"] == "scheduled"


def test_transition_updates_status_changed_at(manager, filed):
    req = filed()
    body = move(manager, req["id"], "assessing").json
    assert body["status_changed_at"] >= req["status_changed_at"]


# --- comments ----------------------------------------------------------------------------


def test_comment(engineer, filed):
    req = filed()
    response = engineer.post(f"{BASE}/{req['id']}/comments", json={"body": "已电话联系提出人"})
    assert response.status_code == 201, response.json
    assert response.json["kind"] == "comment"
    assert response.json["details"]["body"] == "已电话联系提出人"
    assert response.json["actor"] == "engineer_445200"
    listed = engineer.get(f"{BASE}/{req['id']}/comments").json
    assert [c["details"]["body"] for c in listed] == ["已电话联系提出人"]


def test_comment_list_holds_only_comments(engineer, manager, filed):
    req = filed()
    move(manager, req["id"], "assessing")
    engineer.post(f"{BASE}/{req['id']}/comments", json={"body": "一"})
    engineer.post(f"{BASE}/{req['id']}/comments", json={"body": "二"})
    listed = engineer.get(f"{BASE}/{req['id']}/comments").json
    assert [c["details"]["body"] for c in listed] == ["一", "二"]
    assert {c["kind"] for c in listed} == {"comment"}


@pytest.mark.parametrize("data,field", [({"body": ""}, "body"), ({"body": "   "}, "body"), ({}, "body"),
                                        ({"body": 5}, "body"), ({"body": "x", "extra": 1}, "extra")])
def test_bad_comment_is_422(engineer, filed, data, field):
    req = filed()
    body = assert_error(engineer.post(f"{BASE}/{req['id']}/comments", json=data), 422)
    assert field in body["errors"]
    assert [e["kind"] for e in engineer.get(f"{BASE}/{req['id']}/timeline").json] == ["created"]


def test_reviewer_may_comment_taskforce_may_not(api, filed):
    req = filed()
    assert api("reviewer", "445200").post(f"{BASE}/{req['id']}/comments", json={"body": "评审意见"}).status_code == 201
    assert_error(api("taskforce", "445200").post(f"{BASE}/{req['id']}/comments", json={"body": "x"}), 403)


def test_comment_does_not_change_version(engineer, filed):
    req = filed()
    engineer.post(f"{BASE}/{req['id']}/comments", json={"body": "备注"})
    assert engineer.get(f"{BASE}/{req['id']}").json["version"] == 1


# --- timeline ----------------------------------------------------------------------------


def test_timeline_has_every_change_oldest_first(engineer, manager, filed, make_user):
    make_user("zhao", "engineer", "445200")
    req = filed()
    rid = req["id"]
    assert engineer.patch(f"{BASE}/{rid}", json={"version": 1, "title": "新标题"}).status_code == 200
    assert move(engineer, rid, "assessing").status_code == 200
    assert manager.patch(f"{BASE}/{rid}", json={"version": 3, "assignee": "zhao"}).status_code == 200
    assert engineer.post(f"{BASE}/{rid}/comments", json={"body": "补充说明"}).status_code == 201
    upload = engineer.post(f"{BASE}/{rid}/attachments", data={"file": (io.BytesIO(b"data"), "截图.png")},
                           content_type="multipart/form-data")
    assert upload.status_code == 201
    assert move(manager, rid, "withdrawn", reason="提出人撤回").status_code == 200

    timeline = engineer.get(f"{BASE}/{rid}/timeline").json
    assert [e["kind"] for e in timeline] == [
        "created", "field_changed", "transition", "assigned", "comment", "attachment", "transition",
    ]
    for event in timeline:
        assert {"at", "kind", "actor", "summary", "details"} <= set(event)
        assert event["summary"]
        assert re.match(r"\d{4}-\d{2}-\d{2}T", event["at"])
    assert [e["at"] for e in timeline] == sorted(e["at"] for e in timeline)
    assert [e["id"] for e in timeline] == sorted(e["id"] for e in timeline)
    assert [e["actor"] for e in timeline] == [
        "engineer_445200", "engineer_445200", "engineer_445200", "manager_445200",
        "engineer_445200", "engineer_445200", "manager_445200",
    ]
    changed = timeline[1]["details"]
    assert changed == {"field": "title", "before": req["title"], "after": "新标题"}
    assert timeline[2]["details"]["from"] == "submitted" and timeline[2]["details"]["to"] == "assessing"
    assert timeline[3]["details"] == {"before": None, "after": "zhao", "before_name": None, "after_name": "zhao"}
    assert timeline[4]["details"]["body"] == "补充说明"
    assert timeline[5]["details"]["filename"] == "截图.png"
    assert timeline[5]["details"]["size"] == 4
    last = timeline[6]["details"]
    assert (last["from"], last["to"], last["reason"]) == ("assessing", "withdrawn", "提出人撤回")
    assert "提出人撤回" in timeline[6]["summary"]


def test_timeline_is_append_only_across_failed_attempts(app_ctx, manager, filed):
    req = filed()
    move(manager, req["id"], "approved")  # 409
    move(manager, req["id"], "withdrawn")  # 422, no reason
    manager.patch(f"{BASE}/{req['id']}", json={"version": 9, "title": "x"})  # 409 stale
    assert db.session.scalar(select(func.count()).select_from(Event)) == 1


# --- attachments -------------------------------------------------------------------------


def upload(client, rid: int, content: bytes = b"hello", name: str = "minutes.txt"):
    return client.post(
        f"{BASE}/{rid}/attachments",
        data={"file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )


def test_upload_and_download(engineer, filed):
    req = filed()
    response = upload(engineer, req["id"], b"\x89PNG fake image", "截图.png")
    assert response.status_code == 201, response.json
    att = response.json
    assert att["filename"] == "截图.png"
    assert att["size"] == len(b"\x89PNG fake image")
    assert att["uploaded_by"] == "engineer_445200"
    assert engineer.get(f"{BASE}/{req['id']}/attachments").json == [att]
    download = engineer.get(f"/api/v1/attachments/{att['id']}")
    assert download.status_code == 200
    assert download.data == b"\x89PNG fake image"
    assert download.headers["Content-Disposition"].startswith("attachment")


def test_attachment_is_stored_under_instance(app_ctx, app, engineer, filed):
    req = filed()
    upload(engineer, req["id"], b"abc")
    stored = db.session.scalar(select(Attachment))
    path = os.path.join(app.instance_path, "attachments", stored.stored_name)
    with open(path, "rb") as fh:
        assert fh.read() == b"abc"


def test_attachment_filename_is_stripped_of_paths(engineer, filed):
    req = filed()
    response = upload(engineer, req["id"], b"x", "../../etc/passwd")
    assert response.status_code == 201
    assert response.json["filename"] == "passwd"


def test_attachment_over_the_size_limit_is_422(app, engineer, filed):
    app.config["ATTACHMENT_MAX_BYTES"] = 10
    req = filed()
    body = assert_error(upload(engineer, req["id"], b"x" * 11), 422, "validation_error")
    assert "file" in body["errors"]
    assert engineer.get(f"{BASE}/{req['id']}/attachments").json == []
    assert [e["kind"] for e in engineer.get(f"{BASE}/{req['id']}/timeline").json] == ["created"]
    directory = os.path.join(app.instance_path, "attachments")
    assert not os.path.isdir(directory) or os.listdir(directory) == []
    assert upload(engineer, req["id"], b"x" * 10).status_code == 201


def test_empty_attachment_is_422(engineer, filed):
    body = assert_error(upload(engineer, filed()["id"], b""), 422)
    assert "file" in body["errors"]


def test_attachment_needs_the_file_field(engineer, filed):
    req = filed()
    response = engineer.post(
        f"{BASE}/{req['id']}/attachments",
        data={"upload": (io.BytesIO(b"x"), "a.txt")},
        content_type="multipart/form-data",
    )
    body = assert_error(response, 422)
    assert "file" in body["errors"]


def test_attachment_download_only_in_scope(api, engineer, filed):
    req = filed(region="445202")
    att = upload(engineer, req["id"]).json
    for role in ("engineer", "manager", "admin", "taskforce"):
        assert_error(api(role, "440100").get(f"/api/v1/attachments/{att['id']}"), 404, "not_found")
        assert_error(api(role, "445203").get(f"/api/v1/attachments/{att['id']}"), 404)
    assert api("taskforce", "445200").get(f"/api/v1/attachments/{att['id']}").status_code == 200
    assert api("reviewer", "440000").get(f"/api/v1/attachments/{att['id']}").status_code == 200
    assert api("engineer", "445202").get(f"/api/v1/attachments/{att['id']}").status_code == 200


def test_unknown_attachment_is_404(engineer):
    assert_error(engineer.get("/api/v1/attachments/999"), 404)


def test_attachment_needs_a_token(client, engineer, filed):
    att = upload(engineer, filed()["id"]).json
    assert_error(client.get(f"/api/v1/attachments/{att['id']}"), 401)


@pytest.mark.parametrize("role", ["reviewer", "taskforce"])
def test_roles_without_attach_get_403(app_ctx, api, filed, role):
    req = filed()
    assert_error(upload(api(role, "445200"), req["id"]), 403)
    assert db.session.scalar(select(func.count()).select_from(Attachment)) == 0


# --- reference data ----------------------------------------------------------------------

REFERENCE = {
    "domains": {"budget", "execution", "accounting", "business_platform", "tech_platform", "portal",
                "data_hub", "master_data"},
    "types": {"functional", "optimization", "defect", "portal_integration", "data_hub_interface", "report"},
    "channels": {"ops_platform", "phone", "yuezhengyi", "onsite", "tapd"},
    "priorities": {"urgent", "high", "medium", "low"},
}


@pytest.mark.parametrize("name", sorted(REFERENCE))
def test_reference_lists(api, name):
    response = api("taskforce", "445200").get(f"/api/v1/reference/{name}")
    assert response.status_code == 200
    assert {row["code"] for row in response.json} == REFERENCE[name]
    assert all(row["label"] for row in response.json)


def test_reference_labels_are_chinese(engineer):
    labels = {r["code"]: r["label"] for r in engineer.get("/api/v1/reference/domains").json}
    assert labels["budget"] == "预算域" and labels["master_data"] == "主数据管理"
    priorities = [r["code"] for r in engineer.get("/api/v1/reference/priorities").json]
    assert priorities == ["urgent", "high", "medium", "low"]


def test_unknown_reference_list_is_404(engineer):
    assert_error(engineer.get("/api/v1/reference/colours"), 404)


def test_regions_tree(engineer):
    regions = {r["code"]: r for r in engineer.get("/api/v1/regions").json}
    assert regions["440000"]["parent"] is None and regions["440000"]["name"] == "广东省"
    assert regions["440100"]["parent"] == "440000" and regions["440100"]["name"] == "广州市"
    assert regions["445202"]["parent"] == "445200" and regions["445202"]["name"] == "榕城区"
    assert len([r for r in regions.values() if r["level"] == "city"]) == 21
    assert any(r["level"] == "park" and r["parent"] == "445200" for r in regions.values())


NON_ADMINS = ["manager", "engineer", "reviewer", "taskforce"]


@pytest.mark.parametrize("role", NON_ADMINS)
def test_only_admin_adds_reference_codes(api, role):
    data = {"code": "ops_report", "label": "运维报表"}
    assert_error(api(role, "440000").post("/api/v1/reference/types", json=data), 403, "forbidden")
    assert "ops_report" not in {r["code"] for r in api(role, "440000").get("/api/v1/reference/types").json}


@pytest.mark.parametrize("role", NON_ADMINS)
def test_only_admin_edits_reference_codes(api, role):
    assert_error(api(role, "440000").patch("/api/v1/reference/domains/budget", json={"label": "x"}), 403)
    labels = {r["code"]: r["label"] for r in api(role, "440000").get("/api/v1/reference/domains").json}
    assert labels["budget"] == "预算域"


@pytest.mark.parametrize("role", NON_ADMINS)
def test_only_admin_manages_regions(api, role):
    client = api(role, "440000")
    assert_error(client.post("/api/v1/regions", json={"code": "445200Y09", "name": "新园区", "parent": "445200",
                                                       "level": "park"}), 403)
    assert_error(client.patch("/api/v1/regions/445200", json={"name": "x"}), 403)


def test_admin_adds_a_code_and_it_becomes_usable(api, engineer, payload):
    admin = api("admin", "440000")
    response = admin.post("/api/v1/reference/types", json={"code": "ops_report", "label": "运维报表"})
    assert response.status_code == 201, response.json
    assert response.json["code"] == "ops_report"
    assert engineer.post(BASE, json=payload(type="ops_report")).status_code == 201
    assert_error(admin.post("/api/v1/reference/types", json={"code": "ops_report", "label": "again"}), 409)


def test_admin_reference_code_validation(api):
    admin = api("admin", "440000")
    body = assert_error(admin.post("/api/v1/reference/types", json={"code": "Bad Code", "label": "x"}), 422)
    assert "code" in body["errors"]
    body = assert_error(admin.post("/api/v1/reference/types", json={"code": "ok", "label": "x", "z": 1}), 422)
    assert "z" in body["errors"]


def test_admin_relabels_and_deactivates_but_code_is_stable(api, engineer, payload):
    admin = api("admin", "440000")
    response = admin.patch("/api/v1/reference/domains/budget", json={"label": "预算管理域"})
    assert response.status_code == 200 and response.json == {**response.json, "code": "budget", "label": "预算管理域"}
    assert_error(admin.patch("/api/v1/reference/domains/budget", json={"code": "budget2"}), 422)
    assert admin.patch("/api/v1/reference/domains/budget", json={"active": False}).status_code == 200
    assert "budget" not in {r["code"] for r in engineer.get("/api/v1/reference/domains").json}
    body = assert_error(engineer.post(BASE, json=payload(domain="budget")), 422)
    assert "domain" in body["errors"]


def test_admin_manages_regions(api, payload):
    admin = api("admin", "440000")
    response = admin.post("/api/v1/regions", json={"code": "445200Y02", "name": "揭阳空港经济区",
                                                    "parent": "445200", "level": "park"})
    assert response.status_code == 201, response.json
    assert response.json["parent"] == "445200"
    assert_error(admin.post("/api/v1/regions", json={"code": "445200Y02", "name": "dup", "parent": "445200"}), 409)
    body = assert_error(admin.post("/api/v1/regions", json={"code": "445299", "name": "x", "parent": "999999"}), 422)
    assert "parent" in body["errors"]
    assert admin.patch("/api/v1/regions/445200Y02", json={"name": "揭阳空港区"}).json["name"] == "揭阳空港区"
    # a 揭阳 engineer may file in the new park (a descendant of their region)
    assert api("engineer", "445200").post(BASE, json=payload(region="445200Y02")).status_code == 201


@pytest.mark.parametrize("role", NON_ADMINS)
def test_users_endpoints_are_admin_only(app_ctx, api, role, make_user):
    target = make_user("someone", "engineer", "445200")
    client = api(role, "440000")
    assert_error(client.get("/api/v1/users"), 403, "forbidden")
    data = {"username": "new.user", "password": "Shenhe#2026", "role": "admin", "region": "440000"}
    assert_error(client.post("/api/v1/users", json=data), 403)
    assert_error(client.patch(f"/api/v1/users/{target.id}", json={"role": "admin"}), 403)
    db.session.expire_all()
    assert target.role == "engineer"


def test_admin_manages_users(api, client):
    admin = api("admin", "440000")
    data = {"username": "chen.reviewer", "password": "Shenhe#2026", "role": "reviewer", "region": "440000",
            "display_name": "陈评审"}
    response = admin.post("/api/v1/users", json=data)
    assert response.status_code == 201, response.json
    user = response.json
    assert (user["username"], user["role"], user["region"]) == ("chen.reviewer", "reviewer", "440000")
    assert "password" not in user and "password_hash" not in user
    assert "chen.reviewer" in {u["username"] for u in admin.get("/api/v1/users").json}
    token = client.post("/api/v1/auth/token", json={"username": "chen.reviewer", "password": "Shenhe#2026"})
    assert token.status_code == 201
    changed = admin.patch(f"/api/v1/users/{user['id']}", json={"role": "manager", "region": "445200"})
    assert (changed.json["role"], changed.json["region"]) == ("manager", "445200")
    assert_error(admin.post("/api/v1/users", json=data), 409)


@pytest.mark.parametrize(
    "override,field",
    [({"role": "superuser"}, "role"), ({"region": "999999"}, "region"), ({"password": "short"}, "password"),
     ({"username": "has space"}, "username"), ({"extra": 1}, "extra")],
)
def test_admin_user_validation(api, override, field):
    data = {"username": "new.user", "password": "Shenhe#2026", "role": "engineer", "region": "445200", **override}
    body = assert_error(api("admin", "440000").post("/api/v1/users", json=data), 422)
    assert field in body["errors"]


def test_admin_cannot_demote_or_deactivate_self(api):
    admin = api("admin", "440000")
    me = admin.get("/api/v1/me").json
    assert_error(admin.patch(f"/api/v1/users/{me['id']}", json={"role": "engineer"}), 409)
    assert_error(admin.patch(f"/api/v1/users/{me['id']}", json={"active": False}), 409)
    assert admin.get("/api/v1/me").json["role"] == "admin"


# --- OpenAPI -----------------------------------------------------------------------------


def test_openapi_document_lists_the_paths(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.json
    assert spec["openapi"].startswith("3.")
    paths = spec["paths"]
    for path, methods in {
        "/api/v1/auth/token": {"post", "delete"},
        "/api/v1/me": {"get"},
        "/api/v1/requirements": {"get", "post"},
        "/api/v1/requirements/{requirement_id}": {"get", "patch"},
        "/api/v1/requirements/{requirement_id}/transitions": {"post"},
        "/api/v1/requirements/{requirement_id}/comments": {"post"},
        "/api/v1/requirements/{requirement_id}/timeline": {"get"},
        "/api/v1/requirements/{requirement_id}/attachments": {"post", "get"},
        "/api/v1/attachments/{attachment_id}": {"get"},
        "/api/v1/reference/{name}": {"get", "post"},
        "/api/v1/regions": {"get", "post"},
        "/api/v1/users": {"get", "post"},
    }.items():
        assert path in paths, path
        assert methods <= set(paths[path]), path
    assert "bearer" in spec["components"]["securitySchemes"]


def test_non_json_body_is_415_and_writes_nothing(api):
    engineer = api("engineer", "445200")
    response = engineer.post(BASE, data="title=x", content_type="text/plain")
    assert response.status_code == 415
    assert response.json["code"] == "unsupported_media_type"
    assert engineer.get(BASE).json["total"] == 0
