"""Verification runs: the scenarios a selection picks (tags, domains, features, requirements),
starting a run (every scenario frozen as it is, one untested attempt each), loading a run for a
user and a use case, and its totals by status.

Scope: a run without a region belongs to everyone; a run for a region is seen by users of that
region, of its ancestors (the province) and of its descendants (its counties). Outside scope
answers 404; a missing role 403 (app.services.permissions)."""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cucumber_tag_expressions import parse as parse_tag_expression
from cucumber_tag_expressions.parser import TagExpressionError
from sqlalchemy import func, insert, select

from app.extensions import db
from app.models import (
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
from app.services import permissions
from app.services import releases as release_lifecycle
from app.services import scenarios as scenarios_service
from app.services.errors import Msg, ValidationFailed
from app.services.results import steps_answer
from app.services.uow import unit_of_work
from app.utils import utcnow

RETRY_STATUSES = ("failed", "blocked")


def require_run(user: User | None, run: Run, action: str = "view") -> Run:
    """The run already loaded, checked again for a use case: scope (404), then role (403).
    `user` None is the server operator (CLI): no scope or role applies."""
    return permissions.check(user, run, action=action, not_found=Msg("Run not found."))




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
        for chunk in chunks(ids, 500):
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


def chunks(items: list, size: int):
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
