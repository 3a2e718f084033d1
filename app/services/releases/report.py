"""The acceptance report's data and the problem list fed back to the provincial operations centre.

The report is built from the assessment (app.services.releases.gate), so the release page, the
gate, the printable report and the .docx never disagree. At `accepted` it is stored on the
release as JSON and read from there afterwards: what was signed stays as signed.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, select

from app.extensions import db
from app.models import Evidence, Release, Run, RunResult, RunScenario, User
from app.services import permissions
from app.services.releases.gate import Assessment, ScenarioState, active_waivers, assess
from app.utils import iso_utc, utcnow


@dataclass(frozen=True)
class Problem:
    """A failed or blocked scenario of the latest attempts, as fed back (问题反馈清单)."""

    scenario_id: int
    run_id: int
    name: str
    feature_path: str
    status: str
    attempt: int
    failing_step: str
    error: str
    defect: str
    evidence: list[dict[str, Any]]
    fed_back: bool
    waived: bool
    excluded: bool


def _first_failing(steps: list[dict[str, Any]], marks: list[dict[str, Any]]) -> tuple[str, str]:
    for index, mark in enumerate(marks or []):
        if mark.get("status") in ("failed", "blocked") and index < len(steps):
            step = steps[index]
            return f"{step.get('keyword', '').strip()} {step.get('text', '')}".strip(), mark.get("error") or ""
    return "", ""


def problems(user: User | None, release: Release, assessment: Assessment | None = None) -> list[Problem]:
    """Every failed or blocked scenario of the latest attempts (in runs the reader sees), with
    its failing step, error text, defect, evidence and whether it was fed back. Two queries."""
    assessment = assessment or assess(release)
    states: dict[int, ScenarioState] = {s.run_scenario_id: s for s in assessment.scenarios.values()
                                        if s.status in ("failed", "blocked")}
    if not states:
        return []
    stmt = (select(RunScenario.id, RunScenario.steps, RunScenario.attempt, RunResult.id.label("result_id"),
                   RunResult.step_results, RunResult.note, RunResult.defect, RunResult.fed_back)
            .join(RunResult, and_(RunResult.run_scenario_id == RunScenario.id, RunResult.attempt == RunScenario.attempt))
            .join(Run, Run.id == RunScenario.run_id)
            .where(RunScenario.id.in_(list(states))))
    if user is not None:
        stmt = stmt.where(permissions.run_clause(user))
    rows = db.session.execute(stmt).all()
    evidence: dict[int, list[dict[str, Any]]] = {}
    if rows:
        for e in db.session.scalars(select(Evidence).where(Evidence.run_result_id.in_([r.result_id for r in rows]))
                                    .order_by(Evidence.id)):
            evidence.setdefault(e.run_result_id, []).append(
                {"id": e.id, "filename": e.filename, "url": f"/api/v1/evidence/{e.id}"})
    result = []
    for row in rows:
        state = states[row.id]
        step, error = _first_failing(row.steps, row.step_results)
        result.append(Problem(
            scenario_id=state.scenario_id, run_id=state.run_id, name=state.name, feature_path=state.feature_path,
            status=state.status, attempt=row.attempt, failing_step=step, error=error or row.note or "",
            defect=row.defect or "", evidence=evidence.get(row.result_id, []), fed_back=bool(row.fed_back),
            waived=state.waiver is not None, excluded=state.excluded,
        ))
    result.sort(key=lambda p: (p.feature_path, p.run_id, p.scenario_id))
    return result


def build(release: Release, frozen_at: datetime | None = None) -> dict[str, Any]:
    """The acceptance report's content as plain JSON-able data (release-wide: what is signed)."""
    from app.services.releases import signoffs

    assessment = assess(release)
    runs = list(db.session.scalars(select(Run).where(Run.id.in_(assessment.run_ids)).order_by(Run.id))) \
        if assessment.run_ids else []
    waiver_rows = active_waivers(release)
    names = {s.scenario_id: s.name for s in assessment.scenarios.values()}
    return {
        "release": {
            "id": release.id, "version": release.version, "name": release.name, "build": release.build,
            "planned_date": release.planned_date.isoformat() if release.planned_date else None,
            "domains": list(release.domains or []),
        },
        "frozen_at": iso_utc(frozen_at) if frozen_at else None,
        "generated_at": iso_utc(utcnow()),
        "passed": assessment.passed,
        "requirements": [
            {"id": v.requirement.id, "code": v.requirement.code, "title": v.requirement.title,
             "domain": v.requirement.domain, "verdict": v.verdict, "removed": v.removed,
             "scenarios": [names.get(sid, "") for sid in v.scenario_ids if sid in names]}
            for v in assessment.verdicts
        ],
        "runs": [
            {"id": r.id, "environment": r.environment, "region": r.region.name if r.region else None,
             "created_by": r.created_by.name, "created_at": iso_utc(r.created_at), "scenario_count": r.scenario_count}
            for r in runs
        ],
        "totals": assessment.totals(),
        "domains": assessment.domains(),
        "kinds": assessment.kinds(),
        "failures": [
            {"scenario_id": p.scenario_id, "run_id": p.run_id, "name": p.name, "feature_path": p.feature_path,
             "status": p.status, "failing_step": p.failing_step, "error": p.error, "defect": p.defect,
             "waived": p.waived, "excluded": p.excluded}
            for p in problems(None, release, assessment)
        ],
        "waivers": [
            {"id": w.id, "scenario_id": w.scenario_id, "scenario": names.get(w.scenario_id, ""), "reason": w.reason,
             "by": w.created_by.name, "at": iso_utc(w.created_at)}
            for w in waiver_rows
        ],
        "signoffs": [
            {"role": s.role, "user": s.user.name, "decision": s.decision, "comment": s.comment, "at": iso_utc(s.at),
             "round": s.round}
            for s in signoffs(release, release.signoff_round)
        ],
    }


def report_of(release: Release) -> dict[str, Any]:
    """The report as signed once accepted, else as it stands now."""
    return release.report if release.report else build(release)
