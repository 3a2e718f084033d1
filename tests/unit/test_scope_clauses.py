"""The SQL forms of the scope rules select exactly what the Python predicates allow."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Region, Release, Run
from app.services import permissions

# these tests call the services and `db` directly, in one app context held for the test
pytestmark = pytest.mark.usefixtures("app_ctx")

USER_REGIONS = ["440000", "445200", "445202", "445200Y01", "440100"]


@pytest.fixture
def runs(app, make_user):
    owner = make_user("owner", "manager", "440000")
    release = Release(version="V2026.11", created_by_id=owner.id)
    db.session.add(release)
    db.session.flush()
    regions = list(db.session.scalars(select(Region)))
    rows = [Run(release_id=release.id, environment="acceptance", region_id=None, created_by_id=owner.id)]
    rows += [Run(release_id=release.id, environment="acceptance", region_id=r.id, created_by_id=owner.id)
             for r in regions]
    db.session.add_all(rows)
    db.session.commit()
    return rows


@pytest.mark.parametrize("region", USER_REGIONS)
def test_region_clause_matches_region_in_scope(app, make_user, region):
    user = make_user(f"u{region}", "engineer", region)
    regions = list(db.session.scalars(select(Region)))
    expected = {r.code for r in regions if permissions.region_in_scope(user, r)}
    selected = set(db.session.scalars(select(Region.code).where(permissions.region_clause(user, Region.id))))
    assert selected == expected and expected


@pytest.mark.parametrize("region", USER_REGIONS)
def test_run_clause_matches_run_in_scope(runs, make_user, region):
    user = make_user(f"r{region}", "engineer", region)
    expected = {run.id for run in runs if permissions.run_in_scope(user, run)}
    selected = set(db.session.scalars(select(Run.id).where(permissions.run_clause(user))))
    assert selected == expected
    if region != "440000":
        assert len(expected) < len(runs)  # a regional user does not see every run
