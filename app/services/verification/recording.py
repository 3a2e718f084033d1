"""Recording results: one scenario (PUT), many at once (all or nothing), and re-runs.

Bulk-friendly: a request of N results reads the run's rows it touches in two queries and writes
them with two executemany UPDATEs, whatever N is; the rows are locked before they are read, so
concurrent marks on one scenario all survive."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, insert, select, update

from app.extensions import db
from app.models import (
    Evidence,
    Run,
    RunResult,
    RunScenario,
    User,
)
from app.services.errors import Msg, NotFound, ValidationFailed
from app.services.paging import Page
from app.services.results import derive_status, steps_answer
from app.services.uow import unit_of_work
from app.services.verification.reading import RECORD_FIELDS, ResultRecords
from app.services.verification.runs import RETRY_STATUSES, chunks, require_run, totals
from app.utils import utcnow


def record(actor: User, run: Run, item: dict[str, Any]) -> ResultRecords:
    """PUT one scenario's result; answers the updated row as written (`result_records` of it,
    read in the same transaction: nothing is read again after the commit)."""
    require_run(actor, run, "record_results")
    return apply_results(actor, run, [item], single=True)


@dataclass(frozen=True)
class Recorded:
    """How many scenarios a bulk record or a re-run touched, and the run's totals after it."""

    count: int
    totals: dict[str, int]


def record_many(actor: User, run: Run, items: list[dict[str, Any]]) -> Recorded:
    """Record a list of results in one all-or-nothing request."""
    require_run(actor, run, "record_results")
    seen: dict[int, int] = {}
    for index, item in enumerate(items):
        if item["scenario_id"] in seen:
            raise ValidationFailed.field(f"{index}.scenario_id", Msg(
                "Scenario %(id)s appears twice (items %(first)s and %(second)s).",
                id=item["scenario_id"], first=seen[item["scenario_id"]], second=index))
        seen[item["scenario_id"]] = index
    apply_results(actor, run, items)
    return Recorded(len(items), totals(run))


def apply_results(actor: User | None, run: Run, items: list[dict[str, Any]], single: bool = False,
                   source: str = "manual") -> ResultRecords | None:
    """Read-modify-write of the touched results, atomic per request.

    Two testers marking different steps of one scenario at the same moment must both be kept,
    so the rows are locked before they are read: a no-op UPDATE of the run's scenario rows
    starts the write transaction first (SQLite: the database write lock, so a concurrent
    request waits on the busy timeout and then reads what this one committed; PostgreSQL: row
    locks), and the read is SELECT … FOR UPDATE (PostgreSQL; SQLite has no FOR UPDATE and
    needs none inside its write transaction).

    A scenario's status: `status` given sets it directly (kept as `set_directly`);
    `"status": null` clears that, and the status follows the steps again; `steps` without
    `status` mark steps, and the status follows them — unless it was set directly, which a
    step mark does not undo (the step is recorded, the scenario keeps its status).

    `single` (a PUT of one item) answers the row as written: what was read under the lock with
    what was written (`_written_record`), and its evidence.
    """
    if not items:
        return None
    ids = list({item["scenario_id"] for item in items})
    # a single row is answered in full: the frozen scenario's columns are read with it
    answered = (RunScenario.name, RunScenario.example, RunScenario.keyword, RunScenario.feature_path,
                RunScenario.feature_name, RunScenario.examples_name, RunScenario.attempt) if single else ()
    with unit_of_work():
        current: dict[int, Any] = {}
        for chunk in chunks(ids, 900):
            db.session.execute(
                update(RunScenario).where(RunScenario.run_id == run.id, RunScenario.scenario_id.in_(chunk))
                .values(updated_at=RunScenario.updated_at).execution_options(synchronize_session=False)
            )
            for row in db.session.execute(
                select(RunScenario.id, RunScenario.scenario_id, RunScenario.steps, RunResult.id.label("result_id"),
                       RunResult.step_results, RunResult.set_directly, RunResult.status, RunResult.note,
                       RunResult.defect, RunResult.fed_back, *answered)
                .join(RunResult, and_(RunResult.run_scenario_id == RunScenario.id, RunResult.attempt == RunScenario.attempt))
                .where(RunScenario.run_id == run.id, RunScenario.scenario_id.in_(chunk))
                .with_for_update()
            ):
                current[row.scenario_id] = row
        result_updates, scenario_updates = _updates(actor, items, current, single, source)
        db.session.execute(update(RunResult), result_updates)
        db.session.execute(update(RunScenario), scenario_updates)
        return _written_record(actor, current[ids[0]], result_updates[0]) if single else None


def _written_record(actor: User | None, row: Any, written: dict[str, Any]) -> ResultRecords:
    """The results-list row of one scenario just recorded (what `result_records` would read
    back): its frozen columns and result id as read under the lock, the values written, the
    tester, and its evidence (one query). Nothing is read again."""
    values = {**row._mapping, **written, "result_id": row.result_id, "tester": actor.username if actor else None}
    record = tuple(values[name] for name in RECORD_FIELDS)
    evidence = db.session.execute(
        select(Evidence.id, Evidence.filename, Evidence.size, Evidence.run_result_id)
        .where(Evidence.run_result_id == row.result_id).order_by(Evidence.id)
    ).all()
    return ResultRecords(Page(items=[record], total=1, page=1, per_page=1), {row.result_id: evidence} if evidence else {})


def _updates(actor: User | None, items: list[dict[str, Any]], current: dict[int, Any], single: bool,
             source: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    now = utcnow()
    result_updates, scenario_updates, errors = [], [], {}
    for index, item in enumerate(items):
        prefix = "" if single else f"{index}."
        row = current.get(item["scenario_id"])
        if row is None:
            if single:
                raise NotFound(Msg("Scenario %(id)s is not in this run.", id=item["scenario_id"]))
            errors[f"{prefix}scenario_id"] = [Msg("Scenario %(id)s is not in this run.", id=item["scenario_id"])]
            continue
        step_results = [dict(s) for s in (row.step_results or [])]
        step_results += [{"status": "untested"} for _ in range(len(row.steps) - len(step_results))]
        for s_index, step in enumerate(item.get("steps") or []):
            position = step["index"]
            if position >= len(row.steps):
                errors[f"{prefix}steps.{s_index}.index"] = [Msg(
                    "Step %(index)s does not exist; this scenario has %(n)s steps (0 to %(last)s).",
                    index=position, n=len(row.steps), last=len(row.steps) - 1)]
                continue
            step_results[position] = {"status": step["status"]}
            if step.get("error"):
                step_results[position]["error"] = step["error"]
        if item.get("status") is not None:
            status, set_directly = item["status"], True
        elif "status" in item or (item.get("steps") and not row.set_directly):
            # status null (clear a status set directly), or steps marked: the status follows the steps
            status, set_directly = derive_status([s["status"] for s in step_results]), False
        else:
            # nothing about the status, or steps marked on a scenario whose status was set directly
            status, set_directly = row.status, row.set_directly
        result_updates.append({
            "id": row.result_id, "status": status, "set_directly": set_directly, "step_results": step_results,
            "steps_answer": steps_answer(row.steps, step_results),
            "note": item["note"] if item.get("note") is not None else row.note,
            "defect": item["defect"] if item.get("defect") is not None else row.defect,
            "fed_back": item["fed_back"] if item.get("fed_back") is not None else row.fed_back,
            "tester_id": actor.id if actor else None, "recorded_at": now, "source": item.get("source", source),
        })
        scenario_updates.append({"id": row.id, "status": status, "updated_at": now})
    if errors:
        raise ValidationFailed(Msg("%(n)s result(s) are invalid; nothing was recorded.", n=len(errors)), errors)
    return result_updates, scenario_updates


def rerun(actor: User, run: Run, scenario_ids: list[int] | None = None) -> Recorded:
    """Start a new attempt on the run's failed and blocked scenarios; earlier attempts are kept."""
    require_run(actor, run, "record_results")
    stmt = select(RunScenario.id, RunScenario.attempt, RunScenario.steps).where(
        RunScenario.run_id == run.id, RunScenario.status.in_(RETRY_STATUSES))
    if scenario_ids:
        stmt = stmt.where(RunScenario.scenario_id.in_(scenario_ids))
    rows = db.session.execute(stmt).all()
    if not rows:
        return Recorded(0, totals(run))
    now = utcnow()
    with unit_of_work():
        db.session.execute(insert(RunResult), [
            {"run_scenario_id": r.id, "attempt": r.attempt + 1, "status": "untested", "set_directly": False,
             "step_results": [{"status": "untested"} for _ in r.steps], "steps_answer": steps_answer(r.steps, None),
             "note": "", "defect": "", "fed_back": False, "source": "", "created_at": now}
            for r in rows
        ])
        db.session.execute(update(RunScenario), [
            {"id": r.id, "attempt": r.attempt + 1, "status": "untested", "updated_at": now} for r in rows
        ])
    return Recorded(len(rows), totals(run))
