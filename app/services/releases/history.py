"""History across releases: the scenario × release matrix and the comparison of two releases.

A scenario's *final* status in a release is the one the gate reads (app.services.releases.gate):
its row in the latest of the release's acceptance runs that selected it (the highest
`run_scenario.id` per release and scenario), which carries that run's current attempt. Only
runs the reader sees count (`permissions.run_clause`: provincial runs, and regional ones within
or above the reader's region), so a cell always opens a result the reader may read.

The cells come from one query (a window function ranking each release's rows of a scenario
over run_scenario joined to verification_run; the first is the final one), whatever the number
of scenarios or releases; the scenario heads of the page and the waivers are one query each.

Flips (`flips`): in the releases' order, oldest first, statuses other than passed and failed
(blocked, skipped, not run, not in any run) are skipped; each change between passed and
failed of consecutive remaining statuses is one flip. A scenario is *unstable* when it
flipped two or more times within the last five releases (`UNSTABLE_WINDOW`), whatever the
number of columns shown.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Sequence

from sqlalchemy import and_, func, select

from app.extensions import db
from app.models import FeatureFile, Release, ReleaseWaiver, Run, RunScenario, Scenario, ScenarioDomain, User
from app.services import permissions
from app.services.errors import Msg, ValidationFailed
from app.services.paging import Page

ACCEPTANCE = "acceptance"
UNSTABLE_WINDOW = 5
UNSTABLE_FLIPS = 2
MAX_RELEASES = 24
FLIPPING = ("passed", "failed")


# --- the flip logic (pure) ----------------------------------------------------------------


def flips(statuses: Iterable[str | None]) -> int:
    """How many times the sequence changes between passed and failed, other statuses skipped."""
    count, previous = 0, None
    for status in statuses:
        if status not in FLIPPING:
            continue
        if previous is not None and status != previous:
            count += 1
        previous = status
    return count


def is_unstable(statuses: Sequence[str | None], window: int = UNSTABLE_WINDOW, threshold: int = UNSTABLE_FLIPS) -> bool:
    """Two or more passed ↔ failed flips within the last `window` releases (oldest first)."""
    return flips(statuses[-window:]) >= threshold


# --- the matrix ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    release_id: int
    run_id: int
    status: str
    waived: bool = False


@dataclass
class MatrixRow:
    scenario_id: int
    name: str
    example: dict | None
    feature_id: int
    feature_path: str
    feature_name: str
    domain: str
    retired: bool
    cells: dict[int, Cell] = field(default_factory=dict)
    flips: int = 0
    unstable: bool = False

    def statuses(self, release_ids: Sequence[int]) -> list[str | None]:
        return [self.cells[r].status if r in self.cells else None for r in release_ids]


@dataclass
class Matrix:
    releases: list[Release]  # the columns, oldest first
    rows: Page  # of MatrixRow, grouped by domain then feature
    unstable_total: int


def last_releases(count: int) -> list[Release]:
    """The last `count` releases in the order they were created, oldest first."""
    newest = list(db.session.scalars(select(Release).order_by(Release.created_at.desc(), Release.id.desc())
                                     .limit(count)))
    return newest[::-1]


def _final_cells(user: User, release_ids: list[int], scenario_filter=None) -> list:
    """(release_id, scenario_id, run_id, status) of each scenario's final row in each release:
    one statement, a window over the release's acceptance rows (the latest row of each release
    and scenario ranks first). The rows come from the covering index
    `ix_run_scenario_history` (run_id, scenario_id, status), not from the wide run_scenario
    rows; they are read without the ORM (plain tuples)."""
    rank = func.row_number().over(partition_by=(Run.release_id, RunScenario.scenario_id),
                                  order_by=RunScenario.id.desc())
    ranked = (select(Run.release_id, RunScenario.scenario_id, RunScenario.run_id, RunScenario.status,
                     rank.label("rank"))
              .select_from(RunScenario).join(Run, Run.id == RunScenario.run_id)
              .where(Run.release_id.in_(release_ids), Run.environment == ACCEPTANCE, permissions.run_clause(user)))
    if scenario_filter is not None:
        ranked = ranked.where(scenario_filter)
    ranked = ranked.subquery()
    return db.session.connection().execute(
        select(ranked.c.release_id, ranked.c.scenario_id, ranked.c.run_id, ranked.c.status)
        .where(ranked.c.rank == 1)
    ).all()


def _waived(release_ids: list[int]) -> set[tuple[int, int]]:
    return set(db.session.execute(
        select(ReleaseWaiver.release_id, ReleaseWaiver.scenario_id)
        .where(ReleaseWaiver.release_id.in_(release_ids), ReleaseWaiver.withdrawn_at.is_(None))).all())


def _heads(scenario_ids: Iterable[int]) -> dict[int, MatrixRow]:
    """The scenarios' names, features and first domain (the group a row is shown in)."""
    ids = list(scenario_ids)
    if not ids:
        return {}
    first_domain = (select(ScenarioDomain.scenario_id, func.min(ScenarioDomain.domain).label("domain"))
                    .group_by(ScenarioDomain.scenario_id).subquery())
    rows = db.session.connection().execute(
        select(Scenario.id, Scenario.name, Scenario.example, Scenario.feature_id, Scenario.retired, Scenario.position,
               FeatureFile.path, FeatureFile.name.label("feature_name"), first_domain.c.domain)
        .join(FeatureFile, FeatureFile.id == Scenario.feature_id)
        .outerjoin(first_domain, first_domain.c.scenario_id == Scenario.id)
        .where(Scenario.id.in_(ids))
    ).all()
    heads = {}
    for r in rows:
        row = MatrixRow(scenario_id=r.id, name=r.name, example=r.example, feature_id=r.feature_id,
                        feature_path=r.path, feature_name=r.feature_name or "", domain=r.domain or "",
                        retired=bool(r.retired))
        row._position = r.position  # type: ignore[attr-defined]
        heads[r.id] = row
    return heads


def _sort_key(row: MatrixRow):
    # rows without a domain come last in their own group
    return (row.domain == "", row.domain, row.feature_path, getattr(row, "_position", 0), row.scenario_id)


def matrix(user: User, releases: int = 12, domain: str | None = None, feature: int | None = None,
           unstable: bool | None = None, page: int = 1, per_page: int = 50) -> Matrix:
    """Scenarios (rows) × the last `releases` releases (columns), each cell the final status."""
    permissions.require(user, "view")
    if not 1 <= releases <= MAX_RELEASES:
        raise ValidationFailed.field("releases", Msg("Show between 1 and %(max)s releases.", max=MAX_RELEASES))
    window = last_releases(max(releases, UNSTABLE_WINDOW))
    shown = window[-releases:]
    release_ids = [r.id for r in window]
    shown_ids = [r.id for r in shown]
    conditions = []
    if domain:
        conditions.append(RunScenario.scenario_id.in_(
            select(ScenarioDomain.scenario_id).where(ScenarioDomain.domain == domain)))
    if feature:
        conditions.append(RunScenario.scenario_id.in_(select(Scenario.id).where(Scenario.feature_id == feature)))
    cells = _final_cells(user, release_ids, and_(*conditions) if conditions else None) if release_ids else []
    waived = _waived(release_ids) if cells else set()
    by_scenario: dict[int, dict[int, Cell]] = {}
    for release_id, scenario_id, run_id, status in cells:
        by_scenario.setdefault(scenario_id, {})[release_id] = Cell(
            release_id, run_id, status, waived=(release_id, scenario_id) in waived)
    heads = _heads(sid for sid, found in by_scenario.items() if any(r in found for r in shown_ids))
    rows = []
    for sid, row in heads.items():
        row.cells = by_scenario[sid]
        if domain:
            row.domain = domain  # a scenario of several domains is shown under the one asked for
        row.flips = flips(row.statuses(shown_ids))
        row.unstable = is_unstable(row.statuses(release_ids))
        row.cells = {r: c for r, c in row.cells.items() if r in shown_ids}
        rows.append(row)
    unstable_total = sum(1 for r in rows if r.unstable)
    if unstable is not None:
        rows = [r for r in rows if r.unstable == unstable]
    rows.sort(key=_sort_key)
    start = (page - 1) * per_page
    return Matrix(releases=shown, rows=Page(items=rows[start:start + per_page], total=len(rows), page=page,
                                            per_page=per_page), unstable_total=unstable_total)


# --- comparing two releases ---------------------------------------------------------------


@dataclass(frozen=True)
class ComparedScenario:
    scenario_id: int
    name: str
    feature_path: str
    before: str | None  # final status in release a (None: in no acceptance run of it)
    after: str | None
    run_before: int | None
    run_after: int | None
    retired: bool


@dataclass
class Comparison:
    a: Release
    b: Release
    newly_failing: list[ComparedScenario]
    newly_passing: list[ComparedScenario]
    new: list[ComparedScenario]
    retired: list[ComparedScenario]
    unchanged: int


FAILING = ("failed", "blocked")


def get_release(user: User, release_id: int) -> Release:
    return permissions.fetch(user, Release, release_id, not_found=Msg("Release not found."))


def compare(user: User, a: Release, b: Release) -> Comparison:
    """Release `b` against release `a` (usually the one before): scenarios that failed in `b`
    (failed or blocked) after passing in `a`, that passed in `b` after failing in `a`, that
    only `b`'s acceptance runs verified (new) and that only `a`'s did (retired; `retired`
    also says whether the library retired the scenario). Two queries."""
    permissions.require(user, "view")
    if a.id == b.id:
        raise ValidationFailed.field("b", Msg("Choose two different releases to compare."))
    final: dict[int, dict[int, tuple[int, str]]] = {a.id: {}, b.id: {}}
    for release_id, scenario_id, run_id, status in _final_cells(user, [a.id, b.id]):
        final[release_id][scenario_id] = (run_id, status)
    heads = _heads(set(final[a.id]) | set(final[b.id]))
    result = Comparison(a, b, [], [], [], [], 0)
    for sid in sorted(heads, key=lambda s: _sort_key(heads[s])):
        head = heads[sid]
        before, after = final[a.id].get(sid), final[b.id].get(sid)
        item = ComparedScenario(sid, head.name, head.feature_path, before[1] if before else None,
                                after[1] if after else None, before[0] if before else None,
                                after[0] if after else None, head.retired)
        if before is None:
            result.new.append(item)
        elif after is None:
            result.retired.append(item)
        elif before[1] == "passed" and after[1] in FAILING:
            result.newly_failing.append(item)
        elif before[1] in FAILING and after[1] == "passed":
            result.newly_passing.append(item)
        else:
            result.unchanged += 1
    return result


def default_pair() -> tuple[Release, Release] | None:
    """The two latest releases (older, newer), for the comparison page's first view."""
    latest = last_releases(2)
    return (latest[0], latest[1]) if len(latest) == 2 else None


def release_choices() -> list[Release]:
    """Releases for the comparison page's selects, newest first (bounded: the last 100)."""
    return list(db.session.scalars(select(Release).order_by(Release.created_at.desc(), Release.id.desc()).limit(100)))
