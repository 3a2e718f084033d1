"""The permission matrix through the API: role × action × in/out of scope.

Out of scope always answers 404 (the requirement's existence is not revealed), never 403;
in scope, the role decides (403 when it may not). The expected table is written out here, so a
change to app/services/permissions.py that breaks the contract of issue 2 fails these tests.
"""
from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Requirement
from app.services import permissions, workflow

BASE = "/api/v1/requirements"
ROLES = ("admin", "manager", "engineer", "reviewer", "taskforce")

# What each role may do to a requirement in its scope.
EXPECTED_ACTIONS = {
    "admin": {"view", "edit", "comment", "transition", "attach"},
    "manager": {"view", "edit", "comment", "transition", "attach"},
    "engineer": {"view", "edit", "comment", "transition", "attach"},
    "reviewer": {"view", "comment", "transition"},
    "taskforce": {"view"},
}

# Which target statuses each role may move a requirement to (when the move is legal).
EXPECTED_TRANSITIONS = {
    "admin": set(workflow.STATUSES),
    "manager": set(workflow.STATUSES),
    "engineer": {"assessing", "withdrawn", "confirmed"},
    "reviewer": {"approved", "rejected", "needs_info", "deferred"},
    "taskforce": set(),
}
# What a user may do through the API (outside a review meeting): administrators record no
# review decisions there (会外决定 are the managers' and the provincial team's).
EXPECTED_API_MOVES = {**EXPECTED_TRANSITIONS, "admin": set(workflow.STATUSES) - workflow.REVIEW_OUTCOMES}

# For each target status, one status from which moving there is legal.
SOURCE_OF = {
    "assessing": "submitted",
    "awaiting_review": "assessing",
    "resolved_locally": "assessing",
    "approved": "awaiting_review",
    "rejected": "awaiting_review",
    "needs_info": "awaiting_review",
    "deferred": "awaiting_review",
    "scheduled": "approved",
    "in_verification": "scheduled",
    "verified": "in_verification",
    "verification_failed": "in_verification",
    "released": "verified",
    "confirmed": "released",
    "closed": "confirmed",
    "duplicate": "submitted",
    "withdrawn": "assessing",
}

# The 揭阳 (445200) viewer sees its child 榕城区 (445202) but not 广州 (440100).
IN_SCOPE_REGION = "445200"
OUT_OF_SCOPE_REGION = "440100"



def test_expected_tables_match_the_permission_module():
    actions = {"view", "edit", "comment", "transition", "attach"}
    for role in ROLES:
        assert permissions.ROLE_ACTIONS[role] & actions == EXPECTED_ACTIONS[role], role
        assert set(permissions.ROLE_TRANSITIONS[role]) == EXPECTED_TRANSITIONS[role], role
    assert set(permissions.ROLE_ACTIONS) == set(ROLES)


def test_issue_minimums_hold():
    """The issue's own words: managers/admins move anything, engineers start assessment and
    withdraw, reviewers decide review outcomes, the task force changes nothing."""
    assert EXPECTED_TRANSITIONS["manager"] == EXPECTED_TRANSITIONS["admin"] == set(workflow.STATUSES)
    assert {"assessing", "withdrawn"} <= EXPECTED_TRANSITIONS["engineer"]
    assert set(workflow.allowed_targets("awaiting_review")) - {"duplicate", "withdrawn"} <= EXPECTED_TRANSITIONS[
        "reviewer"
    ]
    assert EXPECTED_ACTIONS["taskforce"] == {"view"}
    assert {"create", "edit", "comment"} <= permissions.ROLE_ACTIONS["engineer"]


@pytest.fixture
def target(api, payload):
    """A requirement in 榕城区 (445202), filed by a 揭阳 engineer."""
    response = api("engineer", "445200").post(BASE, json=payload(region="445202"))
    assert response.status_code == 201, response.json
    return response.json


def do(client, action: str, rid: int):
    if action == "view":
        return client.get(f"{BASE}/{rid}")
    if action == "edit":
        return client.patch(f"{BASE}/{rid}", json={"version": 1, "title": "改后的标题"})
    if action == "comment":
        return client.post(f"{BASE}/{rid}/comments", json={"body": "意见"})
    if action == "transition":
        return client.post(f"{BASE}/{rid}/transitions", json={"to": "assessing"})
    if action == "attach":
        return client.post(
            f"{BASE}/{rid}/attachments",
            data={"file": (io.BytesIO(b"content"), "a.txt")},
            content_type="multipart/form-data",
        )
    raise AssertionError(action)


SUCCESS = {"view": 200, "edit": 200, "comment": 201, "transition": 200, "attach": 201}


def expected_in_scope(role: str, action: str) -> int:
    if action not in EXPECTED_ACTIONS[role]:
        return 403
    if action == "transition" and "assessing" not in EXPECTED_TRANSITIONS[role]:
        return 403
    return SUCCESS[action]


@pytest.mark.parametrize("action", list(SUCCESS))
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("scope", ["in", "out"])
def test_matrix(app_ctx, api, target, role, action, scope):
    region = IN_SCOPE_REGION if scope == "in" else OUT_OF_SCOPE_REGION
    client = api(role, region)
    response = do(client, action, target["id"])
    expected = expected_in_scope(role, action) if scope == "in" else 404
    assert response.status_code == expected, response.get_data(as_text=True)
    if expected >= 400:
        assert set(response.json) == {"code", "message", "errors"}
        assert response.json["code"] == {403: "forbidden", 404: "not_found"}[expected]
        # a refused action changes nothing
        db.session.expire_all()
        req = db.session.get(Requirement, target["id"])
        assert (req.status, req.version, req.title) == ("submitted", 1, target["title"])
    if scope == "out":
        # the 404 is the same as for a requirement that does not exist
        missing = do(client, action, 999_999)
        assert missing.status_code == 404
        assert missing.json["message"] == response.json["message"]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    "suffix", ["", "/timeline", "/comments", "/attachments", "/transitions"]
)
def test_out_of_scope_reads_are_404(api, target, role, suffix):
    assert api(role, OUT_OF_SCOPE_REGION).get(f"{BASE}/{target['id']}{suffix}").status_code == 404
    assert api(role, IN_SCOPE_REGION).get(f"{BASE}/{target['id']}{suffix}").status_code == 200


@pytest.mark.parametrize("role", ROLES)
def test_out_of_scope_is_404_even_for_actions_the_role_lacks(api, target, role):
    """Scope is checked before role: a task force member elsewhere gets 404, not 403."""
    client = api(role, OUT_OF_SCOPE_REGION)
    for action in SUCCESS:
        assert do(client, action, target["id"]).status_code == 404, action
    response = client.post(f"{BASE}/{target['id']}/transitions", json={"to": "closed"})
    assert response.status_code == 404  # not even the 409 of an illegal move


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("to", list(SOURCE_OF))
def test_transition_rights(app_ctx, api, target, role, to):
    """Every legal move, for every in-scope role: 200 iff the role may make it, else 403."""
    source = SOURCE_OF[to]
    assert to in workflow.allowed_targets(source)
    req = db.session.get(Requirement, target["id"])
    req.status = source
    db.session.commit()
    data = {"to": to, "reason": "原因"}
    if to == "duplicate":
        original = api("engineer", "445200").post(BASE, json={**_original_payload()})
        assert original.status_code == 201
        data["duplicate_of"] = original.json["code"]
    response = api(role, IN_SCOPE_REGION).post(f"{BASE}/{target['id']}/transitions", json=data)
    if to in EXPECTED_API_MOVES[role]:
        assert response.status_code == 200, response.json
        assert response.json["status"] == to
    else:
        assert response.status_code == 403, response.json
        db.session.expire_all()
        assert db.session.get(Requirement, target["id"]).status == source


def _original_payload() -> dict:
    return {
        "title": "原需求", "domain": "execution", "type": "defect", "priority": "high",
        "channel": "phone", "region": "445200", "proposer_name": "李",
    }


@pytest.mark.parametrize("role", ROLES)
def test_transitions_offered_match_the_matrix(api, target, role):
    """GET .../transitions offers exactly the legal moves this role may make."""
    allowed = api(role, IN_SCOPE_REGION).get(f"{BASE}/{target['id']}/transitions").json["allowed"]
    legal = set(workflow.allowed_targets("submitted"))
    assert set(allowed) == legal & EXPECTED_API_MOVES[role]


# --- region scope ------------------------------------------------------------------------


@pytest.fixture
def spread(api, payload):
    """One requirement in each of 揭阳市, 榕城区, 揭阳产业园, 广州市 and 天河区 (filed by province staff)."""
    filer = api("engineer", "440000")
    made = {}
    for region in ("445200", "445202", "445200Y01", "440100", "440106"):
        response = filer.post(BASE, json=payload(region=region, title=f"需求-{region}"))
        assert response.status_code == 201, response.json
        made[region] = response.json
    return made


@pytest.mark.parametrize(
    "user_region,visible",
    [
        ("440000", {"445200", "445202", "445200Y01", "440100", "440106"}),
        ("445200", {"445200", "445202", "445200Y01"}),
        ("445202", {"445202"}),
        ("440100", {"440100", "440106"}),
        ("440106", {"440106"}),
        ("445203", set()),
        ("441300", set()),
    ],
)
@pytest.mark.parametrize("role", ["taskforce", "engineer"])
def test_region_scope(api, spread, role, user_region, visible):
    client = api(role, user_region)
    listed = client.get(f"{BASE}?per_page=200").json
    assert {item["region"] for item in listed["items"]} == visible
    assert listed["total"] == len(visible)
    for region, req in spread.items():
        expected = 200 if region in visible else 404
        assert client.get(f"{BASE}/{req['id']}").status_code == expected, region


@pytest.mark.parametrize(
    "query",
    ["region=440100", "region=440000", "q=需求-440100", "status=submitted", "domain=execution",
     "assignee=none", "sort=-code", "per_page=1&page=4", "region=440106"],
)
def test_list_never_includes_out_of_scope_items(api, spread, query):
    client = api("manager", "445200")
    response = client.get(f"{BASE}?{query}")
    assert response.status_code == 200, response.json
    assert all(item["region"] in {"445200", "445202", "445200Y01"} for item in response.json["items"])
    assert response.json["total"] <= 3


def test_list_by_code_outside_scope_is_empty(api, spread):
    code = spread["440100"]["code"]
    body = api("manager", "445200").get(f"{BASE}?q={code}").json
    assert body == {**body, "items": [], "total": 0}


def test_province_user_sees_everything(api, spread):
    body = api("reviewer", "440000").get(f"{BASE}?per_page=200").json
    assert body["total"] == 5


def test_child_region_user_acts_within_own_subtree_only(api, spread):
    """A 榕城区 engineer may act on 榕城区 items but not on the parent city's own items."""
    client = api("engineer", "445202")
    assert do(client, "comment", spread["445202"]["id"]).status_code == 201
    assert do(client, "comment", spread["445200"]["id"]).status_code == 404


def test_moving_a_requirement_out_of_a_users_region_hides_it(api, spread):
    province = api("manager", "440000")
    rid = spread["445202"]["id"]
    response = province.patch(f"{BASE}/{rid}", json={"version": 1, "region": "440106"})
    assert response.status_code == 200, response.json
    assert api("engineer", "445200").get(f"{BASE}/{rid}").status_code == 404
    assert api("engineer", "440100").get(f"{BASE}/{rid}").status_code == 200


def test_region_codes_that_share_a_prefix_are_not_confused(app_ctx, api, payload):
    """445200Y01 starts with 445200 but 4452 (if it existed) must not see 445200; paths end in '/'."""
    from app.services import reference

    reference.upsert_region("4452", "虚构区", "440000", "city")
    db.session.commit()
    filer = api("engineer", "440000")
    rid = filer.post(BASE, json=payload(region="445200")).json["id"]
    assert api("engineer", "4452").get(f"{BASE}/{rid}").status_code == 404
    assert api("engineer", "4452").get(BASE).json["total"] == 0
    assert db.session.scalar(select(Requirement.id).where(Requirement.id == rid)) == rid
