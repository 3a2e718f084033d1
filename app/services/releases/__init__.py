"""Releases carry requirements: the lifecycle with its effects, requirements in a release,
waivers, sign-offs and the release's timeline. Each use case is one transaction; who may do
what is decided in app.services.permissions.

Effects of the release's moves on its requirements (app.services.workflow makes each move):
entering `in_acceptance` moves its `scheduled` requirements to `in_verification`; `accepted`
moves those still in it to `verified`; `completed` moves `verified` ones to `released`.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, select, update

from app.extensions import db
from app.models import (
    Release,
    ReleaseEvent,
    ReleaseRequirement,
    ReleaseSignoff,
    ReleaseWaiver,
    Requirement,
    Run,
    RunScenario,
    User,
)
from app.services import permissions, workflow
from app.services.errors import Conflict, Forbidden, Msg, NotFound, ValidationFailed
from app.services.releases import lifecycle
from app.services.releases.gate import Assessment, assess
from app.services.roles import role_msg
from app.services.uow import unit_of_work
from app.utils import utcnow

SIGNOFF_ROLES = ("manager", "reviewer", "taskforce", "engineer")
ADDABLE = ("approved", "verification_failed")


def get(user: User, release_id: int, action: str = "view") -> Release:
    return permissions.fetch(user, Release, release_id, action=action, not_found=Msg("Release not found."))


def _event(release: Release, actor: User | None, kind: str, at: datetime | None = None, **data) -> ReleaseEvent:
    event = ReleaseEvent(release_id=release.id, at=at or utcnow(), kind=kind, actor_id=actor.id if actor else None,
                         data=data)
    db.session.add(event)
    return event


def events(release: Release) -> list[ReleaseEvent]:
    """The release's timeline, oldest first."""
    return list(db.session.scalars(
        select(ReleaseEvent).where(ReleaseEvent.release_id == release.id).order_by(ReleaseEvent.at, ReleaseEvent.id)))


def _context(release: Release) -> dict[str, Any]:
    return {"release_id": release.id, "release_version": release.version}


def _move_requirement(req: Requirement, to: str, actor: User | None, release: Release, reason: str = "") -> None:
    workflow.apply_transition(req, to, actor, reason or None, context=_context(release))
    req.updated_at = utcnow()


def active_members(release: Release) -> list[ReleaseRequirement]:
    return list(db.session.scalars(
        select(ReleaseRequirement).where(ReleaseRequirement.release_id == release.id,
                                         ReleaseRequirement.removed_at.is_(None))
        .order_by(ReleaseRequirement.id)))


def _lock(release: Release) -> None:
    """Take the release's row for this transaction before reading what a decision depends on
    (its status, the sign-offs of the round): a no-op UPDATE starts the write transaction
    (SQLite: the database lock, so a concurrent request waits and then reads what this one
    committed; PostgreSQL: the row lock), and the release is read again."""
    db.session.execute(update(Release).where(Release.id == release.id).values(signoff_round=Release.signoff_round)
                       .execution_options(synchronize_session=False))
    db.session.refresh(release)


# --- the lifecycle -----------------------------------------------------------------------


def _move(release: Release, to: str, actor: User | None, reason: str = "", build: str | None = None) -> None:
    """Apply a legal move and its effects, in the caller's transaction."""
    before = release.status
    now = utcnow()
    release.status = to
    release.status_changed_at = now
    data: dict[str, Any] = {"from": before, "to": to, "reason": (reason or "").strip()}
    if build:
        release.build = build
        data["build"] = build
    if to == "in_acceptance":
        if before == "rejected":
            release.signoff_round += 1  # sign-offs start again
        for member in active_members(release):
            if member.requirement.status == "scheduled":
                _move_requirement(member.requirement, "in_verification", actor, release)
    elif to == "accepted":
        from app.services.releases import report

        release.report = report.build(release, frozen_at=now)
        for member in active_members(release):
            req = member.requirement
            if req.status == "scheduled":
                _move_requirement(req, "in_verification", actor, release)
            if req.status == "in_verification":
                _move_requirement(req, "verified", actor, release)
    elif to == "scheduled":
        from app.services.releases import rollout

        rollout.create_targets(release)  # one rollout target per city (issue 9)
    elif to == "completed":
        for member in active_members(release):
            if member.requirement.status == "verified":
                _move_requirement(member.requirement, "released", actor, release)
    elif to == "rolled_back":
        from app.services.releases import rollout

        rollout.roll_back_targets(release, actor, data["reason"])  # started regions return (issue 9)
    _event(release, actor, "transition", at=now, **data)


def signoffs(release: Release, round: int | None = None) -> list[ReleaseSignoff]:
    stmt = select(ReleaseSignoff).where(ReleaseSignoff.release_id == release.id)
    if round is not None:
        stmt = stmt.where(ReleaseSignoff.round == round)
    return list(db.session.scalars(stmt.order_by(ReleaseSignoff.id)))


def _approved_roles(release: Release) -> list[str]:
    return [s.role for s in signoffs(release, release.signoff_round) if s.decision == "approve"]


def next_signer_role(release: Release) -> str | None:
    """The role whose sign-off comes next in the current round (None: every role approved)."""
    approved = len(_approved_roles(release))
    roles = release.signoff_roles or []
    return roles[approved] if approved < len(roles) else None


def acceptance_blockers(release: Release, assessment: Assessment | None = None) -> list[Msg]:
    """What stands between the release and `accepted`: the gate's blockers and missing sign-offs."""
    assessment = assessment or assess(release)
    messages = [b.message for b in assessment.blockers]
    role = next_signer_role(release)
    if role is not None:
        messages.append(Msg("The sign-off of %(role)s is missing.", role=role_msg(role)))
    return messages


def transition(actor: User, release: Release, to: str, reason: str | None = None, build: str | None = None) -> Release:
    """Move the release; 409 names the current status and the allowed ones."""
    permissions.require(actor, "view")
    lifecycle.check_legal(release.version, release.status, to)
    permissions.require(actor, "manage_releases")
    lifecycle.check_reason(to, reason)
    build = (build or "").strip() or None
    if release.status == "rejected" and to == "in_acceptance" and not build:
        raise ValidationFailed.field("build", Msg("Name the fixed build delivered (its build label)."))
    with unit_of_work(Msg("Release %(version)s was changed by someone else meanwhile; reload.",
                          version=release.version)):
        _lock(release)
        lifecycle.check_legal(release.version, release.status, to)
        if release.status == "rejected" and to == "in_acceptance" and not build:
            raise ValidationFailed.field("build", Msg("Name the fixed build delivered (its build label)."))
        if to == "accepted":
            blockers = acceptance_blockers(release)
            if blockers:
                raise Conflict(Msg("Release %(version)s cannot be accepted yet: %(blockers)s",
                                   version=release.version, blockers=" ".join(blockers)), {"blockers": blockers})
        if to == "upgrade_requested":
            from app.services.releases import application

            application.require_complete(release)  # 409 naming the empty sections (issue 9)
        if to == "scheduled":
            from app.services.releases import upgrade

            upgrade.require_window(release)  # 409 without an upgrade window
        if to in ("rolling_out", "completed"):
            from app.services.releases import rollout

            rollout.check_manual_move(release, to)  # 409 while the rollout targets say otherwise
        _move(release, to, actor, reason or "", build)
    return release


def edit(actor: User, release: Release, data: dict[str, Any]) -> Release:
    """A manager edits the roles that must sign (while planned or in acceptance, before anyone
    signed in the current round) and the build label."""
    permissions.require(actor, "manage_releases")
    with unit_of_work():
        if "signoff_roles" in data:
            roles = list(data["signoff_roles"])
            if not roles:
                raise ValidationFailed.field("signoff_roles", Msg("Name at least one role that signs."))
            if release.status not in ("planned", "in_acceptance"):
                raise Conflict(Msg("The sign-off roles can be changed only while the release is planned or in "
                                   "acceptance testing (it is '%(status)s').", status=release.status),
                               {"signoff_roles": [Msg("Not editable now.")]})
            if signoffs(release, release.signoff_round):
                raise Conflict(Msg("Sign-off has started; the roles cannot change in this round."),
                               {"signoff_roles": [Msg("Not editable now.")]})
            if roles != release.signoff_roles:
                _event(release, actor, "roles_changed", before=release.signoff_roles, after=roles)
                release.signoff_roles = roles
        if data.get("build") is not None and data["build"].strip() != release.build:
            _event(release, actor, "build_changed", before=release.build, after=data["build"].strip())
            release.build = data["build"].strip()
    return release


def on_run_started(actor: User | None, release: Release, run: Run) -> None:
    """Called inside the run's creation: the run is on the timeline, and the first acceptance
    run moves a planned release to in_acceptance (and its scheduled requirements along)."""
    _event(release, actor, "run_started", run_id=run.id, environment=run.environment,
           scenario_count=run.scenario_count)
    if run.environment == "acceptance" and release.status == "planned":
        _move(release, "in_acceptance", actor, "")


# --- requirements in a release -----------------------------------------------------------


def membership_of(req: Requirement) -> ReleaseRequirement | None:
    """The release carrying the requirement now (its latest membership not taken out)."""
    return db.session.scalar(
        select(ReleaseRequirement).where(ReleaseRequirement.requirement_id == req.id,
                                         ReleaseRequirement.removed_at.is_(None))
        .order_by(ReleaseRequirement.id.desc()).limit(1))


def release_of(req: Requirement) -> Release | None:
    """The release carrying the requirement now, from its loaded links (no query per row in lists)."""
    return req.release_links[-1].release if req.release_links else None


def open_releases(user: User) -> list[Release]:
    """Releases that still take requirements (planned, in acceptance, rejected)."""
    permissions.require(user, "view")
    return list(db.session.scalars(
        select(Release).where(Release.status.in_(lifecycle.BEFORE_ACCEPTANCE))
        .order_by(Release.planned_date.desc().nulls_last(), Release.id.desc())))


def _check_takes_requirements(release: Release) -> None:
    if release.status not in lifecycle.BEFORE_ACCEPTANCE:
        raise Conflict(Msg("Release %(version)s is '%(status)s' (%(label)s): requirements can be added or taken out "
                           "only before it is accepted.", version=release.version, status=release.status,
                           label=lifecycle.STATUS_LABELS[release.status]))


def add_requirements(actor: User, release: Release, requirement_ids: list[int]) -> list[Requirement]:
    """Schedule approved requirements (in the actor's scope) into the release, all or nothing."""
    permissions.require(actor, "manage_releases")
    _check_takes_requirements(release)
    ids = list(dict.fromkeys(requirement_ids))
    if not ids:
        raise ValidationFailed.field("requirement_ids", Msg("Name at least one requirement."))
    found = {r.id: r for r in db.session.scalars(select(Requirement).where(
        Requirement.id.in_([i for i in ids if 0 < i <= permissions.MAX_ID])))
        if permissions.in_scope(actor, r)}
    missing = [str(i) for i in ids if i not in found]
    if missing:
        raise ValidationFailed.field("requirement_ids", Msg("Unknown requirement(s): %(ids)s.", ids=", ".join(missing)))
    taken = dict(db.session.execute(
        select(ReleaseRequirement.requirement_id, Release.version)
        .join(Release, Release.id == ReleaseRequirement.release_id)
        .where(ReleaseRequirement.requirement_id.in_(ids), ReleaseRequirement.removed_at.is_(None),
               Release.status.in_(lifecycle.OPEN))).all())
    if taken:
        req_id, version = next(iter(taken.items()))
        raise Conflict(Msg("%(code)s is already in open release %(version)s.", code=found[req_id].code,
                           version=version),
                       {"requirement_ids": [Msg("%(code)s is already in open release %(version)s.",
                                                code=found[req_id].code, version=version)]})
    reqs = [found[i] for i in ids]
    for req in reqs:
        if req.status not in ADDABLE:
            raise Conflict(Msg("%(code)s is '%(status)s' (%(label)s): only approved requirements (or those that "
                               "failed verification in an earlier release) can be scheduled into a release.",
                               code=req.code, status=req.status, label=workflow.label_lazy(req.status)),
                           {"requirement_ids": [Msg("%(code)s cannot be scheduled.", code=req.code)]})
    started = db.session.scalar(select(Run.id).where(Run.release_id == release.id,
                                                     Run.environment == "acceptance").limit(1)) is not None
    with unit_of_work(Msg("A requirement was changed by someone else meanwhile; reload.")):
        for req in reqs:
            permissions.require(actor, "transition", req, to="scheduled")
            db.session.add(ReleaseRequirement(release_id=release.id, requirement_id=req.id, added_by_id=actor.id))
            _move_requirement(req, "scheduled", actor, release)
            if started and release.status in ("in_acceptance", "rejected"):
                _move_requirement(req, "in_verification", actor, release)
            _event(release, actor, "requirement_added", requirement_id=req.id, code=req.code)
    return reqs


def remove_requirement(actor: User, release: Release, requirement_id: int, reason: str | None = None) -> Requirement:
    """Take a requirement out: back to approved while it is still scheduled; once verification
    started only when its verdict is failed (it moves to verification_failed, the failing
    scenarios named in the reason, and its scenarios no longer block the gate)."""
    permissions.require(actor, "manage_releases")
    if not 0 < requirement_id <= permissions.MAX_ID:
        raise NotFound(Msg("The requirement is not in this release."))
    member = db.session.scalar(select(ReleaseRequirement).where(
        ReleaseRequirement.release_id == release.id, ReleaseRequirement.requirement_id == requirement_id,
        ReleaseRequirement.removed_at.is_(None)))
    if member is None or not permissions.in_scope(actor, member.requirement):
        raise NotFound(Msg("The requirement is not in this release."))
    _check_takes_requirements(release)
    req = member.requirement
    if req.status == "scheduled":
        with unit_of_work():
            _move_requirement(req, "approved", actor, release, reason or "")
            db.session.delete(member)
            _event(release, actor, "requirement_removed", requirement_id=req.id, code=req.code, to="approved")
        return req
    assessment = assess(release)
    verdict = next(v for v in assessment.verdicts if v.requirement.id == req.id)
    if req.status != "in_verification" or verdict.verdict != "failed":
        raise Conflict(Msg("%(code)s is '%(status)s' with verdict '%(verdict)s': once its verification has started "
                           "it can be taken out only when its verdict is 'failed'.", code=req.code,
                           status=req.status, verdict=verdict.verdict))
    names = "、".join(f"“{assessment.scenarios[sid].name}”" for sid in verdict.failing)
    text = f"{reason.strip()}; " if (reason or "").strip() else ""
    text += f"验收不通过的场景：{names}（{release.version}）"
    now = utcnow()
    with unit_of_work():
        _move_requirement(req, "verification_failed", actor, release, text)
        member.removed_at = now
        member.removed_reason = text
        _event(release, actor, "requirement_removed", requirement_id=req.id, code=req.code,
               to="verification_failed", scenarios=[assessment.scenarios[sid].name for sid in verdict.failing])
    return req


@dataclass(frozen=True)
class RequirementVerdict:
    """A requirement of a release with its verdict and linked scenarios (the API's row)."""

    requirement: Requirement
    verdict: str
    scenario_ids: list[int]
    failing: list[int]
    removed: bool


def requirement_verdicts(user: User, release: Release, assessment: Assessment | None = None) -> list[RequirementVerdict]:
    """The release's requirements in the reader's scope, with their verdicts."""
    assessment = assessment or assess(release)
    return [RequirementVerdict(v.requirement, v.verdict, v.scenario_ids, v.failing, v.removed)
            for v in assessment.verdicts if permissions.in_scope(user, v.requirement)]


def verdict_of(user: User, req: Requirement) -> tuple[Release, RequirementVerdict] | None:
    """The requirement's release and its verdict there (the requirement page)."""
    release = release_of(req)
    if release is None:
        return None
    for v in requirement_verdicts(user, release):
        if v.requirement.id == req.id:
            return release, v
    return None


# --- the gate ----------------------------------------------------------------------------


@dataclass(frozen=True)
class GateBlocker:
    kind: str
    message: str
    scenario_id: int | None = None
    requirement_id: int | None = None


@dataclass(frozen=True)
class Gate:
    """The gate's answer: passed, blockers, and the counts (totals, per kind of check)."""

    passed: bool
    blockers: list[GateBlocker]
    totals: dict[str, int]
    kinds: dict[str, dict[str, int]]
    excluded: list[int]


def gate(user: User, release: Release, assessment: Assessment | None = None) -> Gate:
    """The gate for a reader: a blocker about a requirement outside the reader's region is
    counted but does not name it."""
    assessment = assessment or assess(release)
    in_scope = {v.requirement.id for v in assessment.verdicts if permissions.in_scope(user, v.requirement)}
    blockers = []
    for b in assessment.blockers:
        if b.requirement_id is not None and b.requirement_id not in in_scope:
            blockers.append(GateBlocker(b.kind, Msg("A requirement outside your region is not yet verified.")))
        else:
            blockers.append(GateBlocker(b.kind, b.message, b.scenario_id, b.requirement_id))
    return Gate(assessment.passed, blockers, assessment.totals(), assessment.kinds(),
                sorted(s.scenario_id for s in assessment.excluded))


# --- waivers -----------------------------------------------------------------------------


def waivers(release: Release) -> list[ReleaseWaiver]:
    """Every waiver of the release, withdrawn ones included, in order."""
    return list(db.session.scalars(
        select(ReleaseWaiver).where(ReleaseWaiver.release_id == release.id).order_by(ReleaseWaiver.id)))


def add_waiver(actor: User, release: Release, scenario_id: int, reason: str) -> ReleaseWaiver:
    permissions.require(actor, "waive")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed.field("reason", Msg("A waiver needs a reason."))
    if release.status not in lifecycle.BEFORE_ACCEPTANCE:
        raise Conflict(Msg("Release %(version)s is '%(status)s': waivers are given only before acceptance.",
                           version=release.version, status=release.status))
    state = assess(release).scenarios.get(scenario_id)
    if state is None:
        raise ValidationFailed.field("scenario_id", Msg("Scenario %(id)s is in no acceptance run of this release.",
                                                        id=scenario_id))
    if state.waiver is not None:
        raise Conflict(Msg("Scenario %(id)s is already waived.", id=scenario_id),
                       {"scenario_id": [Msg("Scenario %(id)s is already waived.", id=scenario_id)]})
    if state.status not in ("failed", "blocked"):
        raise Conflict(Msg("Scenario %(id)s is '%(status)s': only a failed or blocked scenario can be waived.",
                           id=scenario_id, status=state.status),
                       {"scenario_id": [Msg("Only a failed or blocked scenario can be waived.")]})
    with unit_of_work():
        waiver = ReleaseWaiver(release_id=release.id, scenario_id=scenario_id, reason=reason, created_by_id=actor.id)
        db.session.add(waiver)
        db.session.flush()
        _event(release, actor, "waiver_added", waiver_id=waiver.id, scenario_id=scenario_id, scenario=state.name,
               reason=reason)
    return waiver


def withdraw_waiver(actor: User, release: Release, waiver_id: int) -> ReleaseWaiver:
    permissions.require(actor, "waive")
    waiver = db.session.get(ReleaseWaiver, waiver_id) if 0 < waiver_id <= permissions.MAX_ID else None
    if waiver is None or waiver.release_id != release.id or waiver.withdrawn_at is not None:
        raise NotFound(Msg("Waiver not found."))
    if release.status not in lifecycle.BEFORE_ACCEPTANCE:
        raise Conflict(Msg("Release %(version)s is '%(status)s': waivers are withdrawn only before acceptance.",
                           version=release.version, status=release.status))
    with unit_of_work():
        waiver.withdrawn_at = utcnow()
        waiver.withdrawn_by_id = actor.id
        _event(release, actor, "waiver_withdrawn", waiver_id=waiver.id, scenario_id=waiver.scenario_id)
    return waiver


# --- sign-off ----------------------------------------------------------------------------


def may_sign_now(user: User, release: Release) -> bool:
    """The page shows the sign-off buttons to whoever may sign now."""
    if release.status != "in_acceptance" or user.role != next_signer_role(release):
        return False
    return all(s.user_id != user.id for s in signoffs(release, release.signoff_round))


def sign(actor: User, release: Release, decision: str, comment: str | None = None) -> ReleaseSignoff:
    """Sign the acceptance in order; `refuse` moves the release to rejected (the comment is the reason)."""
    permissions.require(actor, "view")
    comment = (comment or "").strip()
    if actor.role not in (release.signoff_roles or []):
        raise Forbidden(Msg("Your role (%(role)s) is not among the roles that sign release %(version)s (%(roles)s).",
                            role=actor.role, version=release.version, roles=", ".join(release.signoff_roles)))
    if decision == "refuse" and not comment:
        raise ValidationFailed.field("comment", Msg("Say why the acceptance is refused."))
    now = utcnow()
    with unit_of_work():
        _lock(release)  # two signers at once: the second reads the first one's sign-off
        _check_may_sign(actor, release)
        if decision == "approve":
            blockers = assess(release).blockers
            if blockers:
                messages = [b.message for b in blockers]
                raise Conflict(Msg("The acceptance gate does not pass yet: %(blockers)s",
                                   blockers=" ".join(messages)), {"blockers": messages})
        signoff = ReleaseSignoff(release_id=release.id, round=release.signoff_round, role=actor.role,
                                 decision=decision, comment=comment, user_id=actor.id, at=now)
        db.session.add(signoff)
        _event(release, actor, "signoff", at=now, decision=decision, role=actor.role, comment=comment,
               round=release.signoff_round)
        if decision == "refuse":
            _move(release, "rejected", actor, comment)
    return signoff


def _check_may_sign(actor: User, release: Release) -> None:
    if release.status != "in_acceptance":
        raise Conflict(Msg("Release %(version)s is '%(status)s' (%(label)s): sign-off happens in acceptance testing.",
                           version=release.version, status=release.status,
                           label=lifecycle.STATUS_LABELS[release.status]))
    current = signoffs(release, release.signoff_round)
    if any(s.user_id == actor.id for s in current):
        raise Conflict(Msg("You have already signed release %(version)s.", version=release.version))
    role = next_signer_role(release)
    if role is None:
        raise Conflict(Msg("Every required role has already signed release %(version)s.", version=release.version))
    if actor.role != role:
        raise Conflict(Msg("Sign-off is in order (%(roles)s): the role '%(role)s' signs next.",
                           roles=" → ".join(release.signoff_roles), role=role))


# --- lists -------------------------------------------------------------------------------


def listing(user: User, status: str | None = None, q: str | None = None) -> list[Release]:
    permissions.require(user, "view")
    stmt = select(Release)
    if status:
        stmt = stmt.where(Release.status == status)
    if q:
        like = f"%{q.strip()}%"
        stmt = stmt.where(Release.version.ilike(like) | Release.name.ilike(like))
    return list(db.session.scalars(stmt.order_by(Release.planned_date.desc().nulls_last(), Release.id.desc())))


def progress(releases: list[Release]) -> dict[int, dict[str, int]]:
    """Each release's scenarios by the latest attempt over its acceptance runs: passed (or
    waived), failed (or blocked), not run, out of the total; one query for all the releases."""
    result = {r.id: {"passed": 0, "failed": 0, "untested": 0, "total": 0} for r in releases}
    if not releases:
        return result
    latest = (select(func.max(RunScenario.id)).join(Run, Run.id == RunScenario.run_id)
              .where(Run.release_id.in_(list(result)), Run.environment == "acceptance")
              .group_by(Run.release_id, RunScenario.scenario_id))
    waived = and_(ReleaseWaiver.release_id == Run.release_id, ReleaseWaiver.scenario_id == RunScenario.scenario_id,
                  ReleaseWaiver.withdrawn_at.is_(None))
    rows = db.session.execute(
        select(Run.release_id, RunScenario.status, ReleaseWaiver.id.is_not(None), func.count())
        .select_from(RunScenario).join(Run, Run.id == RunScenario.run_id).outerjoin(ReleaseWaiver, waived)
        .where(RunScenario.id.in_(latest)).group_by(Run.release_id, RunScenario.status, ReleaseWaiver.id.is_not(None))
    ).all()
    for release_id, status, is_waived, count in rows:
        counts = result[release_id]
        counts["total"] += count
        if status == "passed" or is_waived:
            counts["passed"] += count
        elif status in ("failed", "blocked"):
            counts["failed"] += count
        else:
            counts["untested"] += count
    return result


def requirement_move(actor: User, req: Requirement, to: str, reason: str | None,
                     release_id: int | None) -> Requirement | None:
    """A requirement's own move that concerns a release (its page and API): `scheduled` names
    the open release (`release_id`); `approved` from scheduled and `verification_failed` take
    it out of its release. Answers None where the move is the workflow's alone (a move to
    `scheduled` without a release stays possible through the API for existing clients; the
    requirement page always names one)."""
    if release_id is not None and to != "scheduled":
        raise ValidationFailed.field("release_id", Msg("Only a move to 'scheduled' names a release."))
    if to == "scheduled" and release_id is not None:
        workflow.check_legal(req, to)
        permissions.require(actor, "transition", req, to=to)
        release = db.session.get(Release, release_id) if 0 < release_id <= permissions.MAX_ID else None
        if release is None:
            raise ValidationFailed.field("release_id", Msg("Unknown release %(id)s.", id=release_id))
        add_requirements(actor, release, [req.id])
        return req
    member = membership_of(req)
    if member is not None and to in ("approved", "verification_failed") and \
            req.status in ("scheduled", "in_verification"):
        workflow.check_legal(req, to)
        permissions.require(actor, "transition", req, to=to)
        remove_requirement(actor, db.session.get(Release, member.release_id), req.id, reason)
        return req
    return None


def waivers_of_scenario(scenario_id: int) -> dict[int, str]:
    """{release id: reason} of the scenario's active waivers."""
    return dict(db.session.execute(
        select(ReleaseWaiver.release_id, ReleaseWaiver.reason)
        .where(ReleaseWaiver.scenario_id == scenario_id, ReleaseWaiver.withdrawn_at.is_(None))).all())
