"""The work behind `flask features import DIR` and `flask runs import RUN_ID FILE`.

The CLI runs with the server operator's authority (no signed-in user): imports are recorded
without an uploader or tester.
"""
from __future__ import annotations

import os
from collections.abc import Callable, Iterator

import click

from app.services import scenarios, verification
from app.services.errors import DomainError, NotFound


def import_features(directory: str, echo: Callable[[str], None]) -> dict[str, int]:
    paths = []
    for root, dirs, files in os.walk(directory):
        dirs.sort()
        paths += [os.path.join(root, f) for f in sorted(files) if f.endswith(".feature")]

    def read() -> Iterator[tuple[str, bytes]]:
        for full in paths:
            with open(full, "rb") as fh:
                yield os.path.relpath(full, directory).replace(os.sep, "/"), fh.read()

    counts = {"files": len(paths), "new_revisions": 0, "unchanged": 0, "errors": 0, "scenarios": 0}
    for outcome in scenarios.import_feature_files(None, read()):
        result = outcome.result
        if result is None:
            counts["errors"] += 1
            echo(f"  ERROR {outcome.path}: {outcome.error}")
            continue
        counts["scenarios"] += result.scenario_count
        if result.unchanged:
            counts["unchanged"] += 1
            echo(f"  = {outcome.path} (revision {result.revision}, unchanged)")
        else:
            counts["new_revisions"] += 1
            echo(f"  + {outcome.path} revision {result.revision}: {result.scenario_count} scenarios "
                 f"(+{len(result.added)} ~{len(result.changed)} renamed {len(result.renamed)} "
                 f"retired {len(result.retired)})")
    echo(f"{counts['files']} feature files: {counts['new_revisions']} imported, {counts['unchanged']} unchanged, "
         f"{counts['errors']} with errors; {counts['scenarios']} scenarios in them.")
    if counts["errors"]:
        raise click.exceptions.Exit(1)
    return counts


def import_report(run_id: int, report_path: str, echo: Callable[[str], None]) -> verification.ImportSummary:
    try:
        run = verification.get_run(None, run_id)
    except NotFound:
        raise click.ClickException(f"Run {run_id} not found.") from None
    try:
        with open(report_path, "rb") as fh:
            answer = verification.import_report(None, run, fh, filename=report_path)
    except DomainError as error:
        raise click.ClickException(str(error.message)) from None
    echo(f"{answer.format}: {answer.matched} matched ({answer.passed} passed, {answer.failed} failed), "
         f"{len(answer.unmatched)} unmatched.")
    for name in answer.unmatched:
        echo(f"  unmatched: {name}")
    return answer
