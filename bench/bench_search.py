"""Benchmark: Chinese full-text search and similar requirements over HTTP.

Builds a SQLite database (WAL) of N requirements (default 100,000) with Chinese titles and
descriptions from the domains' vocabulary and a proposer each (bulk inserts), rebuilds the
search index (`search.reindex`, what `flask --app wsgi search reindex` runs), then serves the
WSGI app through a real HTTP server on 127.0.0.1 (werkzeug, threaded) and times
`GET /api/v1/requirements?q=...` (two-character words, phrases, a code, a lone character) and
`GET /api/v1/requirements/similar?text=...` over one keep-alive connection. Prints JSON with
median and 95th-percentile milliseconds. Figures, not assertions.

    .venv/bin/python bench/bench_search.py [N]
"""
from __future__ import annotations

import http.client
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import threading
import time
from datetime import timedelta
from urllib.parse import urlencode

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from sqlalchemy import insert, select  # noqa: E402
from werkzeug.serving import WSGIRequestHandler, make_server  # noqa: E402

from app import create_app  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import CodeSequence, Proposer, Region, Requirement, User  # noqa: E402
from app.seed import reference_data  # noqa: E402
from app.services import auth, search, users, workflow  # noqa: E402
from app.utils import utcnow  # noqa: E402

N = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
RUNS = 40

# the same vocabulary as `flask bench-data` (one list, in app/seed/bench.py)
from app.seed.bench import ACTIONS, PROBLEMS, SUBJECTS, UNITS  # noqa: E402


def sentence(rng: random.Random) -> str:
    return rng.choice(SUBJECTS) + rng.choice(ACTIONS) + rng.choice(PROBLEMS)


def build() -> None:
    rng = random.Random(12)
    regions = list(db.session.scalars(select(Region)))
    engineer = users.create_user("bench_eng", "Bench#2026", "engineer", "445200")
    users.create_user("bench_prov", "Bench#2026", "manager", "440000")
    now = utcnow()
    statuses = list(workflow.STATUSES)
    domains = [c for c, *_ in reference_data.LOOKUPS["domain"]]
    types = [c for c, *_ in reference_data.LOOKUPS["type"]]
    batch = 20_000
    for start in range(0, N, batch):
        rows, proposers = [], []
        for i in range(start, min(N, start + batch)):
            created = now - timedelta(minutes=rng.randint(0, 3 * 365 * 24 * 60))
            region = rng.choice(regions)
            unit = region.name + rng.choice(UNITS)
            rows.append({
                "id": i + 1, "code": f"REQ-{created.year}-{i + 1:06d}", "title": sentence(rng),
                "description": "预算单位反馈：" + sentence(rng) + "，" + sentence(rng) + "。", "domain": rng.choice(domains),
                "module": rng.choice(SUBJECTS), "type": rng.choice(types),
                "priority": rng.choice(["urgent", "high", "medium", "low"]), "channel": "phone", "region_id": region.id,
                "proposer_name": "张三", "proposer_unit": unit, "proposer_contact": "", "needs_custom_dev": "undecided",
                "assessment_notes": "", "external_ref": "", "status": rng.choice(statuses),
                "status_changed_at": created, "created_by_id": engineer.id, "created_at": created,
                "updated_at": created, "version": 1,
            })
            proposers.append({"requirement_id": i + 1, "origin_id": i + 1, "name": "张三", "unit": unit, "contact": "",
                              "region_id": region.id, "channel": "phone", "raised_at": created})
        db.session.execute(insert(Requirement), rows)
        db.session.execute(insert(Proposer), proposers)
        db.session.commit()
    db.session.add(CodeSequence(name="requirement", year=now.year, last=N))
    db.session.commit()


class Quiet(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):  # no access log on the terminal
        pass


def timed(conn: http.client.HTTPConnection, path: str, headers: dict) -> dict:
    samples, size, total = [], 0, None
    for _ in range(RUNS):
        t0 = time.perf_counter()
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        body = response.read()
        samples.append((time.perf_counter() - t0) * 1000)
        assert response.status == 200, (path, response.status, body[:300])
        size = len(body)
        data = json.loads(body)
        total = data.get("total") if isinstance(data, dict) else len(data)
    samples.sort()
    return {"p50_ms": round(statistics.median(samples), 1), "p95_ms": round(samples[int(len(samples) * 0.95) - 1], 1),
            "bytes": size, "hits": total}


def main() -> None:
    tmp = tempfile.mkdtemp()
    app = create_app({"SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.db",
                      "WTF_CSRF_ENABLED": False})
    figures: dict = {"requirements": N}
    with app.app_context():
        db.create_all()
        reference_data.load()
        t0 = time.perf_counter()
        build()
        figures["build_s"] = round(time.perf_counter() - t0, 1)
        t0 = time.perf_counter()
        search.reindex()
        db.session.commit()
        figures["reindex_s"] = round(time.perf_counter() - t0, 1)
        db.session.execute(db.text("ANALYZE"))
        db.session.commit()
        prov = db.session.scalar(select(User).where(User.username == "bench_prov"))
        city = db.session.scalar(select(User).where(User.username == "bench_eng"))
        tokens = {"province": auth.issue_token(prov), "city": auth.issue_token(city)}
        code = db.session.scalar(select(Requirement.code).where(Requirement.id == N // 2))
        sample_title = db.session.scalar(select(Requirement.title).where(Requirement.id == N // 3))
    figures["db_mb"] = round(sum(os.path.getsize(os.path.join(tmp, f)) for f in os.listdir(tmp)) / 1e6, 1)

    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    conn = http.client.HTTPConnection("127.0.0.1", server.server_port)
    try:
        cases = []
        for scope in ("province", "city"):
            headers = {"Authorization": "Bearer " + tokens[scope]}
            for label, q in [("word 退款", "退款"), ("word 预算", "预算"), ("word 工资", "工资"), ("word 指标", "指标"),
                             ("phrase 跨年退款", "跨年退款"), ("phrase 指标调剂审核后", "指标调剂审核后"),
                             ("two words 工资 超时", "工资 超时"), ("code", code), ("lone character 税", "税")]:
                cases.append((f"search {scope}: {label}", "/api/v1/requirements?" + urlencode({"q": q}), headers))
            cases.append((f"list {scope}: no q", "/api/v1/requirements", headers))
            for label, text in [("a stored title", sample_title), ("typed title", "跨年退款生成凭证时报错"),
                                ("title + description", "工资统发导入时报错，预算单位反馈人社局数据不一致")]:
                cases.append((f"similar {scope}: {label}", "/api/v1/requirements/similar?" + urlencode({"text": text}),
                               headers))
        cases.append(("possible duplicates province (newest 1,000 open)", "/api/v1/requirements/possible-duplicates",
                      {"Authorization": "Bearer " + tokens["province"]}))
        for name, path, headers in cases:
            figures[name] = timed(conn, path, headers)
        # the same server's floor: the API's 401 answer (no query, tiny JSON)
        samples = []
        for _ in range(RUNS):
            t0 = time.perf_counter()
            conn.request("GET", "/api/v1/requirements")
            conn.getresponse().read()
            samples.append((time.perf_counter() - t0) * 1000)
        samples.sort()
        figures["server floor (401 answer)"] = {"p50_ms": round(statistics.median(samples), 1),
                                               "p95_ms": round(samples[int(len(samples) * 0.95) - 1], 1)}
    finally:
        conn.close()
        server.shutdown()
        with app.app_context():
            db.engine.dispose()
        shutil.rmtree(tmp, ignore_errors=True)
    print(json.dumps(figures, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
