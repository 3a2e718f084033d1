"""Grouped counts of requirements: the one query behind every figure the task force reads.

`counts(user, by, filters)` groups the requirements `user` may see (permissions.region_clause,
through `requirements.search`, so the list and the figures apply the very same filters) by one or
two of DIMENSIONS:

* region: the level below the anchor region (the filter's region, else the reader's own):
  cities under the province, counties (and parks) under a city; items filed on the anchor itself
  count under the anchor's own code (市本级);
* month: the local month (Beijing time) the requirement was filed, "2026-11";
* domain, type, channel, status, priority: their codes.

`measure` says what is counted: the requirements (the default), or their proposers (the units
that raised them, 提出方: a need merged from several bureaus counts each of them). Proposers are
counted where they are: by their own region, the month they raised the need and their channel
(the other dimensions are the requirement's), and only those inside the anchor region — a
reader never counts another region's units, even on a requirement merged across regions.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select, true

from app.extensions import db
from app.models import Proposer, Region, Requirement, User
from app.services import periods, reference, requirements, workflow

DIMENSIONS = ("region", "domain", "type", "channel", "status", "priority", "month")
MEASURES = ("requirements", "proposers")
# the list's filters that the figures take (requirements.search's keys)
FILTER_KEYS = ("status", "domain", "type", "channel", "priority", "region", "date_from", "date_to")


@dataclass
class Counts:
    by: list[str]
    rows: list[dict[str, Any]]
    total: int
    anchor: Region
    measure: str = "requirements"

    def as_dict(self) -> dict[str, Any]:
        return {"by": self.by, "measure": self.measure, "rows": self.rows, "total": self.total}

    def by_key(self) -> dict[tuple, int]:
        return {tuple(row[d] for d in self.by): row["count"] for row in self.rows}


def anchor_region(user: User, filters: dict[str, Any]) -> Region:
    """The region whose next level the region dimension shows."""
    if filters.get("region"):
        region = reference.region_by_code(filters["region"])
        if region is not None and user.region.contains(region):
            return region
    return user.region


def _region_folding(anchor: Region) -> dict[int, str]:
    """region id -> the code of its ancestor one level below `anchor` (or the anchor's own)."""
    rows = db.session.execute(select(Region.id, Region.path, Region.code).where(Region.path.startswith(anchor.path)))
    folding = {}
    for region_id, path, code in rows:
        rest = path[len(anchor.path):].strip("/")
        folding[region_id] = rest.split("/")[0] if rest else anchor.code
    return folding


def _column(dimension: str, measure: str = "requirements"):
    if measure == "proposers" and dimension in ("region", "month", "channel"):
        # where, when and how each unit raised the need
        if dimension == "month":
            return periods.local_month(Proposer.raised_at, periods.utc_offset_hours())
        return Proposer.region_id if dimension == "region" else Proposer.channel
    if dimension == "region":
        return Requirement.region_id
    if dimension == "month":
        return periods.local_month(Requirement.created_at, periods.utc_offset_hours())
    return getattr(Requirement, dimension)


def scoped_where(user: User, filters: dict[str, Any]):
    """The WHERE clause of the list for these filters (scope included; `true()` for a
    province's list without filters, which has none)."""
    clause = requirements.search(user, {k: filters[k] for k in FILTER_KEYS if filters.get(k)}).whereclause
    return true() if clause is None else clause


def counts(user: User, by: list[str] | tuple[str, ...], filters: dict[str, Any] | None = None,
           measure: str = "requirements") -> Counts:
    """Requirements in scope matching `filters` (or, `measure` "proposers", their proposers inside
    the anchor region), counted by the dimensions `by` (one or two)."""
    filters = filters or {}
    by = list(by)
    where = scoped_where(user, filters)
    anchor = anchor_region(user, filters)
    columns = [_column(d, measure).label(f"d{i}") for i, d in enumerate(by)]
    if measure == "proposers":
        stmt = (select(*columns, func.count(Proposer.id).label("n"))
                .select_from(Proposer).join(Requirement, Requirement.id == Proposer.requirement_id)
                .where(where, Proposer.region_id.in_(Region.subtree_ids(anchor))).group_by(*columns))
    else:
        stmt = select(*columns, func.count().label("n")).where(where).group_by(*columns)
    folding = _region_folding(anchor) if "region" in by else {}
    grouped: dict[tuple, int] = defaultdict(int)
    for row in db.session.execute(stmt):
        key = tuple(folding.get(value, "") if d == "region" else value for d, value in zip(by, row[:-1]))
        grouped[key] += row[-1]
    orders = [ordering(d, anchor) for d in by]
    keys = sorted(grouped, key=lambda k: tuple(order.get(v, (1, str(v))) for order, v in zip(orders, k)))
    rows = [{**{d: v for d, v in zip(by, key)}, "count": grouped[key]} for key in keys]
    return Counts(by=by, rows=rows, total=sum(grouped.values()), anchor=anchor, measure=measure)


def ordering(dimension: str, anchor: Region | None = None) -> dict[str, tuple]:
    """code -> sort key: statuses in workflow order, coded lists in their configured order,
    regions by code (the anchor's own first), months ascending (by their text)."""
    if dimension == "status":
        return {s: (0, i) for i, s in enumerate(workflow.STATUSES)}
    if dimension in ("domain", "type", "channel", "priority"):
        return {row.code: (0, i) for i, row in enumerate(reference.lookups(dimension, include_inactive=True))}
    if dimension == "region" and anchor is not None:
        return {anchor.code: (0, "")}
    return {}


def labels(dimension: str, anchor: Region | None = None, english: bool = False) -> dict[str, str]:
    """code -> what a reader sees; a region's own code under itself reads "揭阳市（本级）"."""
    if dimension == "status":
        return {s: str(workflow.label(s)) for s in workflow.STATUSES}
    if dimension in ("domain", "type", "channel", "priority"):
        return reference.all_labels(english=english).get(dimension, {})
    if dimension == "region":
        names = {r.code: r.name for r in db.session.scalars(select(Region))}
        if anchor is not None:
            names[anchor.code] = f"{anchor.name}（本级）"
        return names
    return {}


def filter_args(raw: dict[str, Any], dimension: str | None = None, key: str | None = None) -> dict[str, str]:
    """The requirement list's query arguments for the items behind one figure: the filters as
    given (`raw`, strings) narrowed to `key` of `dimension`."""
    args = {k: v for k, v in raw.items() if k in ("status", "domain", "type", "channel", "priority", "region",
                                                   "from", "to") and v not in (None, "")}
    if dimension is None or key is None:
        return args
    if dimension == "month":
        month = periods.month_key_period(key)
        start, end = month.start, month.end
        # within the period the figures were filtered by
        if args.get("from") and date.fromisoformat(args["from"]) > start:
            start = date.fromisoformat(args["from"])
        if args.get("to") and date.fromisoformat(args["to"]) < end:
            end = date.fromisoformat(args["to"])
        args["from"], args["to"] = start.isoformat(), end.isoformat()
    else:
        args[dimension] = key
    return args


@dataclass
class CrossTab:
    row_dim: str
    col_dim: str | None
    row_keys: list[str]
    col_keys: list[str]
    cells: dict[tuple[str, str], int]
    row_totals: dict[str, int]
    col_totals: dict[str, int]
    total: int


def crosstab(result: Counts) -> CrossTab:
    """The counts as a table with row and column totals (one dimension: a single column)."""
    row_dim = result.by[0]
    col_dim = result.by[1] if len(result.by) > 1 else None
    row_keys: list[str] = []
    col_keys: list[str] = []
    cells: dict[tuple[str, str], int] = {}
    row_totals: dict[str, int] = defaultdict(int)
    col_totals: dict[str, int] = defaultdict(int)
    for row in result.rows:
        r = row[row_dim]
        c = row[col_dim] if col_dim else ""
        if r not in row_keys:
            row_keys.append(r)
        if c not in col_keys:
            col_keys.append(c)
        cells[(r, c)] = row["count"]
        row_totals[r] += row["count"]
        col_totals[c] += row["count"]
    if col_dim:
        order = ordering(col_dim, result.anchor)
        col_keys.sort(key=lambda v: order.get(v, (1, str(v))))
    return CrossTab(row_dim, col_dim, row_keys, col_keys, cells, dict(row_totals), dict(col_totals), result.total)


RESOLVED_STATUSES = ("resolved_locally", "released")


def resolved(user: User, filters: dict[str, Any], period: periods.Period, by_month: bool = False) -> dict[str, int]:
    """Requirements (matching the filters but their filing period) that were resolved (moved to
    resolved_locally or released) within `period`; by local month if asked, else {"": n}."""
    from app.models import Event

    where = scoped_where(user, {k: v for k, v in filters.items() if k not in ("date_from", "date_to")})
    month = periods.local_month(Event.at, periods.utc_offset_hours()).label("m")
    stmt = (
        select(month if by_month else func.min(Event.at).label("m"), func.count(func.distinct(Event.requirement_id)))
        .join(Requirement, Requirement.id == Event.requirement_id)
        .where(where, Event.kind == "transition", Event.data["to"].as_string().in_(RESOLVED_STATUSES))
        .where(Event.at >= period.start_utc, Event.at < period.end_utc)
    )
    if by_month:
        return {m: n for m, n in db.session.execute(stmt.group_by(month))}
    return {"": db.session.execute(stmt).one()[1]}


def open_count(user: User, filters: dict[str, Any], done: frozenset[str]) -> int:
    """Requirements matching the filters whose current status is not in `done`."""
    stmt = (select(func.count()).select_from(Requirement).where(scoped_where(user, filters))
            .where(Requirement.status.not_in(done)))
    return db.session.scalar(stmt) or 0
