"""Duplicates (过滤重复的需求问题): similar requirements while filing, merging with every proposer,
undoing a merge, "raised by N units in M cities", and the managers' possible-duplicates groups.

A merge is the workflow move to `duplicate` (requirements.transition); `absorb` is what the move
does besides the status, in the same transaction: the original gains the duplicate's proposers
and attachments, both timelines say so, each merged proposer gets a feedback record naming the
original, and the search index of both is rewritten. `undo_merge` reverses all of it.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select

from app.extensions import db
from app.models import Attachment, Event, Feedback, Proposer, Region, Requirement, User
from app.services import permissions, search, workflow
from app.services.errors import Conflict, Msg
from app.services.uow import unit_of_work
from app.utils import utcnow

# "open": any status before closed that is still a live requirement of its own
NOT_OPEN = ("closed", "duplicate", "withdrawn")
OPEN_STATUSES = tuple(s for s in workflow.STATUSES if s not in NOT_OPEN)
# candidates read from the index before scoring; a pair at or above this is a possible duplicate
CANDIDATES = 40
# below this a "similar" requirement only shares a common word or two: not shown
MIN_SCORE = 0.2
GROUP_THRESHOLD = 0.5
GROUP_SCAN = 1000


# --- proposers ---------------------------------------------------------------------------


def add_first_proposer(req: Requirement) -> Proposer:
    """The proposer filed with a new requirement (from its proposer_* fields)."""
    proposer = Proposer(
        requirement_id=req.id, origin_id=req.id, name=req.proposer_name, unit=req.proposer_unit or "",
        contact=req.proposer_contact or "", region_id=req.region_id, channel=req.channel, raised_at=req.created_at,
    )
    db.session.add(proposer)
    return proposer


def sync_first_proposer(req: Requirement) -> None:
    """After an edit of proposer_* or the region: the first own proposer follows."""
    first = db.session.scalar(
        select(Proposer).where(Proposer.origin_id == req.id).order_by(Proposer.id).limit(1)
    )
    if first is None:
        add_first_proposer(req)
        return
    first.name, first.unit, first.contact = req.proposer_name, req.proposer_unit or "", req.proposer_contact or ""
    first.region_id = req.region_id  # a corrected region is the proposer's too


def proposers(req: Requirement) -> list[Proposer]:
    """Everyone who raised this requirement now (its own first, then those merged in)."""
    return list(
        db.session.scalars(
            select(Proposer).where(Proposer.requirement_id == req.id)
            .order_by((Proposer.origin_id != req.id).asc(), Proposer.id)
        )
    )


@dataclass(frozen=True)
class Reach:
    proposers: int
    units: int
    cities: int


def reach(requirement_ids: list[int]) -> dict[int, Reach]:
    """Per requirement: how many proposers, distinct units and distinct cities raised it."""
    if not requirement_ids:
        return {}
    rows = db.session.execute(
        select(Proposer.requirement_id, Proposer.unit, Proposer.name, Region.path)
        .join(Region, Region.id == Proposer.region_id)
        .where(Proposer.requirement_id.in_(requirement_ids))
    )
    seen: dict[int, tuple[int, set[str], set[str]]] = {}
    for rid, unit, name, path in rows:
        count, units, cities = seen.get(rid, (0, set(), set()))
        units.add((unit or name or "").strip())
        parts = [p for p in path.split("/") if p]
        if len(parts) > 1:
            cities.add(parts[1])
        seen[rid] = (count + 1, units, cities)
    return {rid: Reach(n, len(units), len(cities)) for rid, (n, units, cities) in seen.items()}


@dataclass(frozen=True)
class ProposerFigures:
    requirements: int
    proposers: int
    units: int
    cities: int


def proposer_figures(requirements_select) -> ProposerFigures:
    """How many proposers, distinct units and cities raised the requirements of a (scoped,
    filtered) select: statistics count proposers, not only requirements."""
    ids = requirements_select.order_by(None).with_only_columns(Requirement.id).subquery()
    total = db.session.scalar(select(func.count()).select_from(ids)) or 0
    proposers, units = db.session.execute(
        select(func.count(Proposer.id), func.count(func.distinct(func.coalesce(func.nullif(Proposer.unit, ""), Proposer.name))))
        .where(Proposer.requirement_id.in_(select(ids.c.id)))
    ).one()
    cities = set()
    for path in db.session.scalars(
        select(Region.path).distinct().join(Proposer, Proposer.region_id == Region.id)
        .where(Proposer.requirement_id.in_(select(ids.c.id)))
    ):
        parts = [p for p in path.split("/") if p]
        if len(parts) > 1:
            cities.add(parts[1])
    return ProposerFigures(total, proposers or 0, units or 0, len(cities))


# --- similar -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Similar:
    requirement: Requirement
    score: float


def _open_in_scope(user: User):
    return select(Requirement).where(
        permissions.region_clause(user, Requirement.region_id), Requirement.status.in_(OPEN_STATUSES)
    )


def similar(user: User, text: str, limit: int = 5, exclude_id: int | None = None) -> list[Similar]:
    """The open requirements in `user`'s scope most like `text` (a title and description being
    typed), best first, each with a 0..1 score (Dice over bigrams)."""
    permissions.require(user, "view")
    wanted = search.bigram_set(text)
    if not wanted:
        return []
    stmt = _open_in_scope(user)
    if exclude_id is not None:
        stmt = stmt.where(Requirement.id != exclude_id)
    found = [Similar(r, search.score(wanted, r)) for r in search.candidates(stmt, text, CANDIDATES)]
    found = [s for s in found if s.score >= MIN_SCORE]
    found.sort(key=lambda s: -s.score)  # stable: equal scores keep the index's rank
    return found[:limit]


@dataclass
class Group:
    """Open requirements that look like one need: the oldest first (the suggested original)."""

    original: Requirement
    duplicates: list[Similar] = field(default_factory=list)


def possible_duplicates(user: User, threshold: float = GROUP_THRESHOLD, scan: int = GROUP_SCAN) -> list[Group]:
    """Groups of open requirements in `user`'s scope whose titles pass `threshold` similarity
    (Dice over bigrams), among the `scan` most recently filed: pairs are found through the
    tokens they share, so the work follows the pairs, not the square of the window."""
    permissions.require(user, "transition", to="duplicate")
    recent = list(db.session.scalars(_open_in_scope(user).order_by(Requirement.id.desc()).limit(scan)))
    by_id = {r.id: r for r in recent}
    sets = {r.id: search.bigram_set(r.title) for r in recent}
    holders: dict[str, list[int]] = {}
    for rid, tokens in sets.items():
        for token in tokens:
            holders.setdefault(token, []).append(rid)
    parent: dict[int, int] = {}

    def root(i: int) -> int:
        while parent.get(i, i) != i:
            i = parent[i]
        return i

    grouped: set[int] = set()
    for rid, tokens in sets.items():
        shared: dict[int, int] = {}
        for token in tokens:
            for other in holders[token]:
                if other < rid:
                    shared[other] = shared.get(other, 0) + 1
        for other, common in shared.items():
            if 2 * common / (len(tokens) + len(sets[other])) >= threshold:
                a, b = root(rid), root(other)
                if a != b:
                    parent[max(a, b)] = min(a, b)
                grouped.update((rid, other))
    members: dict[int, list[int]] = {}
    for i in grouped:
        members.setdefault(root(i), []).append(i)
    groups = []
    for ids in members.values():
        ids.sort()
        original = by_id[ids[0]]
        mine = sets[original.id]
        group = Group(original)
        for i in ids[1:]:
            group.duplicates.append(Similar(by_id[i], round(search.similarity(mine, sets[i]), 3)))
        groups.append(group)
    groups.sort(key=lambda g: -g.original.id)
    return groups


# --- merge and undo ----------------------------------------------------------------------


def absorb(actor: User, duplicate: Requirement, original: Requirement, reason: str) -> None:
    """What merging `duplicate` into `original` does besides the status (caller's transaction)."""
    moved = list(db.session.scalars(select(Proposer).where(Proposer.requirement_id == duplicate.id).order_by(Proposer.id)))
    files = list(db.session.scalars(select(Attachment).where(Attachment.requirement_id == duplicate.id)))
    now = utcnow()
    for proposer in moved:
        proposer.requirement_id = original.id
        db.session.add(Feedback(
            requirement_id=duplicate.id, proposer_id=proposer.id, original_id=original.id, decision="duplicate",
            reason=reason.strip(), created_at=now, created_by_id=actor.id,
        ))
    for attachment in files:
        attachment.requirement_id = original.id
    db.session.add(Event(
        requirement_id=original.id, actor_id=actor.id, at=now, kind="merged_in",
        data={"duplicate": duplicate.code, "duplicate_id": duplicate.id, "reason": reason.strip(),
              "proposer_ids": [p.id for p in moved], "attachment_ids": [a.id for a in files],
              "proposers": [p.unit or p.name for p in moved]},
    ))
    original.updated_at = now
    search.index(original)
    search.index(duplicate)


def _merge_event(duplicate: Requirement) -> Event | None:
    """The original's latest `merged_in` event for this duplicate."""
    for event in db.session.scalars(
        select(Event).where(Event.requirement_id == duplicate.duplicate_of_id, Event.kind == "merged_in")
        .order_by(Event.id.desc())
    ):
        if event.data.get("duplicate_id") == duplicate.id:
            return event
    return None


def _status_before_merge(duplicate: Requirement) -> str:
    for event in db.session.scalars(
        select(Event).where(Event.requirement_id == duplicate.id, Event.kind == "transition").order_by(Event.id.desc())
    ):
        if event.data.get("to") == "duplicate":
            return event.data.get("from") or "submitted"
    return "submitted"


def undo_merge(actor: User, duplicate: Requirement, reason: str | None = None) -> Requirement:
    """Reverse a merge: the duplicate's status, proposers, attachments and link come back; both
    timelines say so. 409 unless it is merged, or while its original is itself merged."""
    permissions.require(actor, "transition", duplicate, to="duplicate")
    if duplicate.status != "duplicate" or duplicate.duplicate_of is None:
        raise Conflict(Msg("%(code)s is not merged into another requirement.", code=duplicate.code))
    original = duplicate.duplicate_of
    if original.status == "duplicate":
        raise Conflict(Msg("%(code)s is itself merged into another requirement now; undo that merge first.",
                           code=original.code))
    merged = _merge_event(duplicate)
    proposer_ids = (merged.data.get("proposer_ids") if merged else None) or []
    attachment_ids = (merged.data.get("attachment_ids") if merged else None) or []
    back_to = _status_before_merge(duplicate)
    reason = (reason or "").strip()
    with unit_of_work(Msg("%(code)s was changed by someone else meanwhile; reload.", code=duplicate.code)):
        now = utcnow()
        moved = list(db.session.scalars(
            select(Proposer).where(Proposer.id.in_(proposer_ids), Proposer.requirement_id == original.id)
        )) if proposer_ids else []
        for proposer in moved:
            proposer.requirement_id = duplicate.id
        if attachment_ids:
            for attachment in db.session.scalars(
                select(Attachment).where(Attachment.id.in_(attachment_ids), Attachment.requirement_id == original.id)
            ):
                attachment.requirement_id = duplicate.id
        duplicate.status = back_to
        duplicate.status_changed_at = now
        duplicate.duplicate_of_id = None
        duplicate.updated_at = now
        original.updated_at = now
        db.session.add(Event(
            requirement_id=duplicate.id, actor_id=actor.id, at=now, kind="transition",
            data={"from": "duplicate", "to": back_to, "reason": reason, "merge_undone": original.code},
        ))
        db.session.add(Event(
            requirement_id=original.id, actor_id=actor.id, at=now, kind="merge_undone",
            data={"duplicate": duplicate.code, "duplicate_id": duplicate.id, "reason": reason,
                  "proposers": [p.unit or p.name for p in moved]},
        ))
        search.index(original)
        search.index(duplicate)
    return duplicate
