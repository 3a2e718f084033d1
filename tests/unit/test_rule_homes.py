"""The shared rules each have one home: region scope, loading a record for a user, the unit of
work, paging. These tests pin the behaviour every use case now gets from them."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Region, Release, Requirement
from app.services import paging, permissions
from app.services.errors import Forbidden, Msg, NotFound, StaleVersion, ValidationFailed
from app.services.uow import unit_of_work

pytestmark = pytest.mark.usefixtures("app_ctx")

# these tests call the services and `db` directly, in one app context held for the test
pytestmark = pytest.mark.usefixtures("app_ctx")


def _region(code: str) -> Region:
    return db.session.scalar(select(Region).where(Region.code == code))


def test_region_to_act_in_refuses_unknown_outside_and_deactivated(app, make_user):
    user = make_user("city", "engineer", "445200")
    assert permissions.region_to_act_in(user, "445202").code == "445202"
    for code, reason in (("999999", "Unknown"), ("440100", "outside"), ("440000", "outside")):
        with pytest.raises(ValidationFailed) as error:
            permissions.region_to_act_in(user, code, field="region")
        assert reason in error.value.message and "region" in error.value.errors
    county = _region("445202")
    county.active = False
    db.session.commit()
    with pytest.raises(ValidationFailed, match="deactivated"):
        permissions.region_to_act_in(user, "445202")


def test_runs_and_requirements_share_the_region_rule(app, api, payload):
    """Before, a run could be started for a deactivated region while a requirement could not."""
    manager = api("manager", "445200")
    release = manager.post("/api/v1/releases", json={"version": "V2026.12"})
    assert release.status_code == 201
    county = _region("445202")
    county.active = False
    db.session.commit()
    run = manager.post(f"/api/v1/releases/{release.json['id']}/runs",
                       json={"environment": "acceptance", "region": "445202"})
    req = api("engineer", "445200").post("/api/v1/requirements", json=payload(region="445202"))
    assert run.status_code == req.status_code == 422
    assert "region" in run.json["errors"] and "region" in req.json["errors"]


def test_fetch_answers_404_for_missing_out_of_range_and_out_of_scope(app, make_user, filed):
    item = filed()
    outsider = make_user("gz", "manager", "440100")
    owner = make_user("jy", "taskforce", "445200")
    message = Msg("Requirement not found.")
    for ident in (0, -1, 10**6, 2**31, 2**63, 2**80, "1"):
        with pytest.raises(NotFound):
            permissions.fetch(owner, Requirement, ident, not_found=message)
    with pytest.raises(NotFound):
        permissions.fetch(outsider, Requirement, item["id"], not_found=message)
    assert permissions.fetch(owner, Requirement, item["id"], not_found=message).code == item["code"]
    with pytest.raises(Forbidden):  # in scope, but the task force may not edit
        permissions.fetch(owner, Requirement, item["id"], action="edit", not_found=message)
    assert permissions.fetch(None, Requirement, item["id"], not_found=message).id == item["id"]  # CLI


def test_unit_of_work_commits_all_or_nothing(app, make_user):
    owner = make_user("owner", "manager", "440000")
    with pytest.raises(RuntimeError):
        with unit_of_work():
            db.session.add(Release(version="V-1", created_by_id=owner.id))
            db.session.flush()
            raise RuntimeError("boom")
    assert db.session.scalar(select(Release).where(Release.version == "V-1")) is None
    with unit_of_work():
        db.session.add(Release(version="V-2", created_by_id=owner.id))
    db.session.expire_all()
    assert db.session.scalar(select(Release.version).where(Release.version == "V-2")) == "V-2"


def test_unit_of_work_turns_a_lost_update_into_stale_version(app, filed):
    item = filed()
    req = db.session.get(Requirement, item["id"])
    # someone else bumps the version meanwhile
    db.session.execute(db.update(Requirement).where(Requirement.id == req.id).values(version=req.version + 1)
                       .execution_options(synchronize_session=False))
    with pytest.raises(StaleVersion, match="reload"):
        with unit_of_work(Msg("%(code)s was changed by someone else meanwhile; reload.", code=req.code)):
            req.title = "changed"
            db.session.flush()


def test_paging_counts_and_every_is_uncut(app, filed):
    for n in range(7):
        filed(title=f"需求{n}")
    stmt = select(Requirement).order_by(Requirement.id)
    page = paging.paginate(stmt, 2, 3)
    assert (page.total, page.pages, len(page.items), page.has_prev, page.has_next) == (7, 3, 3, True, True)
    assert [r.title for r in page.items] == ["需求3", "需求4", "需求5"]
    assert len(paging.every(stmt)) == 7


def test_every_api_timestamp_has_one_format(app, api, filed):
    """Requirements, meetings and verification answer timestamps the same way: ISO with +00:00."""
    item = filed()
    manager = api("manager", "445200")
    meeting = manager.post("/api/v1/meetings", json={"title": "评审会", "scheduled_at": "2026-12-10T09:00:00+08:00"})
    release = manager.post("/api/v1/releases", json={"version": "V2026.12"})
    stamps = [item["created_at"], meeting.json["created_at"], meeting.json["scheduled_at"], release.json["created_at"]]
    assert meeting.json["scheduled_at"] == "2026-12-10T01:00:00+00:00"
    assert all(s.endswith("+00:00") and "T" in s for s in stamps), stamps
