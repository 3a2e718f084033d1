"""The service-level clocks of one requirement, read from its timeline (pure: no database).

A clock runs over one or more intervals of wall time and counts the working minutes in them:

- `response`: filed → the first action by staff (a move out of `submitted`, or a comment by
  someone other than the filer);
- `assessment`: the time spent in `assessing`, added up over every stint, until a decision moves
  it on (`awaiting_review` / `resolved_locally`); while the requirement waits on the proposer
  (`needs_info`) or is `deferred` the clock is paused, and it resumes when assessment does;
- `feedback`: a review decision of `rejected` / `needs_info` (its feedback record) → the feedback
  delivered to the proposer; the oldest undelivered record is the one shown;
- `confirmation`: `released` / `resolved_locally` → the proposer's answer (any move on).

Time in `needs_info` or `deferred` never counts for assessment (the proposer or the schedule holds
it; the clock reads `paused`); the `feedback` clock runs on, as it is exactly about telling the
proposer.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime

CLOCKS = ("response", "assessment", "feedback", "confirmation")
PAUSE_STATUSES = frozenset({"needs_info", "deferred"})
FEEDBACK_DECISIONS = frozenset({"rejected", "needs_info"})
AT_RISK_SHARE = 0.8
STATES = ("running", "paused", "met", "at_risk", "breached")


@dataclass(frozen=True)
class TimelineEvent:
    """What the clocks need of an Event."""

    at: datetime
    kind: str
    actor_id: int | None
    data: dict


@dataclass(frozen=True)
class FeedbackRecord:
    created_at: datetime
    decision: str
    delivered_at: datetime | None


@dataclass
class Run:
    """A clock's current episode: the intervals it ran (the last one may be open)."""

    clock: str
    intervals: list[tuple[datetime, datetime | None]] = field(default_factory=list)
    stopped: bool = False
    paused: bool = False

    @property
    def started_at(self) -> datetime:
        return self.intervals[0][0]


@dataclass(frozen=True)
class Reading:
    clock: str
    state: str
    used_minutes: int
    target_minutes: int
    started_at: datetime
    at_risk_at: datetime | None
    due_at: datetime | None


def status_segments(events: list[TimelineEvent]) -> list[tuple[str, datetime, datetime | None]]:
    """(status, from, until) from the created and transition events (oldest first)."""
    segments: list[tuple[str, datetime, datetime | None]] = []
    current: tuple[str, datetime] | None = None
    for event in events:
        if event.kind == "created":
            current = (event.data.get("status", "submitted"), event.at)
        elif event.kind == "transition" and current is not None and event.data.get("to"):
            segments.append((current[0], current[1], event.at))
            current = (event.data["to"], event.at)
    if current is not None:
        segments.append((current[0], current[1], None))
    return segments


def runs(events: list[TimelineEvent], filer_id: int | None, feedback: list[FeedbackRecord]) -> list[Run]:
    """Every clock that has started, as of the events given."""
    segments = status_segments(events)
    if not segments:
        return []
    status_now = segments[-1][0]
    result: list[Run] = []

    created = next(e for e in events if e.kind == "created")
    stop = next((e.at for e in events
                 if (e.kind == "transition" and e.data.get("from") == "submitted")
                 or (e.kind == "comment" and e.actor_id != filer_id)), None)
    result.append(Run("response", [(created.at, stop)], stopped=stop is not None))

    assessing = [(start, end) for status, start, end in segments if status == "assessing"]
    if assessing:
        result.append(Run("assessment", assessing, stopped=status_now not in PAUSE_STATUSES | {"assessing"},
                          paused=status_now in PAUSE_STATUSES))

    decided = [f for f in feedback if f.decision in FEEDBACK_DECISIONS]
    if decided:
        waiting = [f for f in decided if f.delivered_at is None]
        record = min(waiting, key=lambda f: f.created_at) if waiting else max(decided, key=lambda f: f.created_at)
        result.append(Run("feedback", [(record.created_at, record.delivered_at)], stopped=not waiting))

    confirming = [(status, start, end) for status, start, end in segments if status in ("released", "resolved_locally")]
    if confirming:
        _, start, end = confirming[-1]
        result.append(Run("confirmation", [(start, end)], stopped=end is not None))
    return result


def read(run: Run, target: int, calendar, now: datetime) -> Reading:
    """The clock's state at `now` on the working calendar, against `target` working minutes."""
    closed = [(s, e) for s, e in run.intervals if e is not None]
    open_starts = [s for s, e in run.intervals if e is None]
    closed_used = sum(calendar.working_minutes(s, e) for s, e in closed)
    if open_starts and not run.stopped and not run.paused:
        start = open_starts[0]
        used = closed_used + calendar.working_minutes(start, now)
        due = calendar.add_working_minutes(start, max(target - closed_used, 0))
        at_risk = calendar.add_working_minutes(start, max(math.ceil(target * AT_RISK_SHARE) - closed_used, 0))
        state = "breached" if now >= due else "at_risk" if now >= at_risk else "running"
        return Reading(run.clock, state, used, target, run.started_at, at_risk, due)
    used = closed_used + sum(calendar.working_minutes(s, now) for s in open_starts)
    if used >= target and (run.paused or used > target):
        state = "breached"
    else:
        state = "paused" if run.paused else "met"
    return Reading(run.clock, state, used, target, run.started_at, None, None)
