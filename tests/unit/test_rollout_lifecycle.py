"""The release's own moves against its rollout targets (issue 9): when a manual `rolling_out` or
`completed` is refused, and what a rollback does to the targets."""
from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest

from app.extensions import db
from app.models import Release, ReleaseEvent, ReleaseRolloutTarget, ReleaseWindow
from app.services import releases
from app.services.errors import Conflict
from app.services.releases import rollout
from app.utils import utcnow


@pytest.fixture
def setup(app_ctx, make_user):
    manager = make_user("mgr", "manager", "440000")
    release = Release(version="V2026.12", created_by_id=manager.id, status="scheduled")
    db.session.add(release)
    db.session.flush()
    now = utcnow()
    db.session.add(ReleaseWindow(release_id=release.id, starts_at=now + timedelta(hours=1),
                                 ends_at=now + timedelta(hours=9)))
    rollout.create_targets(release)
    for t in db.session.scalars(db.select(ReleaseRolloutTarget)).all():
        if t.region_code not in ("445200", "441300", "440100"):
            db.session.delete(t)
    db.session.commit()
    return SimpleNamespace(manager=manager, release=release)


def _target(release, code):
    return db.session.scalar(db.select(ReleaseRolloutTarget).where(ReleaseRolloutTarget.release_id == release.id,
                                                                   ReleaseRolloutTarget.region_code == code))


def test_other_moves_are_never_blocked(setup):
    for to in ("scheduled", "rolled_back", "accepted", "upgrade_requested"):
        assert rollout.manual_move_blocker(setup.release, to) is None


def test_without_targets_the_manual_moves_are_free(setup):
    db.session.execute(db.delete(ReleaseRolloutTarget))
    db.session.commit()
    assert rollout.manual_move_blocker(setup.release, "rolling_out") is None
    assert rollout.manual_move_blocker(setup.release, "completed") is None
    releases.transition(setup.manager, setup.release, "rolling_out")
    releases.transition(setup.manager, setup.release, "completed")
    assert setup.release.status == "completed"


def test_rolling_out_by_hand_refused_until_a_target_started(setup):
    with pytest.raises(Conflict) as error:
        releases.transition(setup.manager, setup.release, "rolling_out")
    assert "rolling_out" in str(error.value.message) and list(error.value.errors) == ["to"]
    assert setup.release.status == "scheduled"
    assert db.session.scalar(db.select(db.func.count(ReleaseEvent.id))) == 0  # nothing written


def test_completed_refused_naming_each_target_not_done(setup):
    release = setup.release
    jieyang = _target(release, "445200")
    rollout.move(setup.manager, release, jieyang.id, "in_progress")
    rollout.move(setup.manager, release, jieyang.id, "done")
    rollout.move(setup.manager, release, _target(release, "441300").id, "in_progress")
    blocker = rollout.manual_move_blocker(release, "completed")
    assert blocker is not None and blocker.status == 409
    assert "广州市" in str(blocker.message) and "惠州市" in str(blocker.message) and "揭阳市" not in str(blocker.message)
    assert [e.params["code"] for e in blocker.errors["targets"]] == ["440100", "441300"]
    with pytest.raises(Conflict):
        releases.transition(setup.manager, release, "completed")
    assert release.status == "rolling_out"


def test_rollback_takes_back_every_started_target(setup):
    release = setup.release
    jieyang, huizhou, guangzhou = (_target(release, c) for c in ("445200", "441300", "440100"))
    rollout.move(setup.manager, release, jieyang.id, "in_progress")
    rollout.move(setup.manager, release, jieyang.id, "done")
    rollout.move(setup.manager, release, huizhou.id, "in_progress")
    releases.transition(setup.manager, release, "rolled_back", reason="支付失败，全省回退")
    assert (jieyang.status, huizhou.status, guangzhou.status) == ("rolled_back", "rolled_back", "pending")
    assert huizhou.finished_by_id == setup.manager.id and guangzhou.finished_at is None
    moved = [e.data for e in db.session.scalars(db.select(ReleaseEvent).where(ReleaseEvent.kind == "rollout_moved")
                                                .order_by(ReleaseEvent.id))][-2:]
    assert [(d["region"], d["from"], d["to"], d["notes"]) for d in moved] == [
        ("441300", "in_progress", "rolled_back", "支付失败，全省回退"),
        ("445200", "done", "rolled_back", "支付失败，全省回退")]
