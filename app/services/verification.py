"""Releases, verification runs and their results: each use case one transaction.

Recording is bulk-friendly: a request of N results reads the run's rows it touches in two
queries and writes them with two executemany UPDATEs, whatever N is.

Scope: a run without a region belongs to everyone; a run for a region is seen by users of
that region, of its ancestors (the province) and of its descendants (its counties), so a
province-wide run is visible to a county engineer and a city's run is not visible to another
city. Outside scope answers 404; a missing role 403 (app.services.permissions).
"""
from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, BinaryIO

from cucumber_tag_expressions import parse as parse_tag_expression
from cucumber_tag_expressions.parser import TagExpressionError
from sqlalchemy import and_, func, insert, select, update
from sqlalchemy.orm import aliased

from app.extensions import db
from app.models import (
    Evidence,
    FeatureFile,
    Release,
    Requirement,
    Run,
    RunResult,
    RunScenario,
    Scenario,
    ScenarioDomain,
    User,
)
from app.models.verification import RESULT_STATUSES
from app.services import files, permissions, reports
from app.services import releases as release_lifecycle
from app.services import scenarios as scenarios_service
from app.services.errors import Conflict, Msg, NotFound, ValidationFailed
from app.services.paging import Page
from app.services.results import derive_status, step_items, steps_answer
from app.services.uow import unit_of_work
from app.utils import utcnow

RETRY_STATUSES = ("failed", "blocked")


def _require_run(user: User | None, run: Run, action: str = "view") -> Run:
    """The run already loaded, checked again for a use case: scope (404), then role (403).
    `user` None is the server operator (CLI): no scope or role applies."""
    return permissions.check(user, run, action=action, not_found=Msg("Run not found."))


# --- releases ----------------------------------------------------------------------------


def create_release(actor: User, data: dict[str, Any]) -> Release:
    permissions.require(actor, "manage_releases")
    version = data["version"].strip()
    if db.session.scalar(select(Release.id).where(Release.version == version)) is not None:
        raise Conflict(Msg("Release %(version)s exists.", version=version), {"version": ["This version is taken."]})
    release = Release(
        version=version,
        name=data.get("name") or "",
        planned_date=data.get("planned_date"),
        domains=list(dict.fromkeys(data.get("domains") or [])),
        notes=data.get("notes") or "",
        created_by_id=actor.id,
    )
    with unit_of_work():
        db.session.add(release)
    return release


def releases(user: User) -> list[Release]:
    permissions.require(user, "view")
    return list(db.session.scalars(select(Release).order_by(Release.planned_date.desc().nulls_last(), Release.id.desc())))


def get_release(user: User, release_id: int) -> Release:
    return permissions.fetch(user, Release, release_id, not_found=Msg("Release not found."))


def runs_of(user: User, release: Release) -> list[Run]:
    return list(db.session.scalars(
        select(Run).where(Run.release_id == release.id, permissions.run_clause(user)).order_by(Run.id.desc())
    ))


@dataclass(frozen=True)
class ReleaseDetail:
    """A release and the runs of it the reader sees (the release's API answer)."""

    release: Release
    runs: list[Run]


def release_detail(user: User, release_id: int) -> ReleaseDetail:
    release = get_release(user, release_id)
    return ReleaseDetail(release, runs_of(user, release))


# --- runs --------------------------------------------------------------------------------


def select_scenarios(selection: dict[str, Any], user: User | None = None) -> list[int]:
    """Active scenario ids matching every given criterion, in feature and file order.

    Requirements are linked as on the browse pages (app.services.scenarios.linked_to): by the
    links made at import or by a `@REQ-…` tag, so a requirement filed after its scenarios were
    imported is selected all the same. A code outside `user`'s region is unknown, exactly like
    a code that does not exist (`user` None is the server operator: every code is known)."""
    stmt = (
        select(Scenario.id, Scenario.tags)
        .join(FeatureFile, FeatureFile.id == Scenario.feature_id)
        .where(Scenario.retired.is_(False))
        .order_by(FeatureFile.path, Scenario.position, Scenario.id)
    )
    if selection.get("domains"):
        stmt = stmt.where(Scenario.id.in_(
            select(ScenarioDomain.scenario_id).where(ScenarioDomain.domain.in_(selection["domains"]))))
    if selection.get("requirements"):
        codes = list(dict.fromkeys(selection["requirements"]))
        found = {req.code: req for req in db.session.scalars(select(Requirement).where(Requirement.code.in_(codes)))
                 if user is None or permissions.in_scope(user, req)}
        missing = [c for c in codes if c not in found]
        if missing:
            raise ValidationFailed.field("requirements", Msg("Unknown requirement(s): %(codes)s.", codes=", ".join(missing)))
        stmt = stmt.where(Scenario.id.in_(scenarios_service.linked_to(*found.values())))
    if selection.get("scenario_ids"):
        wanted = selection["scenario_ids"]
        known = set(db.session.scalars(select(Scenario.id).where(Scenario.id.in_(wanted), Scenario.retired.is_(False))))
        missing_ids = [i for i in wanted if i not in known]
        if missing_ids:
            raise ValidationFailed.field("scenario_ids", Msg("Unknown or retired scenario(s): %(ids)s.",
                                                             ids=", ".join(map(str, missing_ids))))
        stmt = stmt.where(Scenario.id.in_(wanted))
    rows = db.session.execute(stmt).all()
    if selection.get("tags"):
        try:
            expression = parse_tag_expression(selection["tags"])
        except TagExpressionError as error:
            expression_text = selection["tags"]
            reason = _tag_error_reason(error)
            if reason:
                message = Msg("Invalid tag expression: %(expression)s (%(reason)s)", expression=expression_text,
                              reason=reason)
            else:
                message = Msg("Invalid tag expression: %(expression)s", expression=expression_text)
            raise ValidationFailed.field("tags", message) from None
        rows = [row for row in rows if expression.evaluate(row.tags)]
    return [row.id for row in rows]


# The tag-expression parser's reasons, in the reader's words (its own are English for programmers).
TAG_REASONS: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], Msg]], ...] = (
    (re.compile(r"^(?P<op>and|or): Too few operands"),
     lambda m: Msg("'%(op)s' needs a tag on each side", op=m["op"])),
    (re.compile(r"^not: Too few operands"), lambda m: Msg("'not' needs a tag after it")),
    (re.compile(r"^Unclosed '\('"), lambda m: Msg("a '(' is not closed")),
    (re.compile(r"^Missing '\('"), lambda m: Msg("a ')' has no matching '('")),
    (re.compile(r"^Syntax error\. Expected operator after (?P<token>\S+)"),
     lambda m: Msg("'and' or 'or' is missing after %(token)s", token=m["token"])),
    (re.compile(r"^Syntax error\. Expected operand after BEGIN"), lambda m: Msg("the expression starts with an operator")),
    (re.compile(r"^Syntax error\. Expected operand after (?P<token>\S+)"),
     lambda m: Msg("a tag is missing after '%(token)s'", token=m["token"])),
)


def _tag_error_reason(error: TagExpressionError) -> Msg | str:
    """The parser's reason in a few words, or '' when it is not readable for a tester.

    Known reasons become messages of ours (translated on pages); another is its first line
    without the Python reprs it sometimes appends ("(expressions=[Literal('@a')])") and without
    the echoed expression and caret lines that follow."""
    first = str(error).strip().splitlines()[0] if str(error).strip() else ""
    for pattern, reason in TAG_REASONS:
        if match := pattern.match(first):
            return reason(match)
    first = re.sub(r"\s*\((?:expressions|token|operations)=.*\)\s*$", "", first).strip()
    first = re.sub(r"\s+in:\s.*$", "", first).strip()
    if not first or len(first) > 120 or re.search(r"[\[\]{}]|\w+\(", first):
        return ""
    return first.rstrip(".")


def create_run(actor: User, release: Release, data: dict[str, Any]) -> Run:
    """Freeze the selected scenarios' text into a new run (one transaction, bulk inserts).

    Testers start runs: the action is "record_results" (on-site engineers, managers, admins);
    creating the release itself stays "manage_releases"."""
    permissions.require(actor, "record_results")
    region = permissions.region_to_act_in(actor, data["region"]) if data.get("region") else None
    selection = {k: data[k] for k in ("tags", "domains", "requirements", "scenario_ids") if data.get(k)}
    ids = select_scenarios(selection, actor)
    if not ids:
        raise ValidationFailed.field("_schema", Msg("The selection matches no scenario."))
    now = utcnow()
    with unit_of_work():
        run = Run(release_id=release.id, environment=data["environment"], region=region, selection=selection,
                  scenario_count=len(ids), created_by_id=actor.id, created_at=now)
        db.session.add(run)
        db.session.flush()
        rows = []
        position = 0
        for chunk in _chunks(ids, 500):
            for scenario, path, feature_name, revision in db.session.execute(
                select(Scenario, FeatureFile.path, FeatureFile.name, FeatureFile.revision)
                .join(FeatureFile, FeatureFile.id == Scenario.feature_id).where(Scenario.id.in_(chunk))
            ).all():
                rows.append({
                    "run_id": run.id, "scenario_id": scenario.id, "feature_path": path, "feature_name": feature_name,
                    "feature_revision": revision, "key_name": scenario.key_name, "name": scenario.name,
                    "keyword": scenario.keyword, "example": scenario.example, "examples_name": scenario.examples_name,
                    "examples_index": scenario.examples_index, "row_index": scenario.row_index, "line": scenario.line,
                    "example_line": scenario.example_line, "tags": scenario.tags, "steps": scenario.steps,
                    "status": "untested", "attempt": 1, "updated_at": now,
                })
        order = {sid: i for i, sid in enumerate(ids)}
        rows.sort(key=lambda r: order[r["scenario_id"]])
        for position, row in enumerate(rows):
            row["position"] = position
        db.session.execute(insert(RunScenario), rows)
        frozen = db.session.execute(select(RunScenario.id, RunScenario.steps).where(RunScenario.run_id == run.id)).all()
        db.session.execute(insert(RunResult), [
            {"run_scenario_id": rs_id, "attempt": 1, "status": "untested", "set_directly": False,
             "step_results": [{"status": "untested"} for _ in steps], "steps_answer": steps_answer(steps, None),
             "note": "", "defect": "", "fed_back": False, "source": "", "created_at": now}
            for rs_id, steps in frozen
        ])
        # on the release's timeline; the first acceptance run starts its acceptance testing
        release_lifecycle.on_run_started(actor, release, run)
    return run


def _chunks(items: list, size: int):
    for start in range(0, len(items), size):
        yield items[start:start + size]


def get_run(user: User | None, run_id: int, action: str = "view") -> Run:
    """`user` None is the server operator (CLI): no scope or role applies."""
    return permissions.fetch(user, Run, run_id, action=action, not_found=Msg("Run not found."))


def totals(run: Run) -> dict[str, int]:
    """Scenarios of the run by their current status, and `total`.

    The counts are of scenarios, not steps: a scenario counts once, under its status as derived
    (app.services.results.derive_status) or set directly. Steps mixing passed and skipped make
    a passed scenario. A scenario only partly marked (some steps passed, the rest untested) is
    not finished: it counts as `untested`, so the run page's "done" (total − untested) and its
    progress bar move only when a scenario is finished; the scenario's own head shows how many
    of its steps are marked.
    """
    counts = dict(db.session.execute(
        select(RunScenario.status, func.count()).where(RunScenario.run_id == run.id).group_by(RunScenario.status)
    ).all())
    result = {status: int(counts.get(status, 0)) for status in RESULT_STATUSES}
    result["total"] = sum(result[s] for s in RESULT_STATUSES)
    return result


@dataclass(frozen=True)
class RunSummary:
    """A run and its scenarios counted by status (`totals`): the run's API answer."""

    run: Run
    totals: dict[str, int]


def summary(run: Run) -> RunSummary:
    return RunSummary(run, totals(run))


# --- reading results ---------------------------------------------------------------------


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
    for chunk in _chunks([row.result_id for row in rows], 1000):
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


# --- recording results -------------------------------------------------------------------


def record(actor: User, run: Run, item: dict[str, Any]) -> ResultRecords:
    """PUT one scenario's result; answers the updated row as written (`result_records` of it,
    read in the same transaction: nothing is read again after the commit)."""
    _require_run(actor, run, "record_results")
    return _apply_results(actor, run, [item], single=True)


@dataclass(frozen=True)
class Recorded:
    """How many scenarios a bulk record or a re-run touched, and the run's totals after it."""

    count: int
    totals: dict[str, int]


def record_many(actor: User, run: Run, items: list[dict[str, Any]]) -> Recorded:
    """Record a list of results in one all-or-nothing request."""
    _require_run(actor, run, "record_results")
    seen: dict[int, int] = {}
    for index, item in enumerate(items):
        if item["scenario_id"] in seen:
            raise ValidationFailed.field(f"{index}.scenario_id", Msg(
                "Scenario %(id)s appears twice (items %(first)s and %(second)s).",
                id=item["scenario_id"], first=seen[item["scenario_id"]], second=index))
        seen[item["scenario_id"]] = index
    _apply_results(actor, run, items)
    return Recorded(len(items), totals(run))


def _apply_results(actor: User | None, run: Run, items: list[dict[str, Any]], single: bool = False,
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
        for chunk in _chunks(ids, 900):
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
    _require_run(actor, run, "record_results")
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


# --- report import -----------------------------------------------------------------------


@dataclass(frozen=True)
class ImportSummary:
    """What a report import did: the report's format, the run's scenarios it matched (by the
    status each got), and the report's cases that are not in the run."""

    format: str
    matched: int
    unmatched: list[str]
    passed: int
    failed: int
    blocked: int
    skipped: int


# a file's extension, where its declared type says nothing (a CLI path, an octet-stream upload)
REPORT_TYPES_BY_EXTENSION = {".json": "application/json", ".xml": "application/xml", ".ndjson": "application/x-ndjson"}


def import_report(actor: User | None, run: Run, report: bytes | BinaryIO, *, filename: str = "",
                  content_type: str = "") -> ImportSummary:
    """Import an automated test report into a run: the one way for the API, the run page and
    `flask runs import`. Reads `report` (the body, or an open file or upload), tells Cucumber JSON,
    Cucumber Messages (NDJSON) and JUnit XML apart (by the content; the declared type, else the file's extension, where the
    content does not say), matches the report's cases to the run's scenarios and records them,
    all or nothing. A malformed report raises MalformedReport (400) saying what and where."""
    _require_run(actor, run, "record_results")
    body = report if isinstance(report, bytes) else report.read()
    if not content_type or content_type == "application/octet-stream":
        content_type = REPORT_TYPES_BY_EXTENSION.get(os.path.splitext(filename or "")[1].lower(), content_type)
    fmt, cases = reports.parse(body, content_type or "")
    rows = db.session.execute(
        select(RunScenario.scenario_id, RunScenario.feature_path, RunScenario.feature_name, RunScenario.name,
               RunScenario.key_name, RunScenario.line, RunScenario.example_line, RunScenario.examples_index,
               RunScenario.row_index, RunScenario.example, RunScenario.steps)
        .where(RunScenario.run_id == run.id)
    ).all()
    candidates = [reports.Candidate(
        scenario_id=r.scenario_id, feature_path=r.feature_path, feature_name=r.feature_name, name=r.name,
        key_name=r.key_name, line=r.line, example_line=r.example_line, examples_index=r.examples_index,
        row_index=r.row_index, example=r.example, step_texts=[s["text"] for s in r.steps],
    ) for r in rows]
    steps_of = {r.scenario_id: r.steps for r in rows}
    index = reports.Index(candidates)
    items: dict[int, dict[str, Any]] = {}
    unmatched: list[str] = []
    for case in cases:
        candidate = reports.match(case, index)
        if candidate is None:
            unmatched.append(case.label)
            continue
        step_results = reports.step_results(case, steps_of[candidate.scenario_id])
        item: dict[str, Any] = {
            "scenario_id": candidate.scenario_id,
            "steps": [{"index": i, **s} for i, s in enumerate(step_results)],
            "source": f"import:{fmt}",
        }
        # the report is a new result: its status is the derived one (clearing a status set
        # directly), or set directly where the tool's verdict differs from its steps
        derived = derive_status([s["status"] for s in step_results])
        item["status"] = case.status if derived != case.status else None
        if case.error and case.status == "failed":
            item["note"] = case.error[:1000]
        items[candidate.scenario_id] = item
    if items:
        _apply_results(actor, run, list(items.values()), source=f"import:{fmt}")
    statuses = [(item.get("status") or derive_status([s["status"] for s in item["steps"]])) for item in items.values()]
    return ImportSummary(
        format=fmt, matched=len(items), unmatched=unmatched, passed=statuses.count("passed"),
        failed=statuses.count("failed"), blocked=statuses.count("blocked"), skipped=statuses.count("skipped"),
    )


# --- evidence ----------------------------------------------------------------------------


def evidence_dir() -> str:
    return files.folder("evidence")


def add_evidence(actor: User, run: Run, scenario_id: int, filename: str, stream: BinaryIO,
                 content_type: str | None) -> Evidence:
    _require_run(actor, run, "record_results")
    row = result_row(run, scenario_id)
    # the file is removed again if the transaction fails (the commit happens inside the upload)
    with files.stored_upload("evidence", filename, stream, content_type) as stored, unit_of_work():
        evidence = Evidence(
            run_result_id=row.result.id, filename=stored.filename, stored_name=stored.stored_name,
            content_type=stored.content_type, size=stored.size, uploaded_by_id=actor.id,
        )
        db.session.add(evidence)
    return evidence


def get_evidence_for(user: User, evidence_id: int) -> tuple[Evidence, str]:
    evidence = permissions.fetch(None, Evidence, evidence_id, not_found=Msg("Evidence not found."))
    run = db.session.scalar(
        select(Run).join(RunScenario, RunScenario.run_id == Run.id).join(RunResult, RunResult.run_scenario_id == RunScenario.id)
        .where(RunResult.id == evidence.run_result_id)
    )
    permissions.check(user, run, not_found=Msg("Evidence not found."))
    return evidence, os.path.join(evidence_dir(), evidence.stored_name)
