"""Importing an automated test report (Cucumber JSON, Cucumber Messages, JUnit XML) into a run:
its cases matched to the run's scenarios and recorded as results, all or nothing."""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, BinaryIO

from sqlalchemy import select

from app.extensions import db
from app.models import (
    Run,
    RunScenario,
    User,
)
from app.services import reports
from app.services.results import derive_status
from app.services.verification.recording import apply_results
from app.services.verification.runs import require_run


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
    require_run(actor, run, "record_results")
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
        apply_results(actor, run, list(items.values()), source=f"import:{fmt}")
    statuses = [(item.get("status") or derive_status([s["status"] for s in item["steps"]])) for item in items.values()]
    return ImportSummary(
        format=fmt, matched=len(items), unmatched=unmatched, passed=statuses.count("passed"),
        failed=statuses.count("failed"), blocked=statuses.count("blocked"), skipped=statuses.count("skipped"),
    )
