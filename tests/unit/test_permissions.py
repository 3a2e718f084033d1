"""Unit tests of app.services.permissions: can / require / transitions_for / in_scope.

Users and requirements here are transient model objects (no database): scope depends only on
the region paths, role rights only on the role.
"""
from __future__ import annotations

import pytest

from app.models import Region, Requirement, User
from app.services import permissions, workflow
from app.services.errors import Forbidden, NotFound

ROLES = ("admin", "manager", "engineer", "reviewer", "taskforce")

PROVINCE = Region(code="440000", name="广东省", level="province", path="/440000/")
GUANGZHOU = Region(code="440100", name="广州市", level="city", path="/440000/440100/")
JIEYANG = Region(code="445200", name="揭阳市", level="city", path="/440000/445200/")
RONGCHENG = Region(code="445202", name="榕城区", level="county", path="/440000/445200/445202/")
PARK = Region(code="445200Y01", name="揭阳产业转移工业园", level="park", path="/440000/445200/445200Y01/")
# a code that is a string prefix of 445200 (not an ancestor)
FAKE = Region(code="4452", name="虚构", level="city", path="/440000/4452/")

EXPECTED_ACTIONS = {
    "admin": set(permissions.ACTIONS) - {"decide_outside_meeting", "waive"},
    "manager": {"view", "create", "edit", "assess", "comment", "attach", "transition", "manage_meetings", "decide",
                "manage_scenarios", "manage_releases", "record_results", "decide_outside_meeting", "waive"},
    "engineer": {"view", "create", "edit", "comment", "attach", "transition", "manage_scenarios", "record_results"},
    "reviewer": {"view", "comment", "transition", "decide", "decide_outside_meeting", "waive"},
    "taskforce": {"view"},
}
EXPECTED_TRANSITIONS = {
    "admin": set(workflow.STATUSES),
    "manager": set(workflow.STATUSES),
    "engineer": {"assessing", "withdrawn", "confirmed"},
    "reviewer": {"approved", "rejected", "needs_info", "deferred"},
    "taskforce": set(),
}


def user(role: str, region: Region = JIEYANG) -> User:
    return User(username=f"{role}-{region.code}", role=role, region=region, active=True)


def requirement(region: Region = RONGCHENG, status: str = "submitted") -> Requirement:
    return Requirement(code="REQ-2026-0001", title="t", region=region, status=status)


# --- the tables --------------------------------------------------------------------------


def test_actions_are_the_documented_ones():
    assert set(permissions.ACTIONS) == {
        "view", "create", "edit", "assess", "comment", "attach", "transition", "manage_users",
        "manage_reference", "manage_meetings", "decide", "manage_scenarios", "manage_releases", "record_results",
        "decide_outside_meeting", "waive", "view_audit",
    }


@pytest.mark.parametrize("role", ROLES)
def test_role_actions_table(role):
    assert set(permissions.ROLE_ACTIONS[role]) == EXPECTED_ACTIONS[role]


@pytest.mark.parametrize("role", ROLES)
def test_role_transitions_table(role):
    assert set(permissions.ROLE_TRANSITIONS[role]) == EXPECTED_TRANSITIONS[role]
    assert set(permissions.ROLE_TRANSITIONS[role]) <= set(workflow.STATUSES)


def test_only_admin_manages_users_and_reference_data():
    for role in ROLES:
        for action in ("manage_users", "manage_reference", "view_audit"):
            assert permissions.can(user(role), action) is (role == "admin"), (role, action)


def test_taskforce_is_read_only():
    tf = user("taskforce")
    req = requirement()
    assert permissions.can(tf, "view", req)
    for action in set(permissions.ACTIONS) - {"view"}:
        assert not permissions.can(tf, action, req), action
    for to in workflow.STATUSES:
        assert not permissions.can(tf, "transition", req, to=to)


# --- can ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", permissions.ACTIONS)
def test_can_in_scope_follows_the_role(role, action):
    assert permissions.can(user(role), action, requirement()) is (action in EXPECTED_ACTIONS[role])
    assert permissions.can(user(role), action) is (action in EXPECTED_ACTIONS[role])


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", permissions.ACTIONS)
def test_can_out_of_scope_is_always_false(role, action):
    assert permissions.can(user(role, GUANGZHOU), action, requirement(RONGCHENG)) is False


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("to", workflow.STATUSES)
def test_can_transition_to(role, to):
    expected = to in EXPECTED_TRANSITIONS[role]
    assert permissions.can(user(role), "transition", requirement(), to=to) is expected
    assert permissions.can(user(role), "transition", to=to) is expected
    assert permissions.can(user(role, GUANGZHOU), "transition", requirement(), to=to) is False


def test_unknown_role_may_do_nothing():
    nobody = user("intern")
    for action in permissions.ACTIONS:
        assert not permissions.can(nobody, action, requirement())
    with pytest.raises(Forbidden):
        permissions.require(nobody, "view", requirement())


def test_unknown_action_is_refused():
    assert not permissions.can(user("admin"), "delete_everything", requirement())
    with pytest.raises(Forbidden):
        permissions.require(user("admin"), "delete_everything")


# --- scope -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "user_region,req_region,expected",
    [
        (PROVINCE, GUANGZHOU, True),
        (PROVINCE, RONGCHENG, True),
        (PROVINCE, PROVINCE, True),
        (JIEYANG, JIEYANG, True),
        (JIEYANG, RONGCHENG, True),
        (JIEYANG, PARK, True),
        (JIEYANG, GUANGZHOU, False),
        (JIEYANG, PROVINCE, False),
        (RONGCHENG, JIEYANG, False),
        (RONGCHENG, RONGCHENG, True),
        (GUANGZHOU, RONGCHENG, False),
        (FAKE, JIEYANG, False),
        (FAKE, RONGCHENG, False),
    ],
)
def test_in_scope(user_region, req_region, expected):
    assert permissions.in_scope(user("taskforce", user_region), requirement(req_region)) is expected


# --- require -----------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", permissions.ACTIONS)
def test_require_out_of_scope_raises_not_found_never_forbidden(role, action):
    with pytest.raises(NotFound) as info:
        permissions.require(user(role, GUANGZHOU), action, requirement(RONGCHENG))
    assert not isinstance(info.value, Forbidden)
    assert info.value.status == 404


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", permissions.ACTIONS)
def test_require_in_scope(role, action):
    if action in EXPECTED_ACTIONS[role]:
        assert permissions.require(user(role), action, requirement()) is None
    else:
        with pytest.raises(Forbidden) as info:
            permissions.require(user(role), action, requirement())
        assert info.value.status == 403
        assert role in info.value.message


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("to", workflow.STATUSES)
def test_require_transition_to(role, to):
    if to in EXPECTED_TRANSITIONS[role]:
        permissions.require(user(role), "transition", requirement(), to=to)
    else:
        with pytest.raises(Forbidden) as info:
            permissions.require(user(role), "transition", requirement(), to=to)
        assert to in info.value.message
    with pytest.raises(NotFound):
        permissions.require(user(role, GUANGZHOU), "transition", requirement(), to=to)


def test_require_without_requirement_checks_role_only():
    permissions.require(user("engineer", RONGCHENG), "create")
    with pytest.raises(Forbidden):
        permissions.require(user("reviewer"), "create")
    with pytest.raises(Forbidden):
        permissions.require(user("engineer"), "assess")


# --- transitions_for ---------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("status", workflow.STATUSES)
def test_transitions_for_is_legal_and_permitted(role, status):
    offered = permissions.transitions_for(user(role), requirement(status=status))
    outside_meeting = set(workflow.STATUSES) - (workflow.REVIEW_OUTCOMES if role == "admin" else set())
    assert offered == [t for t in workflow.allowed_targets(status)
                       if t in EXPECTED_TRANSITIONS[role] and t in outside_meeting]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("status", workflow.STATUSES)
def test_transitions_for_out_of_scope_is_empty(role, status):
    assert permissions.transitions_for(user(role, GUANGZHOU), requirement(status=status)) == []


def test_transitions_for_examples():
    req = requirement(status="submitted")
    assert permissions.transitions_for(user("manager"), req) == ["assessing", "duplicate", "withdrawn"]
    assert permissions.transitions_for(user("engineer"), req) == ["assessing", "withdrawn"]
    assert permissions.transitions_for(user("reviewer"), req) == []
    review = requirement(status="awaiting_review")
    assert permissions.transitions_for(user("reviewer"), review) == ["approved", "rejected", "needs_info", "deferred"]
    assert permissions.transitions_for(user("engineer"), review) == ["withdrawn"]
    assert permissions.transitions_for(user("taskforce"), review) == []
    assert permissions.transitions_for(user("admin"), requirement(status="closed")) == []
    # review decisions outside a meeting: managers and the provincial team, not administrators
    assert permissions.transitions_for(user("manager"), review) == [
        "approved", "rejected", "needs_info", "deferred", "duplicate", "withdrawn"]
    assert permissions.transitions_for(user("admin"), review) == ["duplicate", "withdrawn"]
    assert permissions.transitions_for(user("engineer"), requirement(status="released")) == ["confirmed"]
