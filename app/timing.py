"""`Server-Timing: app;dur=<ms>` on every answer: the time the application spent on the request,
from its first hook to its last (the view, the database, the audit entry), without the network
and the web server. Browsers' developer tools show it next to each request, a proxy can log it,
and bench/ reports it beside the times it measures over HTTP."""
from __future__ import annotations

import time

from flask import Flask, Response, g


def _start() -> None:
    g.request_started = time.perf_counter()


def _finish(response: Response) -> Response:
    started = g.get("request_started")
    if started is not None:
        response.headers["Server-Timing"] = f"app;dur={(time.perf_counter() - started) * 1000:.2f}"
    return response


def init_app(app: Flask) -> None:
    """Call first: before-request hooks run in the order they were added (this one first) and
    after-request hooks in the reverse order (this one last)."""
    app.before_request(_start)
    app.after_request(_finish)
