"""The rule of a verification result: a scenario's status from its steps' statuses.

One home for it: recording a result by hand (app.services.verification) follows it whenever a
status is not set directly, the run's totals count by it, and reading a tool's report
(app.services.reports) applies the same rule to the steps the tool reports. And the shape a
result's steps are answered in (`step_items`).
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from app.utils import json_bytes


def derive_status(statuses: Sequence[str]) -> str:
    """failed > blocked > untested (not finished) > passed; all skipped -> skipped.

    Steps mixing passed and skipped make a passed scenario; a scenario only partly marked (some
    steps passed, the rest untested) is not finished: untested. No steps: untested."""
    if not statuses:
        return "untested"
    if "failed" in statuses:
        return "failed"
    if "blocked" in statuses:
        return "blocked"
    if "untested" in statuses:
        return "untested"
    if all(s == "skipped" for s in statuses):
        return "skipped"
    return "passed"


def step_items(steps: Sequence[dict[str, Any]], marks: Sequence[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """A frozen scenario's steps with an attempt's marks, as a result answers them: index,
    keyword, text, status (a step the attempt has no mark for is untested), background, and a
    data table, doc string and the tool's error only where the step has one.

    The one place this shape is built: it is stored with every attempt (`RunResult.steps_answer`,
    so the results list sends it without decoding ten thousand steps a page) and the pages read
    it for a single row (`verification.ResultRow.steps`). Kept to plain dict work, the common
    step (no table, no doc string, no error) with the fewest operations."""
    marks = marks or ()
    count = len(marks)
    answer = []
    append = answer.append
    for index, step in enumerate(steps):
        mark = marks[index] if index < count else None
        item = {"index": index, "keyword": step["keyword"], "text": step["text"],
                "status": mark.get("status", "untested") if mark else "untested",
                "background": bool(step.get("background"))}
        if step.get("data_table"):
            item["data_table"] = step["data_table"]
        if step.get("doc_string"):
            item["doc_string"] = step["doc_string"]
        if mark and mark.get("error"):
            item["error"] = mark["error"]
        append(item)
    return answer


def steps_answer(steps: Sequence[dict[str, Any]], marks: Sequence[dict[str, Any]] | None) -> str:
    """`step_items` as the JSON text stored in `RunResult.steps_answer` (UTF-8, no escapes)."""
    return json_bytes(step_items(steps, marks)).decode()
