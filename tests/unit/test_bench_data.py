"""`flask --app wsgi bench-data`: a realistic data set built in bulk (small numbers here)."""
from __future__ import annotations

import re

from sqlalchemy import func, select

from app.extensions import db
from app.models import Event, Proposer, Release, Requirement, Run, RunResult, RunScenario
from app.seed import bench


def test_bench_data_builds_requirements_scenarios_releases_runs_and_results(app, api):
    result = app.test_cli_runner().invoke(args=["bench-data", "--requirements", "300", "--scenarios", "250",
                                                "--releases", "3"])
    assert result.exit_code == 0, result.output
    assert "Built 300 requirements, 250 scenarios, 3 releases" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Requirement)) == 300
        titles = db.session.scalars(select(Requirement.title).limit(20)).all()
        assert all(re.search(r"[\u4e00-\u9fff]{4,}", t) for t in titles)  # Chinese, from the vocabulary
        proposers = db.session.scalar(select(func.count()).select_from(Proposer))
        several = db.session.scalar(select(func.count()).select_from(
            select(Proposer.requirement_id).group_by(Proposer.requirement_id).having(func.count() > 1).subquery()))
        assert proposers > 300 and several > 0  # some needs raised by several units
        assert db.session.scalar(select(func.count()).select_from(Event).where(Event.kind == "created")) == 300
        assert db.session.scalar(select(func.count()).select_from(Release)) == 3
        runs = db.session.scalars(select(Run).order_by(Run.id)).all()
        assert [r.scenario_count for r in runs] == [250, 250, 250]
        steps = db.session.scalars(select(RunScenario.steps).where(RunScenario.run_id == runs[-1].id)).all()
        assert {len(s) for s in steps} == {bench.STEPS}
        recorded = db.session.scalar(select(func.count()).select_from(RunResult).where(RunResult.recorded_at.is_not(None)))
        assert recorded == 250 + 250 + 125  # the last release's run half done
        expected = db.session.scalar(select(func.count()).select_from(Requirement)
                                     .where(Requirement.title.contains("退款")))
    # the search index was rebuilt: a two-character word of the vocabulary finds its requirements
    found = api("manager", "440000").get("/api/v1/requirements", query_string={"q": "退款", "per_page": 1})
    assert found.status_code == 200 and expected and found.json["total"] >= expected
