"""The rollout state machine, the release's automatic moves and overdue targets (issue 9)."""
from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest

from app.extensions import db
from app.models import Release, ReleaseEvent, ReleaseRolloutTarget, ReleaseWindow
from app.services.errors import Conflict, IllegalTransition, NotFound, ValidationFailed
from app.services.releases import rollout, rollout_states
from app.utils import utcnow

LEGAL = {
    ("pending", "in_progress"),
    ("in_progress", "done"),
    ("in_progress", "failed"),
    ("failed", "in_progress"),
    ("failed", "rolled_back"),
}


def test_transition_table_is_exactly_the_documented_one():
    assert {(s, t) for s, targets in rollout_states.TRANSITIONS.items() for t in targets} == LEGAL
    assert set(rollout_states.STATUSES) == {s for pair in LEGAL for s in pair}
    assert rollout_states.FINAL == {"done", "rolled_back"}


@pytest.mark.parametrize("current,to", sorted(LEGAL))
def test_legal_moves_pass(current, to):
    rollout_states.check_legal("揭阳市", current, to)


@pytest.mark.parametrize("current,to", [(s, t) for s in rollout_states.STATUSES for t in rollout_states.STATUSES
                                        if (s, t) not in LEGAL])
def test_every_other_move_is_illegal_naming_current_and_allowed(current, to):
    with pytest.raises(IllegalTransition) as error:
        rollout_states.check_legal("揭阳市", current, to)
    message = str(error.value.message)
    assert "揭阳市" in message and f"'{current}'" in message and f"'{to}'" in message
    assert error.value.status == 409 and "status" in error.value.errors


def test_unknown_status_is_422_naming_status():
    with pytest.raises(ValidationFailed) as error:
        rollout_states.check_legal("揭阳市", "pending", "finished")
    assert error.value.status == 422 and list(error.value.errors) == ["status"]


def test_labels_are_chinese(app_ctx):
    assert [rollout_states.label(s) for s in rollout_states.STATUSES] == ["未开始", "升级中", "已升级", "升级失败", "已回退"]


@pytest.mark.parametrize("status,release_status,ends_in,overdue", [
    ("pending", "scheduled", -1, True),
    ("in_progress", "rolling_out", -1, True),
    ("failed", "rolling_out", 0, True),  # the window's end itself is already late
    ("rolled_back", "rolling_out", -1, True),
    ("done", "rolling_out", -1, False),
    ("pending", "scheduled", 1, False),
    ("pending", "rolled_back", -1, False),  # a release given up is no longer watched
    ("pending", "completed", -1, False),
])
def test_overdue_is_not_done_once_the_window_ended(status, release_status, ends_in, overdue):
    now = utcnow()
    target = SimpleNamespace(status=status)
    release = SimpleNamespace(status=release_status)
    assert rollout.is_overdue(target, release, now + timedelta(hours=ends_in), now) is overdue
    assert rollout.is_overdue(target, release, None, now) is False  # no window, nothing overdue


# --- the release follows its targets ----------------------------------------------------


@pytest.fixture
def setup(app_ctx, make_user):
    manager = make_user("mgr", "manager", "440000")
    engineer = make_user("eng", "engineer", "445200")
    release = Release(version="V2026.12", created_by_id=manager.id, status="scheduled")
    db.session.add(release)
    db.session.flush()
    now = utcnow()
    db.session.add(ReleaseWindow(release_id=release.id, starts_at=now + timedelta(hours=1),
                                 ends_at=now + timedelta(hours=9)))
    rollout.create_targets(release)
    db.session.commit()
    return SimpleNamespace(manager=manager, engineer=engineer, release=release)


def _target(release, code):
    return db.session.scalar(db.select(ReleaseRolloutTarget).where(ReleaseRolloutTarget.release_id == release.id,
                                                                   ReleaseRolloutTarget.region_code == code))


def test_create_targets_one_per_active_city_once(setup):
    codes = set(db.session.scalars(db.select(ReleaseRolloutTarget.region_code)))
    assert len(codes) == 21 and "445200" in codes and "445202" not in codes
    rollout.create_targets(setup.release)  # again: nothing more
    assert db.session.scalar(db.select(db.func.count(ReleaseRolloutTarget.id))) == 21


def test_first_start_rolls_out_and_last_done_completes(setup):
    release = setup.release
    for t in db.session.scalars(db.select(ReleaseRolloutTarget)).all():
        if t.region_code not in ("445200", "441300"):
            db.session.delete(t)
    db.session.commit()
    jieyang, huizhou = _target(release, "445200"), _target(release, "441300")
    rollout.move(setup.engineer, release, jieyang.id, "in_progress")
    assert release.status == "rolling_out" and jieyang.started_by_id == setup.engineer.id
    rollout.move(setup.manager, release, huizhou.id, "in_progress")
    rollout.move(setup.manager, release, huizhou.id, "done", "顺利")
    assert release.status == "rolling_out" and huizhou.finished_at is not None and huizhou.notes == "顺利"
    rollout.move(setup.engineer, release, jieyang.id, "done")
    assert release.status == "completed"
    moves = [(e.data["from"], e.data["to"]) for e in db.session.scalars(
        db.select(ReleaseEvent).where(ReleaseEvent.kind == "transition").order_by(ReleaseEvent.id))]
    assert moves == [("scheduled", "rolling_out"), ("rolling_out", "completed")]
    with pytest.raises(Conflict):
        rollout.move(setup.manager, release, jieyang.id, "in_progress")


def test_a_refused_move_writes_nothing(setup):
    release = setup.release
    target = _target(release, "445200")
    with pytest.raises(IllegalTransition):
        rollout.move(setup.manager, release, target.id, "done")
    assert target.status == "pending" and release.status == "scheduled"
    with pytest.raises(NotFound):
        rollout.move(setup.engineer, release, _target(release, "441300").id, "in_progress")


def test_board_lists_overdue_first(setup):
    release = setup.release
    window = db.session.scalar(db.select(ReleaseWindow))
    window.starts_at, window.ends_at = utcnow() - timedelta(hours=9), utcnow() - timedelta(hours=1)
    db.session.commit()
    rollout.move(setup.manager, release, _target(release, "441300").id, "in_progress")
    rollout.move(setup.manager, release, _target(release, "441300").id, "done")
    board = rollout.board(setup.manager, release)
    assert len(board.overdue) == 20 and board.targets[-1].region_code == "441300"
    assert board.counts["done"] == 1 and board.counts["pending"] == 20
    groups = board.groups()
    assert groups[0][0].code == "440100" and groups[-1][0].code == "441300"
