"""Benchmark: recording verification results, one at a time and in bulk.

Builds a SQLite database (WAL, in a temporary directory) with a scenario library of N
scenarios (default 1,200: 40 feature files, each with plain scenarios and a Scenario Outline),
starts a run over all of them, then times through the Flask test client:

* creating the run (freezing N scenarios),
* a single `PUT /api/v1/runs/<id>/results/<scenario_id>` (sequential, as a tester clicks),
* a 1,000-result `POST /api/v1/runs/<id>/results` bulk request,
* importing a 1,000-scenario Cucumber JSON report,
* `GET /api/v1/runs/<id>/results` and `GET /api/v1/runs/<id>`.

Prints median and 95th-percentile milliseconds. Figures, not assertions.

    .venv/bin/python bench/bench_verification.py [N]
"""
from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from app import create_app  # noqa: E402
from app.extensions import db  # noqa: E402
from app.seed import reference_data  # noqa: E402
from app.services import auth, scenarios, users  # noqa: E402

N = int(sys.argv[1]) if len(sys.argv) > 1 else 1200
FEATURES = 40


def feature_text(index: int, per_feature: int) -> str:
    plain = per_feature // 2
    rows = per_feature - plain
    lines = ["# language: zh-CN", "@执行域", f"功能: 支付更正回归 {index}", "", "  背景:", "    假如 预算单位经办人已登录执行域", ""]
    for k in range(plain):
        lines += [f"  场景: 直接支出更正 {index}-{k}", f"    当 经办人对凭证\"ZF{index:03d}{k:03d}\"发起更正",
                  "    而且 国库科复核通过", "    那么 更正结果为\"成功\"", ""]
    lines += ["  场景大纲: 跨年退款", "    当 经办人申请退款 <金额> 元", "    那么 退款结果为\"<结果>\"", "",
              "    例子:", "      | 金额 | 结果 |"]
    lines += [f"      | {100 + r} | 成功 |" for r in range(rows)]
    return "\n".join(lines) + "\n"


def timed(call, runs: int):
    samples = []
    for i in range(runs):
        t0 = time.perf_counter()
        call(i)
        samples.append((time.perf_counter() - t0) * 1000)
    samples.sort()
    return statistics.median(samples), samples[max(0, int(len(samples) * 0.95) - 1)]


def main() -> None:
    tmp = tempfile.mkdtemp(prefix="bench-verification-")
    app = create_app({"TESTING": True, "SECRET_KEY": "bench", "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.db"})
    app.instance_path = os.path.join(tmp, "instance")
    per_feature = max(2, N // FEATURES)
    with app.app_context():
        db.create_all()
        reference_data.load()
        manager = users.create_user("bench_mgr", "Bench#2026", "manager", "445200")
        token = auth.issue_token(manager)
        t0 = time.perf_counter()
        for i in range(FEATURES):
            scenarios.import_feature(manager, f"execution/regression_{i:02d}.feature", feature_text(i, per_feature))
        import_ms = (time.perf_counter() - t0) * 1000
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}

    release = client.post("/api/v1/releases", json={"version": "V2026.11"}, headers=headers).json
    t0 = time.perf_counter()
    run = client.post(f"/api/v1/releases/{release['id']}/runs", json={"environment": "acceptance", "tags": "@执行域"},
                      headers=headers).json
    create_ms = (time.perf_counter() - t0) * 1000
    rows = client.get(f"/api/v1/runs/{run['id']}/results", headers=headers).json
    ids = [r["scenario_id"] for r in rows]
    total = len(ids)
    print(f"Library: {FEATURES} feature files, {total} scenarios (imported in {import_ms:.0f} ms)")
    print(f"Create run freezing {total} scenarios: {create_ms:.1f} ms")

    def single(i):
        response = client.put(f"/api/v1/runs/{run['id']}/results/{ids[i % total]}",
                              json={"steps": [{"index": 1, "status": "passed"}], "note": "ok"}, headers=headers)
        assert response.status_code == 200, response.json

    med, p95 = timed(single, 300)
    print(f"Single result PUT (300 sequential):        median {med:6.2f} ms   p95 {p95:6.2f} ms")

    statuses = ["passed", "failed", "blocked", "passed"]

    def bulk(i):
        items = [{"scenario_id": sid, "status": statuses[(k + i) % 4], "note": "批量"} for k, sid in enumerate(ids[:1000])]
        response = client.post(f"/api/v1/runs/{run['id']}/results", json=items, headers=headers)
        assert response.status_code == 200, response.json

    med, p95 = timed(bulk, 10)
    print(f"Bulk POST of 1,000 results (10 requests):   median {med:6.1f} ms   p95 {p95:6.1f} ms")

    by_feature: dict[str, list] = {}
    for r in rows[:1000]:
        by_feature.setdefault(r["feature_path"], []).append({
            "name": r["name"], "line": 0, "type": "scenario", "keyword": r["keyword"],
            "steps": [{"keyword": s["keyword"], "name": s["text"], "result": {"status": "passed"}} for s in r["steps"]],
        })
    report = json.dumps([{"uri": f"features/{path}", "name": path, "elements": elements}
                         for path, elements in by_feature.items()], ensure_ascii=False).encode()

    def import_report(i):
        response = client.post(f"/api/v1/runs/{run['id']}/import", data=report, content_type="application/json",
                               headers=headers)
        assert response.status_code == 200 and response.json["matched"] == min(1000, total), response.json

    med, p95 = timed(import_report, 5)
    print(f"Import Cucumber JSON, 1,000 scenarios (5):  median {med:6.1f} ms   p95 {p95:6.1f} ms")

    med, p95 = timed(lambda i: client.get(f"/api/v1/runs/{run['id']}/results", headers=headers), 10)
    print(f"GET results, {total} rows (10):             median {med:6.1f} ms   p95 {p95:6.1f} ms")
    med, p95 = timed(lambda i: client.get(f"/api/v1/runs/{run['id']}", headers=headers), 50)
    print(f"GET run with totals (50):                   median {med:6.2f} ms   p95 {p95:6.2f} ms")


if __name__ == "__main__":
    main()
