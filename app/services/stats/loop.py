"""The reports' figures of the loop after intake: service levels, the proposers' opinions and
the releases rolled out, for a period and a region (the report's), scoped to the reader.

- Service levels come from the stored clock states (`sla_state`, kept current by every write and
  `sla tick`) in one grouped query: no clock is recomputed per requirement here. A clock counts in
  the period its episode started in; it reads `breached` once its due time has passed, `at risk`
  from its at-risk time, `met` when it stopped in time. Compliance = met / (met + breached).
- Opinions: the proposers' "not satisfied" reasons recorded in the period in the region.
- Releases rolled out: releases that reached `completed` in the period, or whose targets in the
  region were done in it, with their targets in the region counted per status.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, func, or_, select

from app.extensions import db
from app.models import Region, Release, ReleaseRolloutTarget, Requirement, SlaState, User, UserOpinion
from app.services import periods
from app.services.periods import Period
from app.services.sla.clocks import CLOCKS
from app.services.stats.query import scoped_where
from app.utils import utcnow

CLOCK_ZH = {"response": "响应", "assessment": "评估", "feedback": "反馈", "confirmation": "确认"}
SLA_STATES = ("met", "breached", "at_risk", "running")
TARGET_ZH = {"done": "已完成升级", "in_progress": "升级中", "pending": "未开始", "failed": "升级失败",
             "rolled_back": "已回退"}
# the most opinions a report lists (the count above it stays exact)
MAX_OPINIONS = 2000


@dataclass
class ClockFigures:
    clock: str
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def met(self) -> int:
        return self.counts.get("met", 0)

    @property
    def breached(self) -> int:
        return self.counts.get("breached", 0)

    @property
    def at_risk(self) -> int:
        return self.counts.get("at_risk", 0)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def compliance(self) -> float | None:
        """Met over decided (met + breached), 0..100 with one decimal; None when none decided."""
        decided = self.met + self.breached
        return round(100.0 * self.met / decided, 1) if decided else None


def _state_column(now: datetime):
    return case(
        (or_(SlaState.state == "breached", and_(SlaState.due_at.is_not(None), SlaState.due_at <= now)), "breached"),
        (SlaState.state == "met", "met"),
        (or_(SlaState.state == "at_risk", and_(SlaState.at_risk_at.is_not(None), SlaState.at_risk_at <= now)),
         "at_risk"),
        else_="running",
    )


def service_levels(user: User, region: Region, period: Period, now: datetime | None = None,
                   by_month: bool = False, filters: dict[str, Any] | None = None) -> dict[str, dict[str, ClockFigures]]:
    """{month or "": {clock: figures}} for the clocks started in `period` on requirements of
    `region` the reader may see (and matching the list's other `filters`, dates aside: the
    period is the clocks'); one grouped query."""
    now = now or utcnow()
    others = {k: v for k, v in (filters or {}).items() if k not in ("region", "date_from", "date_to")}
    where = scoped_where(user, {**others, "region": region.code})
    state = _state_column(now).label("s")
    month = periods.local_month(SlaState.started_at, periods.utc_offset_hours()).label("m")
    columns = [SlaState.clock, state] + ([month] if by_month else [])
    stmt = (select(*columns, func.count()).join(Requirement, Requirement.id == SlaState.requirement_id)
            .where(where, SlaState.started_at >= period.start_utc, SlaState.started_at < period.end_utc)
            .group_by(*columns))
    out: dict[str, dict[str, ClockFigures]] = defaultdict(dict)
    for row in db.session.execute(stmt):
        clock, state_value, key, n = row[0], row[1], row[2] if by_month else "", row[-1]
        figures = out[key].setdefault(clock, ClockFigures(clock))
        figures.counts[state_value] = figures.counts.get(state_value, 0) + n
    return dict(out)


def clock_rows(figures: dict[str, ClockFigures]) -> list[ClockFigures]:
    """Every clock in order (a clock with nothing in the period reads zeros)."""
    return [figures.get(clock, ClockFigures(clock)) for clock in CLOCKS]


@dataclass
class Opinion:
    recorded_at: datetime
    code: str
    title: str
    region: str
    reason: str


def _subtree(region: Region):
    return select(Region.id).where(Region.path.startswith(region.path))


def opinions(user: User, region: Region, period: Period, limit: int = MAX_OPINIONS) -> tuple[int, list[Opinion]]:
    """(count, the first `limit` oldest first) of the not-satisfied opinions recorded in the
    period in `region` (within the reader's, which `report_region` checked)."""
    where = and_(UserOpinion.region_id.in_(_subtree(region)),
                 UserOpinion.recorded_at >= period.start_utc, UserOpinion.recorded_at < period.end_utc)
    total = db.session.scalar(select(func.count()).select_from(UserOpinion).where(where)) or 0
    rows = db.session.execute(
        select(UserOpinion.recorded_at, Requirement.code, Requirement.title, Region.name, UserOpinion.reason)
        .join(Requirement, Requirement.id == UserOpinion.requirement_id)
        .join(Region, Region.id == UserOpinion.region_id)
        .where(where).order_by(UserOpinion.recorded_at, UserOpinion.id).limit(limit))
    return total, [Opinion(*row) for row in rows]


def opinions_by_month(region: Region, period: Period) -> dict[str, int]:
    month = periods.local_month(UserOpinion.recorded_at, periods.utc_offset_hours()).label("m")
    stmt = (select(month, func.count()).where(UserOpinion.region_id.in_(_subtree(region)),
                                              UserOpinion.recorded_at >= period.start_utc,
                                              UserOpinion.recorded_at < period.end_utc).group_by(month))
    return {m: n for m, n in db.session.execute(stmt)}


@dataclass
class RolloutFigures:
    release_id: int
    version: str
    name: str
    status: str
    completed_at: datetime | None
    counts: dict[str, int] = field(default_factory=dict)
    done_in_period: int = 0

    @property
    def targets(self) -> int:
        return sum(self.counts.values())


def rolled_out(region: Region, period: Period) -> list[RolloutFigures]:
    """Releases completed in the period or with a target of `region` (and below) done in it,
    with the region's targets per status; one grouped query, oldest release first."""
    start, end = period.start_utc, period.end_utc
    done_here = and_(ReleaseRolloutTarget.status == "done", ReleaseRolloutTarget.finished_at >= start,
                     ReleaseRolloutTarget.finished_at < end)
    stmt = (
        select(Release.id, Release.version, Release.name, Release.status, Release.status_changed_at,
               ReleaseRolloutTarget.status, func.count(), func.sum(case((done_here, 1), else_=0)))
        .join(ReleaseRolloutTarget, ReleaseRolloutTarget.release_id == Release.id)
        .join(Region, Region.code == ReleaseRolloutTarget.region_code)
        .where(Region.path.startswith(region.path))
        .group_by(Release.id, Release.version, Release.name, Release.status, Release.status_changed_at,
                  ReleaseRolloutTarget.status)
    )
    figures: dict[int, RolloutFigures] = {}
    for release_id, version, name, status, changed_at, target_status, n, done in db.session.execute(stmt):
        completed_at = changed_at if status == "completed" else None
        item = figures.setdefault(release_id, RolloutFigures(release_id, version, name or "", status, completed_at))
        item.counts[target_status] = n
        item.done_in_period += int(done or 0)
    return [f for _, f in sorted(figures.items())
            if f.done_in_period or (f.completed_at is not None and start <= f.completed_at < end)]


def targets_done_by_month(region: Region, period: Period) -> dict[str, int]:
    month = periods.local_month(ReleaseRolloutTarget.finished_at, periods.utc_offset_hours()).label("m")
    stmt = (select(month, func.count()).join(Region, Region.code == ReleaseRolloutTarget.region_code)
            .where(Region.path.startswith(region.path), ReleaseRolloutTarget.status == "done",
                   ReleaseRolloutTarget.finished_at >= period.start_utc,
                   ReleaseRolloutTarget.finished_at < period.end_utc).group_by(month))
    return {m: n for m, n in db.session.execute(stmt)}


def percent(value: float | None) -> Any:
    return "—" if value is None else value
