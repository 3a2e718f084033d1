"""Benchmark: the task force's dashboard and `GET /api/v1/stats` at 100,000 requirements.

Builds a temporary SQLite database (WAL) of N requirements (default 100,000; bulk inserts) spread
over the province's regions, channels, domains and three years, with a release event for a
fifth of them, then serves the app on 127.0.0.1 (a real HTTP server in a thread) and times
requests over HTTP: median and 95th-percentile milliseconds (wall time at the client, which
bounds the server time). Figures, not assertions; the targets are 300 ms (dashboard) and 200 ms
(stats). The province's ledger is exported as a background job (its total time and the status
poll's time are printed); the synchronous ledger is timed for one county.

    .venv/bin/python bench/bench_stats.py [N]
"""
from __future__ import annotations

import http.cookiejar
import os
import random
import statistics
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from datetime import timedelta

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from sqlalchemy import insert, select  # noqa: E402
from werkzeug.serving import WSGIRequestHandler, make_server  # noqa: E402

from app import create_app  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import CodeSequence, Event, Region, Requirement, User  # noqa: E402
from app.seed import reference_data  # noqa: E402
from app.services import auth, users, workflow  # noqa: E402
from app.utils import utcnow  # noqa: E402

N = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
PASSWORD = "Bench#2026"


class QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs) -> None:
        pass


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


def signed_in_opener(base: str, username: str):
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    body = urllib.parse.urlencode({"username": username, "password": PASSWORD}).encode()
    opener.open(f"{base}/login", data=body).read()
    return opener


def timed(fetch, url: str, runs: int = 20) -> tuple[float, float]:
    fetch(url)  # warm-up
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fetch(url)
        samples.append((time.perf_counter() - t0) * 1000)
    samples.sort()
    return statistics.median(samples), samples[max(0, int(len(samples) * 0.95) - 1)]


def main() -> None:
    tmp = tempfile.mkdtemp()
    app = create_app({"SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.db",
                      "WTF_CSRF_ENABLED": False})
    with app.app_context():
        db.create_all()
        reference_data.load()
        t0 = time.perf_counter()
        build()
        print(f"built {N:,} requirements in {time.perf_counter() - t0:.1f}s")
        tokens = {name: auth.issue_token(db.session.scalar(select(User).where(User.username == name)))
                  for name in ("bench_tf_prov", "bench_tf_city")}
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    try:
        def api(token):
            def fetch(url):
                request = urllib.request.Request(base + url, headers={"Authorization": f"Bearer {token}"})
                with urllib.request.urlopen(request) as response:
                    assert response.status == 200
                    return response.read()
            return fetch

        def page(opener):
            def fetch(url):
                with opener.open(base + url) as response:
                    assert response.status == 200 and "/login" not in response.url
                    return response.read()
            return fetch

        cases = [
            ("stats by region,domain (province)", api(tokens["bench_tf_prov"]), "/api/v1/stats?by=region,domain"),
            ("stats by month,channel (province)", api(tokens["bench_tf_prov"]), "/api/v1/stats?by=month,channel"),
            ("stats by region,status (city)", api(tokens["bench_tf_city"]), "/api/v1/stats?by=region,status"),
            ("stats by month, one year, domain", api(tokens["bench_tf_prov"]),
             "/api/v1/stats?by=month&from=2025-01-01&to=2025-12-31&domain=budget"),
            ("dashboard (province)", page(signed_in_opener(base, "bench_tf_prov")), "/dashboard"),
            ("dashboard (city)", page(signed_in_opener(base, "bench_tf_city")), "/dashboard"),
            ("dashboard (province, one year)", page(signed_in_opener(base, "bench_tf_prov")),
             "/dashboard?from=2025-01-01&to=2025-12-31"),
            ("statistics page region x status", page(signed_in_opener(base, "bench_tf_prov")),
             "/stats?by=region,status"),
        ]
        print(f"{'request over HTTP':<40}{'median ms':>10}{'p95 ms':>10}")
        for name, fetch, url in cases:
            median, p95 = timed(fetch, url)
            print(f"{name:<40}{median:>10.1f}{p95:>10.1f}")
        # exports: a few runs each (they write every row)
        for name, fetch, url in [
            ("report monthly.docx (city)", api(tokens["bench_tf_city"]), "/api/v1/reports/monthly.docx?month=2026-01"),
            ("report annual.xlsx (province)", api(tokens["bench_tf_prov"]), "/api/v1/reports/annual.xlsx?year=2025"),
            ("ledger.xlsx (one county, synchronous)", api(tokens["bench_tf_city"]), "/api/v1/ledger.xlsx?region=445202"),
        ]:
            median, p95 = timed(fetch, url, runs=3)
            print(f"{name:<40}{median:>10.1f}{p95:>10.1f}")
        # the province's ledger: a background export (POST /api/v1/exports), polled until done
        import json

        token = tokens["bench_tf_prov"]
        t0 = time.perf_counter()
        request = urllib.request.Request(base + "/api/v1/exports", data=json.dumps({"kind": "ledger"}).encode(),
                                         headers={"Authorization": f"Bearer {token}",
                                                  "Content-Type": "application/json"}, method="POST")
        with urllib.request.urlopen(request) as response:
            job = json.loads(response.read())
        status_times = []
        while job["status"] in ("queued", "running"):
            time.sleep(0.5)
            s0 = time.perf_counter()
            job = json.loads(api(token)(job["status_url"]))
            status_times.append((time.perf_counter() - s0) * 1000)
        elapsed = time.perf_counter() - t0
        print(f"{'ledger export job (province)':<40}{elapsed * 1000:>10.1f}  status {job['status']}, "
              f"{job['total']:,} rows, {job['size'] / 1e6:.1f} MB; status poll median "
              f"{statistics.median(status_times or [0]):.1f} ms")
    finally:
        server.shutdown()


if __name__ == "__main__":
    main()
