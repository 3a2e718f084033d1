"""Benchmark: requirement lists, filters, Chinese full-text search, similar requirements and
a requirement's detail over HTTP.

Builds a SQLite database (WAL) of N requirements (default 100,000) with `app.seed.bench`'s
`build_requirements` (what `flask --app wsgi bench-data` runs: Chinese titles and descriptions
from the domains' vocabulary, one to three proposers, a timeline of each requirement's moves),
gives the requirement whose detail is timed a discussion (COMMENTS comments through the
service), rebuilds the search index (`search.reindex`, what `flask --app wsgi search reindex`
runs), then serves the app (gunicorn with 2 workers where it is installed in the venv, else
werkzeug threaded: `bench/common.py`) and times, for a province manager and a city engineer:

* `GET /api/v1/requirements`: no filter, filtered by status, by domain, by region (a city for
  the province, a county for the city), and `q` (two-character words, phrases, a code, a lone
  character); the list page, plain and searched;
* `GET /api/v1/requirements/similar?text=...` and the possible duplicates (province);
* a requirement's detail: `GET /api/v1/requirements/<id>`, its `/timeline` and the web page
  `/requirements/<id>`;
* the same server's floor (the API's 401 answer, no query).

Prints JSON: median and 95th-percentile milliseconds over HTTP and of the application's own
time (`Server-Timing`), bytes, hits. Figures, not assertions. Targets (issue 12, 2 cores,
SQLite): list and search p95 <= 50 ms, similar p95 <= 100 ms, detail <= 30 ms.

    .venv/bin/python bench/bench_search.py [N]          # BENCH_RUNS=10 for fewer repetitions
"""
from __future__ import annotations

import json
import os
import random
import sys
import time
from urllib.parse import urlencode

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from sqlalchemy import func, select  # noqa: E402

from app.extensions import db  # noqa: E402
from app.models import Event, Region, Requirement, User  # noqa: E402
from app.seed import bench, reference_data  # noqa: E402
from app.services import auth, requirements, search, users  # noqa: E402
from bench.common import database, login, print_figures, runs_or, served, timed  # noqa: E402

N = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
RUNS = runs_or(40)
PASSWORD = "Bench#2026"
COMMENTS = 12


def build() -> int:
    """The requirements; answers the id of the one whose detail is timed (in both users' scope)."""
    reference_data.load()
    engineer = users.create_user("bench_eng", PASSWORD, "engineer", "445200")
    users.create_user("bench_prov", PASSWORD, "manager", "440000")
    bench.build_requirements(N, engineer, random.Random(12))
    county = db.session.scalar(select(Region.id).where(Region.code == "445202"))
    req = db.session.scalar(select(Requirement).where(Requirement.region_id == county,
                                                      Requirement.status == "assessing").order_by(Requirement.id))
    for k in range(COMMENTS):
        said = bench.sentence(random.Random(k))
        requirements.comment(engineer, req, f"第 {k + 1} 次跟进：{req.proposer_unit}反馈{said}，已联系核实。")
    return req.id


def hits(payload: bytes):
    data = json.loads(payload)
    return data.get("total") if isinstance(data, dict) else len(data)


def cases(tokens: dict, pages: dict, code: str, sample_title: str, rid: int) -> list[tuple]:
    """(name, path, headers, whether the answer counts hits) of every case, for both scopes."""
    rows = []
    for scope, region in (("province", "445200"), ("city", "445202")):
        api = {"Authorization": "Bearer " + tokens[scope]}
        for label, q in [("word 退款", "退款"), ("word 预算", "预算"), ("word 工资", "工资"), ("word 指标", "指标"),
                         ("phrase 跨年退款", "跨年退款"), ("phrase 指标调剂审核后", "指标调剂审核后"),
                         ("two words 工资 超时", "工资 超时"), ("code", code), ("lone character 税", "税")]:
            rows.append((f"search {scope}: {label}", "/api/v1/requirements?" + urlencode({"q": q}), api, True))
        rows.append((f"list {scope}: no q", "/api/v1/requirements", api, True))
        rows.append((f"list {scope}: page 500", "/api/v1/requirements?page=500", api, True))
        rows.append((f"list {scope}: most urgent first", "/api/v1/requirements?sort=-priority", api, True))
        rows.append((f"search {scope}: 预算 sorted newest first", "/api/v1/requirements?" + urlencode(
            {"q": "预算", "sort": "-created"}), api, True))
        rows.append((f"search {scope}: 预算 page 100", "/api/v1/requirements?" + urlencode({"q": "预算", "page": 100}),
                     api, True))
        for label, query in [("status assessing", {"status": "assessing"}), ("domain budget", {"domain": "budget"}),
                             (f"region {region}", {"region": region}),
                             ("status + domain", {"status": "assessing", "domain": "budget"})]:
            rows.append((f"list {scope}: {label}", "/api/v1/requirements?" + urlencode(query), api, True))
        for label, text in [("a stored title", sample_title), ("typed title", "跨年退款生成凭证时报错"),
                            ("title + description", "工资统发导入时报错，预算单位反馈人社局数据不一致")]:
            rows.append((f"similar {scope}: {label}", "/api/v1/requirements/similar?" + urlencode({"text": text}),
                           api, True))
        rows.append((f"detail {scope}: API", f"/api/v1/requirements/{rid}", api, False))
        rows.append((f"detail {scope}: API timeline", f"/api/v1/requirements/{rid}/timeline", api, True))
        rows.append((f"detail {scope}: page", f"/requirements/{rid}", pages[scope], False))
        rows.append((f"list page {scope}", "/requirements", pages[scope], False))
        rows.append((f"list page {scope}: search 退款", "/requirements?" + urlencode({"q": "退款"}), pages[scope],
                      False))
    rows.append(("possible duplicates province (newest 1,000 open)", "/api/v1/requirements/possible-duplicates",
                  {"Authorization": "Bearer " + tokens["province"]}, True))
    return rows


def main() -> None:
    figures: dict = {"requirements": N}
    with database() as (app, tmp, db_url):
        with app.app_context():
            t0 = time.perf_counter()
            rid = build()
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
            code = db.session.scalar(select(Requirement.code).where(  # in both users' scope
                Requirement.id >= N // 2, Requirement.region_id == db.session.get(Requirement, rid).region_id)
                .order_by(Requirement.id))
            sample_title = db.session.scalar(select(Requirement.title).where(Requirement.id == N // 3))
            figures["events"] = db.session.scalar(select(func.count(Event.id)))
            figures["detail: timeline events"] = db.session.scalar(
                select(func.count(Event.id)).where(Event.requirement_id == rid))
        figures["db_mb"] = round(sum(os.path.getsize(os.path.join(tmp, f)) for f in os.listdir(tmp)) / 1e6, 1)

        with served(app, tmp, db_url, figures) as conn:
            pages = {"province": login(conn, "bench_prov", PASSWORD), "city": login(conn, "bench_eng", PASSWORD)}
            for name, path, headers, counted in cases(tokens, pages, code, sample_title, rid):
                figures[name] = timed(conn, "GET", path, headers, runs=RUNS, hits=hits if counted else None)
            # the same server's floor: the API's 401 answer (no query, tiny JSON)
            figures["server floor (401 answer)"] = timed(conn, "GET", "/api/v1/requirements", {}, runs=RUNS, expect=401)
    print_figures(figures)


if __name__ == "__main__":
    main()
