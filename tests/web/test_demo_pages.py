"""The demo data of `flask seed-demo` (issue 9 and 10 included) renders on every page it feeds,
as the role that reads it: announcements, the rollout board, the versions page, the history
matrix, the proposers' opinions, the admin's audit, mail and freeze periods; and the demo loader
is idempotent."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Release, ReleaseRolloutTarget, Requirement, Run, RunScenario, UserOpinion
from app.seed import demo, demo_meetings, demo_upgrade, demo_verification


@pytest.fixture
def demo_site(seed_once):
    """The demo data (built once per worker, copied): the ids worth opening."""

    def load():
        demo.load()
        demo_meetings.load()
        assert demo_upgrade.load() == {"releases": 2}
        demo_verification.load()
        ids = {v: db.session.scalar(select(Release.id).where(Release.version == v))
               for v in ("V2026.09", "V2026.10")}
        ids["opinion_req"] = db.session.scalar(select(UserOpinion.requirement_id))
        ids["awaiting"] = db.session.scalar(
            select(Requirement.id).where(Requirement.status == "released").order_by(Requirement.id.desc()))
        return ids

    return seed_once("demo-site-upgrade", load)


@pytest.fixture
def signed_in(app, demo_site):
    def sign_in(username: str):
        client = app.test_client()
        response = client.post("/login", data={"username": username, "password": demo.DEMO_PASSWORD})
        assert response.status_code == 302, username
        return client

    return sign_in


def page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return response.get_data(as_text=True)


def test_demo_upgrade_states(app, demo_site):
    with app.app_context():
        completed = db.session.get(Release, demo_site["V2026.09"])
        rolling = db.session.get(Release, demo_site["V2026.10"])
        assert completed.status == "completed" and rolling.status == "rolling_out"
        statuses = dict(db.session.execute(select(ReleaseRolloutTarget.region_code, ReleaseRolloutTarget.status)
                                           .where(ReleaseRolloutTarget.release_id == rolling.id)).all())
        assert statuses["445200"] == "in_progress" and statuses["440300"] == "failed"
        assert statuses["445202"] == "done" and statuses["445281"] == "pending"
        assert demo_upgrade.load() == {"releases": 0}  # idempotent
        # the upgrade demo's own scenarios stay out of V2026.11's acceptance run (10 scenarios)
        run = db.session.scalar(select(Run).join(Release, Release.id == Run.release_id)
                                .where(Release.version == "V2026.11"))
        assert db.session.scalar(select(func.count(RunScenario.id)).where(RunScenario.run_id == run.id)) == 10


def test_announcements_and_rollout_board(signed_in, demo_site):
    engineer = signed_in("engineer")
    html = page(engineer, "/announcements")
    assert "V2026.10" in html and "V2026.09" in html
    board = page(signed_in("manager_gd"), f"/releases/{demo_site['V2026.10']}/rollout")
    assert "深圳市" in board and "升级失败" in board and "榕城区" in board
    assert 'data-status="in_progress"' in board and "已逾期" in board
    assert "重新升级" in board  # a failed region is upgraded again, not "started"
    done = page(signed_in("taskforce"), f"/releases/{demo_site['V2026.09']}/rollout")
    assert "已升级" in done and "汕头市" not in done  # the task force of 揭阳 sees its own region
    app_page = page(signed_in("manager"), f"/releases/{demo_site['V2026.09']}/upgrade-application")
    assert "回退方案" in app_page and demo_upgrade.PLAN["rollback"] in app_page


def test_versions_matrix_and_compare(signed_in, demo_site):
    manager = signed_in("manager_gd")
    versions = page(manager, "/regions/versions")
    assert "V2026.09" in versions and "汕头市" in versions
    matrix = page(manager, "/scenarios/matrix")
    assert matrix.index("V2026.09") < matrix.index("V2026.10") < matrix.index("V2026.11")  # oldest first
    page(manager, f"/releases/compare?a={demo_site['V2026.09']}&b={demo_site['V2026.10']}")


def test_proposer_loop_pages(signed_in, demo_site):
    manager = signed_in("manager")
    opinions = page(manager, "/opinions")
    assert "批量修正" in opinions
    detail = page(manager, f"/requirements/{demo_site['opinion_req']}")
    assert "批量修正" in detail
    awaiting = page(manager, f"/requirements/{demo_site['awaiting']}")
    assert "反馈与确认" in awaiting


def test_admin_pages(signed_in, demo_site):
    admin = signed_in("admin")
    assert "审计" in page(admin, "/admin/audit")
    page(admin, "/admin/mail")
    assert "封网期" in page(admin, "/admin/freeze-periods")
