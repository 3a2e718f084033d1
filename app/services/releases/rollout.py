"""A release's rollout per region (版本升级执行监控) and which version each region runs.

On `scheduled` one target per active city of the province is created (`create_targets`, called
by the lifecycle's `_move`); a manager may add counties or remove targets until the window
starts. Each target moves through app.services.releases.rollout_states; the first start moves
the release to `rolling_out` and the last `done` to `completed` (the lifecycle's `_move`, in
the same transaction, so its requirements end `released`). A target not done when the window
has ended is overdue.

Scope: a user sees and acts on the targets of their region and below (a city user: their city
and its counties); a target outside answers 404. Moving a target or starting its smoke run
takes `record_results` (on-site engineers, managers); adding or removing targets
`manage_releases`; the task force only reads.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from app.extensions import db
from app.models import Region, Release, ReleaseRolloutTarget, RunScenario, User
from app.services import permissions
from app.services.errors import Conflict, Msg, ValidationFailed
from app.services.releases import rollout_states
from app.services.uow import unit_of_work
from app.utils import utcnow

DEFAULT_SMOKE_TAGS = "@smoke or @冒烟"
# the release statuses in which targets move (before: none exist; after: the rollout is over)
ACTIVE = ("scheduled", "rolling_out")
ORDER = {s: i for i, s in enumerate(("failed", "in_progress", "pending", "rolled_back", "done"))}


def create_targets(release: Release) -> None:
    """One pending target per active city of the province, unless the release already has
    targets (a release is scheduled once). Inside the caller's transaction."""
    if db.session.scalar(select(ReleaseRolloutTarget.id).where(ReleaseRolloutTarget.release_id == release.id)
                         .limit(1)) is not None:
        return
    now = utcnow()
    codes = db.session.scalars(select(Region.code).where(Region.level == "city", Region.active.is_(True))
                               .order_by(Region.code)).all()
    db.session.add_all(ReleaseRolloutTarget(release_id=release.id, region_code=code, status="pending", notes="",
                                            created_at=now, updated_at=now) for code in codes)


# --- reading -----------------------------------------------------------------------------


def _window_end(release: Release) -> datetime | None:
    from app.services.releases.upgrade import window_of

    window = window_of(release)
    return window.ends_at if window else None


def is_overdue(target: ReleaseRolloutTarget, release: Release, window_end: datetime | None,
               now: datetime | None = None) -> bool:
    """Not done when the window has ended (while the release is still rolling out)."""
    return (release.status in ACTIVE and window_end is not None and target.status != "done"
            and (now or utcnow()) >= window_end)


def smoke_passed(target: ReleaseRolloutTarget) -> bool | None:
    """None without a smoke run; True when every scenario of it passed (or was skipped) and at
    least one passed; False otherwise (failed, blocked or not yet run)."""
    if target.smoke_run_id is None:
        return None
    counts = dict(db.session.execute(select(RunScenario.status, func.count())
                                     .where(RunScenario.run_id == target.smoke_run_id)
                                     .group_by(RunScenario.status)).all())
    return counts.get("passed", 0) > 0 and not set(counts) - {"passed", "skipped"}


@dataclass
class Board:
    """A release's rollout as one user sees it: targets in scope (overdue first), counts per
    status, the overdue ones, and the window's end."""

    release: Release
    targets: list[ReleaseRolloutTarget]
    overdue_ids: set[int]
    window_end: datetime | None
    counts: dict[str, int] = field(default_factory=dict)
    smoke: dict[int, dict[str, int]] = field(default_factory=dict)

    def smoke_passed(self, target: ReleaseRolloutTarget) -> bool | None:
        if target.smoke_run_id is None:
            return None
        counts = self.smoke.get(target.smoke_run_id, {})
        return counts.get("passed", 0) > 0 and not set(counts) - {"passed", "skipped"}

    def views(self) -> list[TargetView]:
        return [TargetView(t, t.id in self.overdue_ids, self.smoke_passed(t)) for t in self.targets]

    @property
    def overdue(self) -> list[ReleaseRolloutTarget]:
        return [t for t in self.targets if t.id in self.overdue_ids]

    def groups(self) -> list[tuple[Region, ReleaseRolloutTarget | None, list[ReleaseRolloutTarget]]]:
        """(city, its own target or None, its county targets) in board order: a city with an
        overdue target first, then by code."""
        cities: dict[str, tuple[Region, list]] = {}
        for t in self.targets:
            city = t.region if t.region.level == "city" else (t.region.parent or t.region)
            cities.setdefault(city.code, (city, []))[1].append(t)
        rows = []
        for city, targets in cities.values():
            own = next((t for t in targets if t.region_code == city.code), None)
            counties = sorted((t for t in targets if t is not own), key=lambda t: t.region_code)
            rows.append((city, own, counties))
        rows.sort(key=lambda r: (not any(t.id in self.overdue_ids for t in ([r[1]] if r[1] else []) + r[2]),
                                 r[0].code))
        return rows


@dataclass
class TargetView:
    """A target with what is worked out about it (the API's answer for one target)."""

    target: ReleaseRolloutTarget
    overdue: bool
    smoke_passed: bool | None

    def __getattr__(self, name: str) -> Any:
        return getattr(self.target, name)


def view(release: Release, target: ReleaseRolloutTarget) -> TargetView:
    return TargetView(target, is_overdue(target, release, _window_end(release)), smoke_passed(target))


def board(user: User, release: Release) -> Board:
    permissions.require(user, "view")
    targets = list(db.session.scalars(
        select(ReleaseRolloutTarget).join(Region, Region.code == ReleaseRolloutTarget.region_code)
        .where(ReleaseRolloutTarget.release_id == release.id, permissions.region_clause(user, Region.id))
        .order_by(ReleaseRolloutTarget.region_code)))
    end = _window_end(release)
    now = utcnow()
    overdue = {t.id for t in targets if is_overdue(t, release, end, now)}
    targets.sort(key=lambda t: (t.id not in overdue, t.region_code))
    counts = {s: 0 for s in rollout_states.STATUSES}
    for t in targets:
        counts[t.status] += 1
    smoke: dict[int, dict[str, int]] = {}
    run_ids = [t.smoke_run_id for t in targets if t.smoke_run_id]
    if run_ids:
        for run_id, status, n in db.session.execute(
                select(RunScenario.run_id, RunScenario.status, func.count()).where(RunScenario.run_id.in_(run_ids))
                .group_by(RunScenario.run_id, RunScenario.status)).all():
            smoke.setdefault(run_id, {})[status] = n
    return Board(release, targets, overdue, end, counts, smoke)


def get_target(user: User, release: Release, target_id: int, action: str = "view") -> ReleaseRolloutTarget:
    """The release's target in the user's scope (404 otherwise), then the role (403)."""
    target = db.session.get(ReleaseRolloutTarget, target_id) if 0 < target_id <= permissions.MAX_ID else None
    if target is not None and target.release_id != release.id:
        target = None
    return permissions.check(user, target, action=action, not_found=Msg("Rollout target not found."),
                             visible=lambda u, t: permissions.region_in_scope(u, t.region))


# --- acting on targets -------------------------------------------------------------------


def _check_active(release: Release) -> None:
    if release.status not in ACTIVE:
        raise Conflict(Msg("Release %(version)s is '%(status)s': its rollout targets move only while it is scheduled "
                           "or rolling out.", version=release.version, status=release.status))


def move(actor: User, release: Release, target_id: int, to: str, notes: str | None = None) -> ReleaseRolloutTarget:
    """Move a target (409 for an illegal move, a `done` whose smoke run has not passed, or a
    release not rolling out); the release follows: first start → rolling_out, all done → completed."""
    from app.services.releases import _event, _lock, _move

    target = get_target(actor, release, target_id, action="record_results")
    rollout_states.check_legal(target.region.name, target.status, to)
    with unit_of_work(Msg("The rollout of %(region)s was changed by someone else meanwhile; reload.",
                          region=target.region.name)):
        _lock(release)
        db.session.refresh(target)
        _check_active(release)
        rollout_states.check_legal(target.region.name, target.status, to)
        if to == "done" and smoke_passed(target) is False:
            raise Conflict(Msg("The smoke run #%(run)s of %(region)s has not passed: the upgrade cannot be marked "
                               "done.", run=target.smoke_run_id, region=target.region.name),
                           {"status": [Msg("The smoke run has not passed.")]})
        now = utcnow()
        before = target.status
        target.status = to
        target.updated_at = now
        if notes is not None:
            target.notes = notes
        if to == "in_progress":
            if target.started_at is None:
                target.started_at, target.started_by_id = now, actor.id
            target.finished_at = target.finished_by_id = None
        elif to in rollout_states.FINISHING:
            target.finished_at, target.finished_by_id = now, actor.id
        _event(release, actor, "rollout_moved", at=now, region=target.region_code, region_name=target.region.name,
               **{"from": before, "to": to}, notes=target.notes)
        db.session.flush()
        if to == "in_progress" and release.status == "scheduled":
            _move(release, "rolling_out", actor, "")
        elif to == "done" and release.status == "rolling_out" and _all_done(release):
            _move(release, "completed", actor, "")
    return target


def _all_done(release: Release) -> bool:
    return db.session.scalar(select(ReleaseRolloutTarget.id).where(
        ReleaseRolloutTarget.release_id == release.id, ReleaseRolloutTarget.status != "done").limit(1)) is None


def manual_move_blocker(release: Release, to: str) -> Conflict | None:
    """Why a manual move of the release to `rolling_out` or `completed` is refused (None: it is
    allowed). With rollout targets the release follows them: `rolling_out` once a target has
    started (the first start moves it by itself), `completed` once every target is `done`
    (409 naming those not done). Without targets (no city, or all removed) the move is free."""
    if to not in ("rolling_out", "completed"):
        return None
    rows = list(db.session.scalars(select(ReleaseRolloutTarget).where(ReleaseRolloutTarget.release_id == release.id)
                                   .order_by(ReleaseRolloutTarget.region_code)))
    if not rows:
        return None
    if to == "rolling_out":
        if any(t.status != "pending" for t in rows):
            return None
        return Conflict(Msg("Release %(version)s moves to 'rolling_out' by itself when the upgrade of a region "
                            "starts; no rollout target has started yet.", version=release.version),
                        {"to": [Msg("Start the upgrade of a region on the rollout board.")]})
    not_done = [t for t in rows if t.status != "done"]
    if not not_done:
        return None
    names = "、".join(t.region.name for t in not_done)
    message = Msg("Release %(version)s cannot be completed: the upgrade is not done in %(regions)s.",
                  version=release.version, regions=names)
    return Conflict(message,
                    {"to": [message], "targets": [Msg("%(region)s (%(code)s): %(status)s", region=t.region.name, code=t.region_code,
                                     status=rollout_states.STATUS_LABELS[t.status]) for t in not_done]})


def check_manual_move(release: Release, to: str) -> None:
    blocker = manual_move_blocker(release, to)
    if blocker is not None:
        raise blocker


def roll_back_targets(release: Release, actor: User | None, reason: str) -> None:
    """The release is rolled back: every region whose upgrade started (upgrading, failed or
    done) returns to the previous version, so its target becomes `rolled_back` (end recorded,
    one timeline event each); targets never started stay `pending`. In the caller's transaction."""
    from app.services.releases import _event

    now = utcnow()
    for target in db.session.scalars(select(ReleaseRolloutTarget).where(
            ReleaseRolloutTarget.release_id == release.id,
            ReleaseRolloutTarget.status.in_(("in_progress", "failed", "done")))
            .order_by(ReleaseRolloutTarget.region_code)):
        before = target.status
        target.status = "rolled_back"
        target.finished_at, target.finished_by_id = now, actor.id if actor else None
        target.updated_at = now
        _event(release, actor, "rollout_moved", at=now, region=target.region_code, region_name=target.region.name,
               **{"from": before, "to": "rolled_back"}, notes=reason)


def edit_notes(actor: User, release: Release, target_id: int, notes: str) -> ReleaseRolloutTarget:
    target = get_target(actor, release, target_id, action="record_results")
    with unit_of_work():
        target.notes = notes
        target.updated_at = utcnow()
    return target


def _check_before_window(release: Release) -> None:
    if release.status != "scheduled":
        raise Conflict(Msg("Release %(version)s is '%(status)s': targets are added or removed only while it is "
                           "scheduled, before its window starts.", version=release.version, status=release.status))
    from app.services.releases.upgrade import window_of

    window = window_of(release)
    if window is not None and utcnow() >= window.starts_at:
        raise Conflict(Msg("The upgrade window of release %(version)s has started: targets can no longer be added "
                           "or removed.", version=release.version))


def targets_editable(release: Release) -> bool:
    """Targets may be added or removed now (scheduled, the window not started)."""
    try:
        _check_before_window(release)
    except Conflict:
        return False
    return True


def addable_regions(user: User, release: Release) -> list[Region]:
    """Active cities and counties in the user's scope that are not targets yet (the add form)."""
    taken = select(ReleaseRolloutTarget.region_code).where(ReleaseRolloutTarget.release_id == release.id)
    return list(db.session.scalars(
        select(Region).where(Region.level.in_(("city", "county")), Region.active.is_(True),
                             Region.code.not_in(taken), permissions.region_clause(user, Region.id))
        .order_by(Region.path)))


def add_target(actor: User, release: Release, region_code: str) -> ReleaseRolloutTarget:
    """A manager adds a region (a county, or a city removed earlier) before the window starts."""
    from app.services.releases import _event, _lock

    permissions.require(actor, "manage_releases")
    region = permissions.region_to_act_in(actor, region_code or "", field="region")
    if region.level not in ("city", "county"):
        raise ValidationFailed.field("region", Msg("Only a city or a county can be a rollout target."))
    with unit_of_work():
        _lock(release)
        _check_before_window(release)
        if db.session.scalar(select(ReleaseRolloutTarget.id).where(
                ReleaseRolloutTarget.release_id == release.id,
                ReleaseRolloutTarget.region_code == region.code)) is not None:
            raise Conflict(Msg("%(region)s is already a rollout target.", region=region.name),
                           {"region": [Msg("%(region)s is already a rollout target.", region=region.name)]})
        now = utcnow()
        target = ReleaseRolloutTarget(release_id=release.id, region_code=region.code, status="pending", notes="",
                                      created_at=now, updated_at=now)
        db.session.add(target)
        _event(release, actor, "rollout_target_added", at=now, region=region.code, region_name=region.name)
    return target


def remove_target(actor: User, release: Release, target_id: int) -> None:
    from app.services.releases import _event, _lock

    target = get_target(actor, release, target_id, action="manage_releases")
    with unit_of_work():
        _lock(release)
        _check_before_window(release)
        if target.status != "pending":
            raise Conflict(Msg("The upgrade of %(region)s has started; it cannot be removed.",
                               region=target.region.name))
        _event(release, actor, "rollout_target_removed", region=target.region_code, region_name=target.region.name)
        db.session.delete(target)


def smoke_run(actor: User, release: Release, target_id: int, tags: str | None = None) -> ReleaseRolloutTarget:
    """A `production` verification run for the target's region over a tag expression
    (default `@smoke or @冒烟`); it becomes the target's smoke run (replacing an earlier one)."""
    from app.services import verification

    target = get_target(actor, release, target_id, action="record_results")
    _check_active(release)
    if target.status in rollout_states.FINAL:
        raise Conflict(Msg("The upgrade of %(region)s is '%(status)s': no smoke run can be started now.",
                       region=target.region.name, status=target.status))
    tags = (tags or "").strip() or DEFAULT_SMOKE_TAGS
    run = verification.create_run(actor, release, {"environment": "production", "region": target.region_code,
                                                   "tags": tags})
    with unit_of_work():
        target.smoke_run_id = run.id
        target.updated_at = utcnow()
    return target


# --- which version each region runs --------------------------------------------------------


@dataclass
class RegionVersion:
    region: Region
    release: Release | None
    since: datetime | None
    inherited: bool  # a county without a target of its own runs its city's copy
    behind: bool


@dataclass
class Versions:
    latest: Release | None
    items: list[RegionVersion]


def versions(user: User, behind_only: bool = False) -> Versions:
    """Each active city and county in the user's scope with the release it runs: the latest
    `done` target (by its end) of a rolling-out or completed release; a county without one runs
    its city's. Behind: not on the latest completed release nor on a later one (releases
    ordered by id, i.e. creation)."""
    permissions.require(user, "view")
    latest = db.session.scalar(select(Release).where(Release.status == "completed")
                               .order_by(Release.status_changed_at.desc(), Release.id.desc()).limit(1))
    regions = list(db.session.scalars(
        select(Region).where(Region.level.in_(("city", "county")), Region.active.is_(True),
                             permissions.region_clause(user, Region.id)).order_by(Region.path)))
    current: dict[str, tuple[Release, datetime]] = {}
    for target, release in db.session.execute(
            select(ReleaseRolloutTarget, Release).join(Release, Release.id == ReleaseRolloutTarget.release_id)
            .where(ReleaseRolloutTarget.status == "done", Release.status.in_(("rolling_out", "completed")))
            .order_by(ReleaseRolloutTarget.finished_at, ReleaseRolloutTarget.id)).all():
        current[target.region_code] = (release, target.finished_at)
    by_id = {r.id: r for r in regions}
    items = []
    for region in regions:
        own = current.get(region.code)
        inherited = False
        if own is None and region.level == "county":
            parent = by_id.get(region.parent_id) or region.parent
            if parent is not None and parent.code in current:
                own, inherited = current[parent.code], True
        release, since = own if own else (None, None)
        behind = latest is not None and (release is None or release.id < latest.id)
        if behind_only and not behind:
            continue
        items.append(RegionVersion(region, release, since, inherited, behind))
    return Versions(latest, items)


def outcome(release: Release) -> list[dict[str, Any]]:
    """The rollout outcome per region for documents (the upgrade summary): every target, in
    region order, with its status, times, notes and smoke run (no scope: a document of the
    whole release)."""
    rows = db.session.scalars(select(ReleaseRolloutTarget).where(ReleaseRolloutTarget.release_id == release.id)
                              .order_by(ReleaseRolloutTarget.region_code)).all()
    return [{"region": t.region_code, "region_name": t.region.name, "status": t.status,
             "status_label": rollout_states.label(t.status), "started_at": t.started_at,
             "finished_at": t.finished_at, "notes": t.notes, "smoke_run_id": t.smoke_run_id} for t in rows]
