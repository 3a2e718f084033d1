"""Building blocks for the history tests (API, pages, acceptance, browser): a feature of three
scenarios and a series of releases, each with an acceptance run whose results follow a pattern."""
from __future__ import annotations

from tests.release_kit import import_feature, new_release, record, start_run

# per scenario, its final status in each release, oldest first
PATTERN = {
    "直接支出更正": ["passed", "failed", "passed", "failed", "passed", "failed"],  # flips every release
    "跨年退款": ["passed"] * 6,  # stable
    "到人到户": ["failed", "failed", "failed", "failed", "failed", "passed"],  # fixed once
}


def build_history(client, pattern: dict[str, list[str]] | None = None, prefix: str = "VH") -> dict:
    """Import the feature, then one release per column of `pattern` with one acceptance run
    recording it. Answers {"ids": {name: scenario id}, "releases": [release dicts], "runs": [run ids]}."""
    pattern = pattern or PATTERN
    ids = import_feature(client, [(name, []) for name in pattern], path="history/matrix.feature")
    columns = len(next(iter(pattern.values())))
    releases, runs = [], []
    for index in range(columns):
        release = new_release(client, f"{prefix}2026.{index + 1:02d}")
        run = start_run(client, release["id"])
        record(client, run["id"], {ids[name]: statuses[index] for name, statuses in pattern.items()
                                   if statuses[index] is not None})
        releases.append(release)
        runs.append(run["id"])
    return {"ids": ids, "releases": releases, "runs": runs}
