"""Reading a run's results: rows of the frozen scenario with its current attempt, for the pages
(`result_rows`, `result_page`: ORM rows) and for the API's results list (`result_records`: plain
column rows, one query a page, the steps sent as stored), a scenario's place in the run and its
attempts."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import aliased

from app.extensions import db
from app.models import (
    Evidence,
    Run,
    RunResult,
    RunScenario,
    User,
)
from app.services.errors import Msg, NotFound
from app.services.paging import Page
from app.services.results import step_items
from app.services.verification.runs import RETRY_STATUSES, chunks


@dataclass(frozen=True)
class StepResult:
    """A frozen step of a run's scenario with its mark in the current attempt. A data table, a
    doc string and a tool's error message only where the step has one."""

    index: int
    keyword: str
    text: str
    status: str
    background: bool = False
    data_table: list[list[str]] | None = None
    doc_string: dict[str, str] | None = None
    error: str | None = None


@dataclass
class ResultRow:
    """A run's scenario as frozen, with its current attempt."""

    scenario: RunScenario
    result: RunResult
    evidence: list[Evidence] = field(default_factory=list)

    @cached_property
    def steps(self) -> list[StepResult]:
        """The frozen steps with their marks (a step the attempt has no mark for is untested)."""
        return [StepResult(**item) for item in step_items(self.scenario.steps, self.result.step_results)]


def _where(run: Run, status: str | None = None, scenario_ids: list[int] | None = None) -> list:
    """Which of the run's scenarios: by status ("failures": failed or blocked) and id."""
    where = [RunScenario.run_id == run.id, *_status_clause(RunScenario, status)]
    if scenario_ids is not None:
        where.append(RunScenario.scenario_id.in_(scenario_ids))
    return where


def _status_clause(entity, status: str | None) -> list:
    """The filter on a run's scenario rows (`entity`: RunScenario or an alias of it) by status."""
    if status == "failures":
        return [entity.status.in_(RETRY_STATUSES)]
    return [entity.status == status] if status else []


def _rows(stmt, with_evidence: bool) -> list[ResultRow]:
    """The run's scenarios joined to their current attempt, in run order (and their evidence)."""
    stmt = (
        stmt.add_columns(RunResult)
        .join(RunResult, and_(RunResult.run_scenario_id == RunScenario.id, RunResult.attempt == RunScenario.attempt))
        .order_by(RunScenario.position)
    )
    rows = [ResultRow(rs, res) for rs, res in db.session.execute(stmt).all()]
    if with_evidence and rows:
        by_result = {row.result.id: row for row in rows}
        for evidence in db.session.scalars(
            select(Evidence).where(Evidence.run_result_id.in_(list(by_result))).order_by(Evidence.id)
        ):
            by_result[evidence.run_result_id].evidence.append(evidence)
    return rows


def result_rows(run: Run, status: str | None = None, scenario_ids: list[int] | None = None,
                with_evidence: bool = False) -> list[ResultRow]:
    return _rows(select(RunScenario).where(*_where(run, status, scenario_ids)), with_evidence)


def result_page(run: Run, status: str | None = None, page: int | None = None, per_page: int | None = None,
                with_evidence: bool = True) -> Page:
    """The run's rows matching `status` (with their evidence unless told not), in run order: the
    page `page` of `per_page` rows (cut in SQL), or every row when `page` is None (counted all
    the same)."""
    where = _where(run, status)
    stmt = select(RunScenario).where(*where)
    if page is None or per_page is None:
        rows = _rows(stmt, with_evidence=with_evidence)
        return Page(items=rows, total=len(rows), page=1, per_page=max(1, len(rows)))
    total = db.session.scalar(select(func.count()).select_from(RunScenario).where(*where)) or 0
    rows = _rows(stmt.limit(per_page).offset((page - 1) * per_page), with_evidence=with_evidence)
    return Page(items=rows, total=total, page=page, per_page=per_page)


@dataclass(frozen=True)
class ResultRecords:
    """A page of a run's rows read as plain database rows (no ORM objects): what the results
    list of the API serialises (app.schemas.verification.dump_result_records). `evidence` maps
    a result's id to its evidence rows (id, filename, size)."""

    page: Page
    evidence: dict[int, list[Any]]


# the columns of a results-list row, in the order app.schemas.verification.dump_result_records
# unpacks them (a recorded row is built in this order too: _written_record)
RECORD_FIELDS = ("scenario_id", "name", "example", "status", "steps_answer", "keyword", "feature_path", "feature_name",
                 "examples_name", "attempt", "result_id", "set_directly", "note", "defect", "fed_back", "source",
                 "recorded_at", "tester")


def _record_columns() -> list:
    columns = {column.key: column for column in (
        RunScenario.scenario_id, RunScenario.name, RunScenario.example, RunScenario.status, RunResult.steps_answer,
        RunScenario.keyword, RunScenario.feature_path, RunScenario.feature_name, RunScenario.examples_name,
        RunScenario.attempt, RunResult.id.label("result_id"), RunResult.set_directly, RunResult.note,
        RunResult.defect, RunResult.fed_back, RunResult.source, RunResult.recorded_at, User.username.label("tester"))}
    return [columns[name] for name in RECORD_FIELDS]


def result_records(run: Run, status: str | None = None, page: int | None = None,
                   per_page: int | None = None, scenario_ids: list[int] | None = None) -> ResultRecords:
    """The rows `result_page` answers (or those of `scenario_ids`), in run order, read with one
    Core query (the scenario as frozen, its current attempt and the tester's username) and one
    for the page's evidence: no ORM object per row, so a page of a thousand rows costs what two
    queries cost. app.schemas.verification.dump_result_records reads the columns in this order."""
    where = _where(run, status, scenario_ids)
    stmt = (
        select(*_record_columns())
        .join(RunResult, and_(RunResult.run_scenario_id == RunScenario.id, RunResult.attempt == RunScenario.attempt))
        .outerjoin(User, User.id == RunResult.tester_id)
        .where(*where)
        .order_by(RunScenario.position)
    )
    # columns only: executed on the session's connection, past the ORM's row processing
    connection = db.session.connection()
    if page is None or per_page is None:
        rows = connection.execute(stmt).all()
        result = Page(items=rows, total=len(rows), page=1, per_page=max(1, len(rows)))
    else:
        total = db.session.scalar(select(func.count()).select_from(RunScenario).where(*where)) or 0
        rows = connection.execute(stmt.limit(per_page).offset((page - 1) * per_page)).all()
        result = Page(items=rows, total=total, page=page, per_page=per_page)
    evidence: dict[int, list[Any]] = {}
    # the evidence of these rows only (by the results' ids: over `ix_evidence_run_result_id`)
    for chunk in chunks([row.result_id for row in rows], 1000):
        for e in connection.execute(
            select(Evidence.id, Evidence.filename, Evidence.size, Evidence.run_result_id)
            .where(Evidence.run_result_id.in_(chunk)).order_by(Evidence.id)
        ):
            evidence.setdefault(e.run_result_id, []).append(e)
    return ResultRecords(result, evidence)


def result_position(run: Run, scenario_id: int, status: str | None = None) -> int | None:
    """Where the run's scenario `scenario_id` stands among the rows matching `status`, in run
    order (0 for the first), or None when it is not one of them: one query (the rows before it,
    counted over `ix_run_scenario_run_position`), so a page can be opened at it
    (page = position // per_page + 1)."""
    target = aliased(RunScenario)
    before = (
        select(func.count()).select_from(RunScenario)
        .where(*_where(run, status), RunScenario.position < target.position)
        .scalar_subquery()
    )
    return db.session.scalar(
        select(before).select_from(target)
        .where(target.run_id == run.id, target.scenario_id == scenario_id, *_status_clause(target, status))
    )


def result_row(run: Run, scenario_id: int) -> ResultRow:
    rows = result_rows(run, scenario_ids=[scenario_id], with_evidence=True)
    if not rows:
        raise NotFound(Msg("Scenario %(id)s is not in this run.", id=scenario_id))
    return rows[0]


def attempts(run: Run, scenario_id: int) -> list[RunResult]:
    return list(db.session.scalars(
        select(RunResult).join(RunScenario, RunScenario.id == RunResult.run_scenario_id)
        .where(RunScenario.run_id == run.id, RunScenario.scenario_id == scenario_id)
        .order_by(RunResult.attempt.desc())
    ))
