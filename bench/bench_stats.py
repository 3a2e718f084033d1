"""Benchmark: the task force's dashboard and `GET /api/v1/stats` at 100,000 requirements.

Builds a temporary SQLite database (WAL) of N requirements (default 100,000; bulk inserts) spread
over the province's regions, channels, domains and three years, with a release event for a
fifth of them, then serves the app (gunicorn with 2 workers where it is installed in the venv,
else werkzeug threaded: `bench/common.py`) and times requests over HTTP. Prints JSON: median and
95th-percentile milliseconds over HTTP and of the application's own time (`Server-Timing`), and
bytes. Figures, not assertions; the targets are 300 ms (dashboard) and 200 ms (stats). The
province's ledger is exported as a background job (its total time and the status poll's time
are printed); the synchronous ledger is timed for one county.

    .venv/bin/python bench/bench_stats.py [N]          # BENCH_RUNS=5 for fewer repetitions
"""
from __future__ import annotations

import json
import os
import random
import statistics
import sys
import time
from datetime import timedelta

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from sqlalchemy import insert, select  # noqa: E402

from app.extensions import db  # noqa: E402
from app.models import CodeSequence, Event, Region, Requirement, User  # noqa: E402
from app.seed import reference_data  # noqa: E402
from app.services import auth, users, workflow  # noqa: E402
from app.utils import utcnow  # noqa: E402
from bench.common import database, login, print_figures, runs_or, served, timed  # noqa: E402

N = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
PASSWORD = "Bench#2026"
RUNS = runs_or(20)


def build() -> None:
    rng = random.Random(11)
    regions = list(db.session.scalars(select(Region)))
    engineer = users.create_user("bench_eng", PASSWORD, "engineer", "445200")
    users.create_user("bench_tf_prov", PASSWORD, "taskforce", "440000")
    users.create_user("bench_tf_city", PASSWORD, "taskforce", "445200")
    now = utcnow()
    statuses = list(workflow.STATUSES)
    lookups = {kind: [c for c, *_ in reference_data.LOOKUPS[kind]] for kind in ("domain", "type", "channel", "priority")}
    batch = 20_000
    for start in range(0, N, batch):
        rows, events = [], []
        for i in range(start, min(N, start + batch)):
            created = now - timedelta(minutes=rng.randint(0, 3 * 365 * 24 * 60))
            status = rng.choice(statuses)
            rows.append({
                "id": i + 1, "code": f"REQ-{created.year}-{i + 1:06d}", "title": f"需求 {i}", "description": "",
                "domain": rng.choice(lookups["domain"]), "module": "", "type": rng.choice(lookups["type"]),
                "priority": rng.choice(lookups["priority"]), "channel": rng.choice(lookups["channel"]),
                "region_id": rng.choice(regions).id, "proposer_name": "张三", "proposer_unit": "",
                "proposer_contact": "", "needs_custom_dev": "undecided", "assessment_notes": "", "external_ref": "",
                "status": status, "status_changed_at": created, "created_by_id": engineer.id, "created_at": created,
                "updated_at": created, "version": 1,
                "due_date": (created + timedelta(days=rng.randint(5, 90))).date() if rng.random() < 0.5 else None,
            })
            if status in ("released", "confirmed", "closed") and rng.random() < 0.9:
                events.append({"requirement_id": i + 1, "at": created + timedelta(days=rng.randint(3, 120)),
                               "kind": "transition", "actor_id": engineer.id,
                               "data": {"from": "verified", "to": "released", "reason": ""}})
        db.session.execute(insert(Requirement), rows)
        if events:
            db.session.execute(insert(Event), events)
        db.session.commit()
    db.session.add(CodeSequence(name="requirement", year=now.year, last=N))
    db.session.commit()
    db.session.execute(db.text("ANALYZE"))


def main() -> None:
    figures: dict = {"requirements": N}
    with database() as (app, tmp, db_url):
        with app.app_context():
            reference_data.load()
            t0 = time.perf_counter()
            build()
            db.session.commit()  # the ANALYZE
            figures["build_s"] = round(time.perf_counter() - t0, 1)
            prov, city = ({"Authorization": "Bearer " + auth.issue_token(
                db.session.scalar(select(User).where(User.username == name)))} for name in ("bench_tf_prov", "bench_tf_city"))
        with served(app, tmp, db_url, figures) as conn:
            pages = {"prov": login(conn, "bench_tf_prov", PASSWORD), "city": login(conn, "bench_tf_city", PASSWORD)}
            cases = [
                ("stats by region,domain (province)", prov, "/api/v1/stats?by=region,domain"),
                ("stats by month,channel (province)", prov, "/api/v1/stats?by=month,channel"),
                ("stats by region,status (city)", city, "/api/v1/stats?by=region,status"),
                ("stats by month, one year, domain", prov,
                 "/api/v1/stats?by=month&from=2025-01-01&to=2025-12-31&domain=budget"),
                ("dashboard (province)", pages["prov"], "/dashboard"),
                ("dashboard (city)", pages["city"], "/dashboard"),
                ("dashboard (province, one year)", pages["prov"], "/dashboard?from=2025-01-01&to=2025-12-31"),
                ("statistics page region x status", pages["prov"], "/stats?by=region,status"),
            ]
            for name, headers, url in cases:
                figures[name] = timed(conn, "GET", url, headers, runs=RUNS)
            # exports: a few runs each (they write every row)
            for name, headers, url in [
                ("report monthly.docx (city)", city, "/api/v1/reports/monthly.docx?month=2026-01"),
                ("report annual.xlsx (province)", prov, "/api/v1/reports/annual.xlsx?year=2025"),
                ("ledger.xlsx (one county, synchronous)", city, "/api/v1/ledger.xlsx?region=445202"),
            ]:
                figures[name] = timed(conn, "GET", url, headers, runs=3)
            figures["ledger export job (province)"] = ledger_job(conn, prov)
            figures["server floor (401 answer)"] = timed(conn, "GET", "/api/v1/stats", {}, runs=RUNS, expect=401)
    print_figures(figures)


def ledger_job(conn, headers: dict) -> dict:
    """The province's ledger: a background export (POST /api/v1/exports), polled until done."""
    t0 = time.perf_counter()
    conn.request("POST", "/api/v1/exports", body=json.dumps({"kind": "ledger"}),
                 headers={**headers, "Content-Type": "application/json"})
    response = conn.getresponse()
    job = json.loads(response.read())
    assert response.status in (200, 201, 202), (response.status, job)
    polls = []
    while job["status"] in ("queued", "running"):
        time.sleep(0.5)
        s0 = time.perf_counter()
        conn.request("GET", job["status_url"], headers=headers)
        job = json.loads(conn.getresponse().read())
        polls.append((time.perf_counter() - s0) * 1000)
    return {"total_ms": round((time.perf_counter() - t0) * 1000, 1), "status": job["status"], "rows": job["total"],
            "mb": round(job["size"] / 1e6, 1), "status_poll_p50_ms": round(statistics.median(polls or [0]), 1)}


if __name__ == "__main__":
    main()
