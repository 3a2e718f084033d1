"""Whether a release may be accepted: each requirement's verdict and the acceptance gate.

Everything is computed from a fixed number of queries, whatever the number of scenarios or
requirements: the release's acceptance runs, the latest attempt of each scenario over them
(the scenario's row in its latest acceptance run, which carries that run's current attempt),
the requirements the release carries (and those taken out), their `@REQ-…` links, and the
release's waivers.

A requirement's verdict: `no_scenario` (no scenario is linked to it), `failed` (a linked
scenario's latest attempt failed and is not waived), `untested` (a linked scenario is not yet
passed: not run, blocked, skipped, or in no acceptance run), else `passed` (every linked
scenario passed or is waived).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select

from app.extensions import db
from app.models import (
    Release,
    ReleaseRequirement,
    ReleaseWaiver,
    Requirement,
    Run,
    RunScenario,
    Scenario,
    ScenarioDomain,
    ScenarioRequirement,
    ScenarioTag,
)
from app.services.errors import Msg

ACCEPTANCE = "acceptance"
VERDICTS = ("passed", "failed", "untested", "no_scenario")
BLOCKER_KINDS = ("failed", "blocked", "untested", "no_scenario", "no_acceptance_run")
# kinds of check (seed 000: 功能验证、流程验证、系统控制验证), by their tag
CHECK_KINDS = {"@功能验证": "function", "@流程验证": "process", "@系统控制验证": "system_control"}


@dataclass
class ScenarioState:
    """A scenario selected in the release's acceptance runs, as its latest attempt left it."""

    scenario_id: int
    run_id: int
    run_scenario_id: int
    name: str
    feature_path: str
    tags: list[str]
    status: str
    waiver: ReleaseWaiver | None = None
    requirement_ids: set[int] = field(default_factory=set)
    # linked only to requirements taken out of the release: it no longer blocks the gate
    excluded: bool = False

    @property
    def effective(self) -> str:
        return "passed" if self.waiver is not None and self.status != "passed" else self.status


@dataclass
class Verdict:
    requirement: Requirement
    verdict: str
    scenario_ids: list[int]
    failing: list[int]
    removed: bool = False


@dataclass
class Blocker:
    kind: str
    message: Msg
    scenario_id: int | None = None
    requirement_id: int | None = None


@dataclass
class Assessment:
    release: Release
    run_ids: list[int]
    scenarios: dict[int, ScenarioState]
    verdicts: list[Verdict]
    blockers: list[Blocker]
    waivers: list[ReleaseWaiver]

    @property
    def passed(self) -> bool:
        return not self.blockers

    @property
    def counted(self) -> list[ScenarioState]:
        """The scenarios that count for the gate (not excluded)."""
        return [s for s in self.scenarios.values() if not s.excluded]

    @property
    def excluded(self) -> list[ScenarioState]:
        return [s for s in self.scenarios.values() if s.excluded]

    def totals(self) -> dict[str, int]:
        result = {"passed": 0, "failed": 0, "blocked": 0, "untested": 0, "waived": 0, "total": 0}
        for s in self.counted:
            result["total"] += 1
            if s.waiver is not None and s.status != "passed":
                result["waived"] += 1
            else:
                result["untested" if s.status in ("untested", "skipped") else s.status] += 1
        return result

    def kinds(self) -> dict[str, dict[str, int]]:
        """Scenarios per kind of check (function, process, system control) by outcome."""
        result = {kind: {"passed": 0, "failed": 0, "blocked": 0, "untested": 0, "waived": 0, "total": 0}
                  for kind in CHECK_KINDS.values()}
        for s in self.counted:
            for tag in s.tags:
                kind = CHECK_KINDS.get(tag)
                if kind is None:
                    continue
                counts = result[kind]
                counts["total"] += 1
                if s.waiver is not None and s.status != "passed":
                    counts["waived"] += 1
                else:
                    counts["untested" if s.status in ("untested", "skipped") else s.status] += 1
        return result

    def domains(self) -> dict[str, dict[str, int]]:
        """Scenarios per domain by outcome (one query)."""
        ids = [s.scenario_id for s in self.counted]
        result: dict[str, dict[str, int]] = {}
        if not ids:
            return result
        for sid, domain in db.session.execute(
                select(ScenarioDomain.scenario_id, ScenarioDomain.domain).where(ScenarioDomain.scenario_id.in_(ids))):
            s = self.scenarios[sid]
            counts = result.setdefault(domain, {"passed": 0, "failed": 0, "blocked": 0, "untested": 0, "waived": 0,
                                                "total": 0})
            counts["total"] += 1
            if s.waiver is not None and s.status != "passed":
                counts["waived"] += 1
            else:
                counts["untested" if s.status in ("untested", "skipped") else s.status] += 1
        return dict(sorted(result.items()))


def acceptance_run_ids(release: Release) -> list[int]:
    return list(db.session.scalars(
        select(Run.id).where(Run.release_id == release.id, Run.environment == ACCEPTANCE).order_by(Run.id)))


def memberships(release: Release) -> list[ReleaseRequirement]:
    """The requirements the release carries (and those taken out), in code order."""
    return list(db.session.scalars(
        select(ReleaseRequirement).join(Requirement, Requirement.id == ReleaseRequirement.requirement_id)
        .where(ReleaseRequirement.release_id == release.id).order_by(Requirement.code)))


def active_waivers(release: Release) -> list[ReleaseWaiver]:
    return list(db.session.scalars(
        select(ReleaseWaiver).where(ReleaseWaiver.release_id == release.id, ReleaseWaiver.withdrawn_at.is_(None))
        .order_by(ReleaseWaiver.id)))


def _links(reqs: list[Requirement]) -> dict[int, set[int]]:
    """{requirement id: ids of active scenarios linked to it} (at import, or by `@REQ-…` tag)."""
    result: dict[int, set[int]] = {r.id: set() for r in reqs}
    if not reqs:
        return result
    by_tag = {f"@{r.code}": r.id for r in reqs}
    rows = db.session.execute(
        select(ScenarioRequirement.requirement_id, ScenarioRequirement.scenario_id)
        .join(Scenario, Scenario.id == ScenarioRequirement.scenario_id)
        .where(ScenarioRequirement.requirement_id.in_(list(result)), Scenario.retired.is_(False))
    ).all()
    for req_id, sid in rows:
        result[req_id].add(sid)
    for tag, sid in db.session.execute(
        select(ScenarioTag.tag, ScenarioTag.scenario_id).join(Scenario, Scenario.id == ScenarioTag.scenario_id)
        .where(ScenarioTag.tag.in_(list(by_tag)), Scenario.retired.is_(False))
    ).all():
        result[by_tag[tag]].add(sid)
    return result


def _latest(run_ids: list[int]) -> dict[int, ScenarioState]:
    """Each scenario of the acceptance runs, from its latest acceptance run (one query)."""
    if not run_ids:
        return {}
    latest_ids = (select(func.max(RunScenario.id)).where(RunScenario.run_id.in_(run_ids))
                  .group_by(RunScenario.scenario_id))
    rows = db.session.execute(
        select(RunScenario.id, RunScenario.scenario_id, RunScenario.run_id, RunScenario.name,
               RunScenario.feature_path, RunScenario.tags, RunScenario.status, RunScenario.position)
        .where(RunScenario.id.in_(latest_ids)).order_by(RunScenario.run_id, RunScenario.position)
    ).all()
    return {r.scenario_id: ScenarioState(scenario_id=r.scenario_id, run_id=r.run_id, run_scenario_id=r.id,
                                         name=r.name, feature_path=r.feature_path, tags=list(r.tags or []),
                                         status=r.status) for r in rows}


def assess(release: Release) -> Assessment:
    run_ids = acceptance_run_ids(release)
    scenarios = _latest(run_ids)
    waivers = active_waivers(release)
    for waiver in waivers:
        if waiver.scenario_id in scenarios:
            scenarios[waiver.scenario_id].waiver = waiver
    members = memberships(release)
    links = _links([m.requirement for m in members])
    active_ids = {m.requirement_id for m in members if m.removed_at is None}
    for req_id, sids in links.items():
        for sid in sids:
            if sid in scenarios:
                scenarios[sid].requirement_ids.add(req_id)
    for state in scenarios.values():
        state.excluded = bool(state.requirement_ids) and not (state.requirement_ids & active_ids)

    verdicts = []
    for member in members:
        sids = sorted(links.get(member.requirement_id, ()))
        failing = [sid for sid in sids if sid in scenarios and scenarios[sid].effective == "failed"]
        if not sids:
            verdict = "no_scenario"
        elif failing:
            verdict = "failed"
        elif all(sid in scenarios and scenarios[sid].effective == "passed" for sid in sids):
            verdict = "passed"
        else:
            verdict = "untested"
        verdicts.append(Verdict(member.requirement, verdict, sids, failing, removed=member.removed_at is not None))

    blockers: list[Blocker] = []
    if not run_ids:
        blockers.append(Blocker("no_acceptance_run", Msg(
            "No acceptance run has been started for release %(version)s: start a run in the acceptance environment.",
            version=release.version)))
    for state in scenarios.values():
        if state.excluded or state.effective == "passed":
            continue
        if state.effective == "failed":
            message = Msg("Scenario \"%(name)s\" failed in run #%(run)s: fix it and run it again, take its "
                          "requirement out, or waive it with a reason.", name=state.name, run=state.run_id)
            kind = "failed"
        elif state.effective == "blocked":
            message = Msg("Scenario \"%(name)s\" is blocked in run #%(run)s: it could not be tested.",
                          name=state.name, run=state.run_id)
            kind = "blocked"
        else:
            message = Msg("Scenario \"%(name)s\" has not been run yet in run #%(run)s.",
                          name=state.name, run=state.run_id)
            kind = "untested"
        blockers.append(Blocker(kind, message, scenario_id=state.scenario_id))
    for v in verdicts:
        if v.removed:
            continue
        if v.verdict == "no_scenario":
            blockers.append(Blocker("no_scenario", Msg(
                "%(code)s has no acceptance scenario: tag a scenario with @%(code)s and run it.", code=v.requirement.code),
                requirement_id=v.requirement.id))
        elif run_ids and any(sid not in scenarios for sid in v.scenario_ids):
            blockers.append(Blocker("untested", Msg(
                "%(code)s has scenarios that no acceptance run includes: start a run that selects them.",
                code=v.requirement.code), requirement_id=v.requirement.id))
    return Assessment(release, run_ids, scenarios, verdicts, blockers, waivers)
