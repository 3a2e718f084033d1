"""The acceptance gate and the verdicts, computed by app.services.releases.gate.assess (with the
services that feed it): every blocker kind, waivers, latest attempts, taken-out requirements,
and a fixed number of queries whatever the number of scenarios."""
from __future__ import annotations

import pytest
from sqlalchemy import event

from app.extensions import db
from app.services import releases, scenarios, verification
from app.services.releases.gate import assess
from tests.release_kit import feature_text


@pytest.fixture
def world(app_ctx, make_user, api, filed):
    client = api("manager", "445200")
    manager = make_user("gate_manager", "manager", "445200")
    from tests.release_kit import approve

    first = approve(client, filed(title="直接支出更正")["id"])
    second = approve(client, filed(title="跨年退款")["id"])
    scenarios.import_feature(manager, "gate.feature", feature_text(
        [("甲", [f"@{first['code']}", "@功能验证"]), ("乙", [f"@{second['code']}", "@系统控制验证"]), ("丙", [])]))
    release = verification.create_release(manager, {"version": "V1"})
    releases.add_requirements(manager, release, [first["id"], second["id"]])
    return {"manager": manager, "release": release, "first": first["id"], "second": second["id"]}


def run_with(world, **statuses):
    run = verification.create_run(world["manager"], world["release"], {"environment": "acceptance", "tags": "@执行域"})
    ids = {r.scenario.name: r.scenario.scenario_id for r in verification.result_rows(run)}
    verification.record_many(world["manager"], run, [{"scenario_id": ids[n], "status": s} for n, s in statuses.items()])
    return run, ids


def kinds(assessment) -> list[str]:
    return sorted(b.kind for b in assessment.blockers)


def test_no_run_blocks(world):
    assert kinds(assess(world["release"])) == ["no_acceptance_run"]


def test_each_scenario_blocker_kind(world):
    run_with(world, 甲="failed", 乙="blocked")
    assessment = assess(world["release"])
    assert kinds(assessment) == ["blocked", "failed", "untested"]
    assert {v.requirement.id: v.verdict for v in assessment.verdicts} == {world["first"]: "failed",
                                                                          world["second"]: "untested"}
    assert assessment.kinds()["function"]["failed"] == 1 and assessment.kinds()["system_control"]["blocked"] == 1


def test_waivers_and_latest_run_decide(world):
    run_with(world, 甲="failed", 乙="passed", 丙="passed")
    _run, ids = run_with(world, 甲="passed", 乙="passed", 丙="failed")  # a later run: its attempts count
    assessment = assess(world["release"])
    assert [b.scenario_id for b in assessment.blockers] == [ids["丙"]]
    releases.add_waiver(world["manager"], world["release"], ids["丙"], "下期修复")
    assessment = assess(world["release"])
    assert assessment.passed and assessment.totals()["waived"] == 1
    assert all(v.verdict == "passed" for v in assessment.verdicts)


def test_queries_do_not_grow_with_scenarios(world, make_user):
    run_with(world, 甲="passed", 乙="passed", 丙="passed")
    count = []

    def counter(*_args):
        count.append(1)

    event.listen(db.engine, "before_cursor_execute", counter)
    try:
        assess(world["release"])
        small = len(count)
        scenarios.import_feature(world["manager"], "more.feature", feature_text([(f"场景{i}", []) for i in range(30)]))
        run_with(world)
        count.clear()
        assess(world["release"])
        assert len(count) == small
    finally:
        event.remove(db.engine, "before_cursor_execute", counter)


def test_signoff_order_and_refusal(world, make_user):
    _run, _ids = run_with(world, 甲="passed", 乙="passed", 丙="passed")
    release, manager = world["release"], world["manager"]
    reviewer = make_user("gate_reviewer", "reviewer", "440000")
    assert releases.next_signer_role(release) == "manager" and not releases.may_sign_now(reviewer, release)
    releases.sign(manager, release, "approve")
    assert releases.next_signer_role(release) == "reviewer" and releases.may_sign_now(reviewer, release)
    releases.sign(reviewer, release, "refuse", "范围不足")
    assert release.status == "rejected"
    releases.transition(manager, release, "in_acceptance", build="b2")
    assert release.signoff_round == 2 and releases.next_signer_role(release) == "manager"
