"""The rule of a verification result: a scenario's status from its steps' statuses.

One home for it: recording a result by hand (app.services.verification) follows it whenever a
status is not set directly, the run's totals count by it, and reading a tool's report
(app.services.reports) applies the same rule to the steps the tool reports.
"""
from __future__ import annotations

from collections.abc import Sequence


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
