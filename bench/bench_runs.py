"""Benchmark: verification runs at scale over HTTP (issue 12).

Builds a SQLite database (WAL, in a temporary directory) with `app.seed.bench.build` (what
`flask --app wsgi bench-data` runs): a 5,000-scenario library of ten-step scenarios, releases
with a 1,000-scenario run and a 5,000-scenario run and their results. Serves the WSGI app on
127.0.0.1 (gunicorn with 2 workers where it is installed in the venv, else werkzeug threaded)
and times over keep-alive connections:

* the run page (`GET /runs/<id>`: counts, filters, the first page of scenario heads) and the
  next page of heads, for 1,000 and 5,000 scenarios;
* opening one scenario (`GET /runs/<id>/scenarios/<sid>`, its steps);
* `GET /api/v1/runs/<id>/results?per_page=1000` for both runs;
* one result `PUT`, the 1,000-result bulk `POST`;
* starting a run over the whole library (freezing every scenario);
* importing a 5,000-scenario / 50,000-step Cucumber JSON report;
* the same server's floor (the API's 401 answer, no query).

Prints JSON: median and 95th-percentile milliseconds and bytes. Figures, not assertions.

    .venv/bin/python bench/bench_runs.py [SCENARIOS]
"""
from __future__ import annotations

import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from sqlalchemy import select  # noqa: E402

from app.extensions import db  # noqa: E402
from app.models import Run, RunScenario, User  # noqa: E402
from app.seed import bench  # noqa: E402
from app.services import auth  # noqa: E402
from bench.common import database, login, print_figures, served, timed  # noqa: E402

SCENARIOS = int(sys.argv[1]) if len(sys.argv) > 1 else 5000


def cucumber_report(rows) -> bytes:
    """A Cucumber JSON report (cucumber-js's shape) of every scenario of a run, all passed."""
    features: dict[str, dict] = {}
    for r in rows:
        feature = features.setdefault(r.feature_path, {"uri": r.feature_path, "name": r.feature_name, "elements": []})
        feature["elements"].append({
            "name": r.name, "line": r.example_line or r.line, "type": "scenario", "keyword": r.keyword,
            "steps": [{"keyword": s["keyword"], "name": s["text"], "result": {"status": "passed", "duration": 1000}}
                      for s in r.steps],
        })
    return json.dumps(list(features.values()), ensure_ascii=False).encode()


def main() -> None:
    figures: dict = {"scenarios": SCENARIOS}
    with database() as (app, tmp, db_url):
        with app.app_context():
            t0 = time.perf_counter()
            built = bench.build(requirements=2000, scenario_count=SCENARIOS, releases=3)
            figures["build_s"] = round(time.perf_counter() - t0, 1)
            db.session.execute(db.text("ANALYZE"))
            db.session.commit()
            runs = {int(k): v for k, v in built["runs"].items()}
            manager = db.session.scalar(select(User).where(User.username == "bench_mgr"))
            token = auth.issue_token(manager)
            samples = {n: db.session.scalars(select(RunScenario.scenario_id).where(RunScenario.run_id == rid)
                                             .order_by(RunScenario.position).limit(1000)).all() for n, rid in runs.items()}
            big = max(runs)
            report = cucumber_report(db.session.execute(
                select(RunScenario).where(RunScenario.run_id == runs[big]).order_by(RunScenario.position)).scalars())
            figures["report"] = {"scenarios": big, "steps": big * bench.STEPS, "mb": round(len(report) / 1e6, 1)}
            assert db.session.get(Run, runs[big]).scenario_count == big
            release = db.session.get(Run, runs[big]).release_id
        api = {"Authorization": "Bearer " + token, "Content-Type": "application/json"}
        with served(app, tmp, db_url, figures) as conn:
            page = login(conn, "bench_mgr")
            hx = {**page, "HX-Request": "true"}
            for n, rid in sorted(runs.items()):
                figures[f"run page, {n} scenarios"] = timed(conn, "GET", f"/runs/{rid}", page)
                figures[f"run page: next page of heads, {n} scenarios"] = timed(
                    conn, "GET", f"/runs/{rid}/checklist?show=all&page=2", hx)
                figures[f"run page: open one scenario, {n} scenarios"] = timed(
                    conn, "GET", f"/runs/{rid}/scenarios/{samples[n][0]}", hx)
                figures[f"results API, page of 1,000 of {n}"] = timed(
                    conn, "GET", f"/api/v1/runs/{rid}/results?page=1&per_page=1000", api)
            small = min(runs)
            ids = samples[small]
            figures["one result PUT"] = timed(
                conn, "PUT", f"/api/v1/runs/{runs[small]}/results/{ids[0]}", api,
                body=lambda i: json.dumps({"steps": [{"index": i % bench.STEPS, "status": "passed"}]}))
            figures["bulk POST of 1,000 results"] = timed(
                conn, "POST", f"/api/v1/runs/{runs[small]}/results", api, runs=10,
                body=lambda i: json.dumps([{"scenario_id": sid, "status": ("passed", "failed")[i % 2]} for sid in ids]))
            # a new run freezes the whole library (every scenario, no filter): N rows in one request
            figures[f"start a run of the {SCENARIOS}-scenario library"] = timed(
                conn, "POST", f"/api/v1/releases/{release}/runs", api, runs=3, warmup=0, expect=201,
                body=json.dumps({"environment": "acceptance"}))
            figures[f"import {big}-scenario Cucumber JSON"] = timed(
                conn, "POST", f"/api/v1/runs/{runs[big]}/import", api, body=report, runs=3)
            figures["server floor (401 answer)"] = timed(conn, "GET", "/api/v1/runs/1", {}, expect=401)
    print_figures(figures)


if __name__ == "__main__":
    main()
