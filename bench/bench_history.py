"""Benchmark: history across releases over HTTP (issue 9).

Builds a SQLite database (WAL, in a temporary directory) with the scenario library of
`app.seed.bench` (what `flask --app wsgi bench-data` imports: files of plain scenarios and an
outline, ten steps each) and RELEASES releases, each with an acceptance run over every scenario
whose results are recorded in bulk (most pass; a tenth of the scenarios flip between passed and
failed from release to release; a few are blocked). The last release has a second acceptance
run over a tenth of the library (re-runs: the final status is the later run's). Serves the WSGI
app on 127.0.0.1 (gunicorn with 2 workers where it is installed in the venv, else werkzeug
threaded) and times over keep-alive connections:

* `GET /api/v1/scenarios/matrix?releases=12&per_page=200` (every row of N × 12 computed, a page
  answered), with `unstable=true`, with a domain filter, and `releases=24`;
* the matrix page (`GET /scenarios/matrix`) and its htmx block;
* `GET /api/v1/releases/<a>/compare/<b>` for the last two releases and the comparison page;
* the same server's floor (the API's 401 answer, no query).

Prints JSON: median and 95th-percentile milliseconds and bytes. Figures, not assertions.
The issue's budget: 500 scenarios × 12 releases answer in ≤ 150 ms.

    .venv/bin/python bench/bench_history.py [SCENARIOS] [RELEASES]
"""
from __future__ import annotations

import json
import os
import random
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from sqlalchemy import select  # noqa: E402

from app.extensions import db  # noqa: E402
from app.models import Release, User  # noqa: E402
from app.seed import bench, reference_data  # noqa: E402
from app.services import auth, verification  # noqa: E402
from bench.common import database, login, print_figures, served, timed  # noqa: E402

SCENARIOS = int(sys.argv[1]) if len(sys.argv) > 1 else 500
RELEASES = int(sys.argv[2]) if len(sys.argv) > 2 else 12


def status_of(k: int, release: int, rng: random.Random) -> str:
    if k % 10 == 0:  # flaky: flips every release
        return ("passed", "failed")[(release + k // 10) % 2]
    if k % 37 == 0:
        return "blocked"
    return "failed" if rng.random() < 0.03 else "passed"


def build(rng: random.Random) -> dict:
    reference_data.load()
    manager = bench._user("bench_mgr", "manager", "440000", "基准测试管理员")
    ids = bench.build_library(SCENARIOS, manager)
    releases = []
    for index in range(RELEASES):
        release = verification.create_release(manager, {"version": f"VH{2025 + index // 12}.{index % 12 + 1:02d}",
                                                        "name": f"历史基准 {index + 1}"})
        run = verification.create_run(manager, release, {"environment": "acceptance", "scenario_ids": ids})
        items = [{"scenario_id": sid, "status": status_of(k, index, rng)} for k, sid in enumerate(ids)]
        for start in range(0, len(items), 1000):
            verification.record_many(manager, run, items[start:start + 1000])
        releases.append(release.id)
    rerun_ids = ids[::10]
    rerun = verification.create_run(manager, db.session.get(Release, releases[-1]),
                                    {"environment": "acceptance", "scenario_ids": rerun_ids})
    verification.record_many(manager, rerun, [{"scenario_id": sid, "status": "passed"} for sid in rerun_ids])
    return {"scenarios": len(ids), "releases": releases}


def main() -> None:
    figures: dict = {"scenarios": SCENARIOS, "releases": RELEASES}
    with database() as (app, tmp, db_url):
        with app.app_context():
            t0 = time.perf_counter()
            built = build(random.Random(9))
            figures["build_s"] = round(time.perf_counter() - t0, 1)
            db.session.execute(db.text("ANALYZE"))
            db.session.commit()
            manager = db.session.scalar(select(User).where(User.username == "bench_mgr"))
            token = auth.issue_token(manager)
        api = {"Authorization": "Bearer " + token}
        a, b = built["releases"][-2:]
        with served(app, tmp, db_url, figures) as conn:
            conn.request("GET", "/api/v1/scenarios/matrix?releases=12&per_page=1", headers=api)
            body = json.loads(conn.getresponse().read())
            figures["matrix rows"], figures["unstable rows"] = body["total"], body["unstable_total"]
            figures[f"matrix API, {SCENARIOS} x 12, page of 200"] = timed(
                conn, "GET", "/api/v1/scenarios/matrix?releases=12&per_page=200", api)
            figures[f"matrix API, {SCENARIOS} x 12, page of 50"] = timed(
                conn, "GET", "/api/v1/scenarios/matrix?releases=12&per_page=50", api)
            figures["matrix API, unstable only"] = timed(
                conn, "GET", "/api/v1/scenarios/matrix?releases=12&unstable=true&per_page=200", api)
            figures["matrix API, domain filter"] = timed(
                conn, "GET", "/api/v1/scenarios/matrix?releases=12&domain=execution&per_page=200", api)
            figures["matrix API, 24 releases"] = timed(
                conn, "GET", "/api/v1/scenarios/matrix?releases=24&per_page=200", api)
            figures["compare API, last two releases"] = timed(conn, "GET", f"/api/v1/releases/{a}/compare/{b}", api)
            page = login(conn, "bench_mgr")
            figures["matrix page (50 rows x 12)"] = timed(conn, "GET", "/scenarios/matrix", page)
            figures["matrix page, htmx block"] = timed(conn, "GET", "/scenarios/matrix?page=2",
                                                       {**page, "HX-Request": "true"})
            figures["compare page"] = timed(conn, "GET", f"/releases/compare?a={a}&b={b}", page)
            figures["server floor (401 answer)"] = timed(conn, "GET", "/api/v1/scenarios/matrix", {}, expect=401)
    print_figures(figures)


if __name__ == "__main__":
    main()
