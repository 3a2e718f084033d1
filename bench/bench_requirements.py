"""Benchmark: list, filter, search and detail answers with a province's years of requirements.

Builds a SQLite database (WAL) of N requirements (default 200,000) with 3 timeline events each,
spread over the 21 cities' regions, then times API and page requests through the Flask test
client and prints median and 95th-percentile milliseconds. Figures, not assertions.

    .venv/bin/python bench/bench_requirements.py [N]
"""
from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from sqlalchemy import insert, select  # noqa: E402

from app import create_app  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import CodeSequence, Event, Region, Requirement  # noqa: E402
from app.seed import reference_data  # noqa: E402
from app.services import auth, users, workflow  # noqa: E402
from app.utils import utcnow  # noqa: E402

N = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000


def build(app) -> None:
    rng = random.Random(7)
    regions = list(db.session.scalars(select(Region)))
    engineer = users.create_user("bench_eng", "Bench#2026", "engineer", "445200")
    users.create_user("bench_prov", "Bench#2026", "manager", "440000")
    now = utcnow()
    statuses = list(workflow.STATUSES)
    domains = [c for c, *_ in reference_data.LOOKUPS["domain"]]
    types = [c for c, *_ in reference_data.LOOKUPS["type"]]
    words = ["直接支出更正", "跨年退款", "到人到户", "支付更正", "更正调库", "指标调剂", "凭证打印", "统一门户", "数据中枢接口"]
    batch = 20_000
    for start in range(0, N, batch):
        rows, events = [], []
        for i in range(start, min(N, start + batch)):
            created = now - timedelta(minutes=rng.randint(0, 3 * 365 * 24 * 60))
            rows.append({
                "id": i + 1, "code": f"REQ-{created.year}-{i + 1:06d}", "title": f"{rng.choice(words)}问题 {i}",
                "description": "预算单位反馈" + rng.choice(words), "domain": rng.choice(domains), "module": "",
                "type": rng.choice(types), "priority": rng.choice(["urgent", "high", "medium", "low"]),
                "channel": "phone", "region_id": rng.choice(regions).id, "proposer_name": "张三",
                "proposer_unit": "", "proposer_contact": "", "needs_custom_dev": "undecided", "assessment_notes": "",
                "external_ref": "", "status": rng.choice(statuses), "status_changed_at": created,
                "created_by_id": engineer.id, "created_at": created, "updated_at": created, "version": 1,
            })
            for k, kind in enumerate(("created", "transition", "comment")):
                events.append({"requirement_id": i + 1, "at": created + timedelta(hours=k), "kind": kind,
                               "actor_id": engineer.id,
                               "data": {"from": "submitted", "to": "assessing", "reason": ""} if kind == "transition" else {"body": "进展"}})
        db.session.execute(insert(Requirement), rows)
        db.session.execute(insert(Event), events)
        db.session.commit()
    db.session.add(CodeSequence(name="requirement", year=now.year, last=N))
    db.session.commit()
    db.session.execute(db.text("ANALYZE"))


def timed(client, url, headers=None, runs=30):
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        response = client.get(url, headers=headers or {})
        samples.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


def main() -> None:
    tmp = tempfile.mkdtemp()
    app = create_app({"SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.db",
                      "WTF_CSRF_ENABLED": False})
    with app.app_context():
        db.create_all()
        reference_data.load()
        t0 = time.perf_counter()
        build(app)
        print(f"built {N:,} requirements and {3 * N:,} events in {time.perf_counter() - t0:.1f}s")
    with app.app_context():
        from app.models import User

        prov_user = db.session.scalar(select(User).where(User.username == "bench_prov"))
        city_user = db.session.scalar(select(User).where(User.username == "bench_eng"))
        prov = {"Authorization": "Bearer " + auth.issue_token(prov_user)}
        city = {"Authorization": "Bearer " + auth.issue_token(city_user)}
        rid = db.session.scalar(select(Requirement.id).where(Requirement.region_id == city_user.region_id).limit(1))
    client = app.test_client()
    cases = [
        ("API list, province, page 1", "/api/v1/requirements", prov),
        ("API list, province, page 500", "/api/v1/requirements?page=500", prov),
        ("API list, city scope", "/api/v1/requirements", city),
        ("API list, status+domain filter", "/api/v1/requirements?status=assessing&domain=budget", prov),
        ("API list, priority sort", "/api/v1/requirements?sort=-priority", prov),
        ("API list, text search q", "/api/v1/requirements?q=%E8%B7%A8%E5%B9%B4", prov),
        ("API detail", f"/api/v1/requirements/{rid}", city),
        ("API timeline", f"/api/v1/requirements/{rid}/timeline", city),
    ]
    print(f"{'request':<36}{'median ms':>10}{'p95 ms':>10}")
    for name, url, headers in cases:
        median, p95 = timed(client, url, headers)
        print(f"{name:<36}{median:>10.1f}{p95:>10.1f}")
    with client.session_transaction() as session:
        session["_user_id"] = str(city_user.id)
        session["_fresh"] = True
    for name, url in [("page: list (city)", "/requirements"), ("page: list filtered", "/requirements?status=assessing"),
                      ("page: detail", f"/requirements/{rid}")]:
        median, p95 = timed(client, url)
        print(f"{name:<36}{median:>10.1f}{p95:>10.1f}")


if __name__ == "__main__":
    main()
