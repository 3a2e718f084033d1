"""What the HTTP benchmarks share: the server, the timing loop, the figures, a web sign-in.

`serve` runs the WSGI app the way production does (gunicorn, 2 workers, from the venv; werkzeug
threaded where gunicorn is not installed) over the SQLite file a bench has built (`database`).
`timed` sends one request `runs` times over one client connection (gunicorn's sync workers close
it after each answer; http.client opens it again) and answers the figures: the client's wall time
(`p50_ms`, `p95_ms`) and, from the `Server-Timing: app;dur=<ms>` header every answer carries, the
application's own time (`server_p50_ms`, `server_p95_ms`: the issue's targets are server time).

    BENCH_RUNS=10 .venv/bin/python bench/bench_search.py 20000   # fewer repetitions (every bench)
"""
from __future__ import annotations

import contextlib
import http.client
import json
import math
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from urllib.parse import urlencode

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from sqlalchemy import select  # noqa: E402
from werkzeug.serving import WSGIRequestHandler, make_server  # noqa: E402

from app import create_app  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import ExportJob  # noqa: E402
from app.seed import bench  # noqa: E402
from app.services import exports  # noqa: E402


def runs_or(default: int) -> int:
    """How many times a case is sent: `BENCH_RUNS` when set, else the bench's own default."""
    return int(os.environ.get("BENCH_RUNS") or default)


RUNS = runs_or(30)
# untimed requests before a case's timed ones, one a worker (mostly: the kernel picks the worker), so
# that a cold worker's first answer (templates compiled, caches filled) is not among the samples
WARMUP = 2
TIMING = "app;dur="


class Quiet(WSGIRequestHandler):
    def log_request(self, *args, **kwargs) -> None:  # no access log on the terminal
        pass


def p95(samples: list[float]) -> float:
    """The nearest-rank 95th percentile (of 20 samples the 19th, of 30 the 29th, of 40 the 38th)."""
    samples = sorted(samples)
    return samples[max(0, math.ceil(len(samples) * 0.95) - 1)]


def figures_of(samples: list[float], size: int, server: list[float] | None = None) -> dict:
    """Over HTTP (`p50_ms`, `p95_ms`) and, where the answers said it (`Server-Timing`), the
    application's own time (`server_p50_ms`, `server_p95_ms`)."""
    figures = {"p50_ms": round(statistics.median(samples), 1), "p95_ms": round(p95(samples), 1)}
    if server:
        figures.update(server_p50_ms=round(statistics.median(server), 1), server_p95_ms=round(p95(server), 1))
    figures["bytes"] = size
    return figures


def timed(conn: http.client.HTTPConnection, method: str, path: str, headers: dict, body=None, runs: int = RUNS,
          expect: int = 200, hits: Callable[[bytes], object] | None = None, warmup: int = WARMUP) -> dict:
    """Send the request `warmup` times untimed, then `runs` times timed. `body` is bytes/str or a
    callable of the run's index; `hits(payload)` of the last answer is added as `hits`."""
    samples, server, size, payload = [], [], 0, b""
    for i in range(-warmup, runs):
        data = body(max(i, 0)) if callable(body) else body
        t0 = time.perf_counter()
        conn.request(method, path, body=data, headers=headers)
        response = conn.getresponse()
        payload = response.read()
        elapsed = (time.perf_counter() - t0) * 1000
        assert response.status == expect, (path, response.status, payload[:300])
        if i < 0:
            continue
        samples.append(elapsed)
        timing = response.getheader("Server-Timing") or ""
        if timing.startswith(TIMING):
            server.append(float(timing[len(TIMING):].split(",", 1)[0]))
        size = len(payload)
    figures = figures_of(samples, size, server)
    if hits is not None:
        figures["hits"] = hits(payload)
    return figures


def serve(app, tmp: str, db_url: str, target: str = "wsgi:app", port_offset: int = 0):
    """gunicorn (2 workers) when the venv has it, else werkzeug threaded, on 127.0.0.1; answers
    (port, stop, name). gunicorn's app reads the database from `DATABASE_URL` (the bench's file).
    `target` is the WSGI app gunicorn imports (`app` is what werkzeug serves)."""
    gunicorn = os.path.join(ROOT, ".venv", "bin", "gunicorn")
    if os.path.exists(gunicorn):
        port = 50000 + (os.getpid() + port_offset) % 10000
        env = {**os.environ, "DATABASE_URL": db_url, "SECRET_KEY": "bench",
               "FLASK_WTF_CSRF_ENABLED": "false"}  # Flask reads FLASK_-prefixed settings (from_prefixed_env)
        log = open(os.path.join(tmp, "gunicorn.log"), "wb")
        process = subprocess.Popen([gunicorn, "-w", "2", "-b", f"127.0.0.1:{port}", target], cwd=ROOT, env=env,
                                   stdout=subprocess.DEVNULL, stderr=log)
        for _ in range(200):  # ready when a worker answers
            if process.poll() is not None:
                log.close()
                with open(log.name, encoding="utf-8", errors="replace") as f:
                    raise RuntimeError("gunicorn stopped:\n" + f.read()[-2000:])
            try:
                probe = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                probe.request("GET", "/login" if target == "wsgi:app" else "/")
                probe.getresponse().read()
                probe.close()
                break
            except OSError:
                time.sleep(0.1)

        def stop() -> None:
            process.send_signal(signal.SIGTERM)
            process.wait()
            log.close()

        return port, stop, "gunicorn, 2 workers"
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server.server_port, server.shutdown, "werkzeug, threaded"


def login(conn: http.client.HTTPConnection, username: str, password: str = bench.PASSWORD) -> dict:
    """Sign in through the web form; answers the session cookie's header."""
    conn.request("POST", "/login", body=urlencode({"username": username, "password": password}),
                 headers={"Content-Type": "application/x-www-form-urlencoded"})
    response = conn.getresponse()
    response.read()
    assert response.status == 302, (username, response.status)
    return {"Cookie": response.getheader("Set-Cookie").split(";", 1)[0]}


@contextlib.contextmanager
def database() -> Iterator[tuple]:
    """A temporary SQLite file (WAL: the app's connect hook) with the tables, an app over it;
    answers (app, tmp, db_url). On exit: the files the server exported under the app's instance
    folder are removed, and the temporary folder."""
    tmp = tempfile.mkdtemp()
    db_url = f"sqlite:///{tmp}/bench.db"
    app = create_app({"SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": db_url, "WTF_CSRF_ENABLED": False})
    try:
        with app.app_context():
            db.create_all()
        yield app, tmp, db_url
    finally:
        with app.app_context():
            for name in db.session.scalars(select(ExportJob.file_name).where(ExportJob.file_name != "")):
                with contextlib.suppress(FileNotFoundError):
                    os.remove(os.path.join(exports.folder(), name))
            db.session.remove()
            db.engine.dispose()
        shutil.rmtree(tmp, ignore_errors=True)


@contextlib.contextmanager
def served(app, tmp: str, db_url: str, figures: dict) -> Iterator[http.client.HTTPConnection]:
    """`serve`, its name in `figures["server"]`; answers a keep-alive connection to it. The
    machine's 1-minute load average before and after the cases goes in `figures["load"]`: on 2
    cores, a load above 2 means others' work was timed too."""
    port, stop, figures["server"] = serve(app, tmp, db_url)
    conn = http.client.HTTPConnection("127.0.0.1", port)
    before = round(os.getloadavg()[0], 1)
    try:
        yield conn
    finally:
        figures["load"] = {"before": before, "after": round(os.getloadavg()[0], 1)}
        conn.close()
        stop()
    figures["hello-world, same server (ceiling)"] = hello_world(tmp, db_url)


def hello_world(tmp: str, db_url: str) -> dict:
    """A bare WSGI hello-world (`bench/hello.py`) through the same server: the ceiling."""
    from bench import hello

    port, stop, _ = serve(hello.app, tmp, db_url, target="bench.hello:app", port_offset=1)
    conn = http.client.HTTPConnection("127.0.0.1", port)
    try:
        return timed(conn, "GET", "/", {})
    finally:
        conn.close()
        stop()


def print_figures(figures: dict) -> None:
    print(json.dumps(figures, ensure_ascii=False, indent=1))
