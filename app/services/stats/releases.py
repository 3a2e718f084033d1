"""Verification figures of releases: pass rate per release from the latest attempts.

Kept apart so that the release lifecycle (statuses, requirements in releases) can extend it.
A run's scenarios keep their current (latest) attempt's status; a release's pass rate is the
share of passed among the scenarios of its runs the reader may see (permissions.run_clause).
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select

from app.extensions import db
from app.models import Release, Run, RunScenario, User
from app.services import permissions
from app.services.periods import Period


@dataclass
class ReleaseFigures:
    release_id: int
    version: str
    name: str
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def passed(self) -> int:
        return self.counts.get("passed", 0)

    @property
    def failed(self) -> int:
        return self.counts.get("failed", 0)

    @property
    def pass_rate(self) -> float:
        """Passed over all scenarios run (0..100, one decimal)."""
        return round(100.0 * self.passed / self.total, 1) if self.total else 0.0


def pass_rates(user: User, period: Period | None = None, limit: int | None = None) -> list[ReleaseFigures]:
    """Releases with runs in scope (created within `period` if given), oldest first."""
    stmt = (
        select(Release.id, Release.version, Release.name, RunScenario.status, func.count())
        .join(Run, Run.release_id == Release.id)
        .join(RunScenario, RunScenario.run_id == Run.id)
        .where(permissions.run_clause(user))
        .group_by(Release.id, Release.version, Release.name, RunScenario.status)
    )
    if period is not None:
        stmt = stmt.where(Run.created_at >= period.start_utc, Run.created_at < period.end_utc)
    figures: dict[int, ReleaseFigures] = {}
    for release_id, version, name, status, n in db.session.execute(stmt):
        figures.setdefault(release_id, ReleaseFigures(release_id, version, name or "")).counts[status] = n
    ordered = sorted(figures.values(), key=lambda f: f.release_id)
    return ordered[-limit:] if limit else ordered


def as_rows(figures: list[ReleaseFigures]) -> list[dict[str, Any]]:
    return [{"release": f.version, "name": f.name, "total": f.total, "passed": f.passed, "failed": f.failed,
             "pass_rate": f.pass_rate} for f in figures]


def totals(figures: list[ReleaseFigures]) -> dict[str, int]:
    out: dict[str, int] = defaultdict(int)
    for f in figures:
        for status, n in f.counts.items():
            out[status] += n
    return dict(out)
