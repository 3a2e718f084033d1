"""Real-browser fixtures: the app served on a free local port, Playwright driving Debian's chromium."""
from __future__ import annotations

import os
import shutil
import threading

import pytest
from werkzeug.serving import make_server

from app.services import users

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "Browser#2026"


def chromium_path() -> str:
    path = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not os.path.exists(path):
        pytest.fail("Debian's chromium is missing: `make test` installs it (scripts/system-deps.sh test).")
    return path


# on top of tests/conftest.py's TEST_CONFIG: a browser sends CSRF tokens like a real one
E2E_CONFIG = {"SECRET_KEY": "e2e", "WTF_CSRF_ENABLED": True}


def _e2e_users() -> None:
    users.create_user("engineer", PASSWORD, "engineer", "445200", "黄志明")
    users.create_user("manager", PASSWORD, "manager", "445200", "林晓燕")
    users.create_user("reviewer", PASSWORD, "reviewer", "440000", "王建国")


@pytest.fixture
def live_server(app, seed_once):
    """Serve the worker's app (fresh database: reference data, users of each role) on 127.0.0.1:<free port>.

    Each request is handled in its own thread with its own app context; the test may push its own.
    """
    app.config.update(E2E_CONFIG)
    seed_once("e2e-users", _e2e_users)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", app
    finally:
        server.shutdown()
        server.server_close()  # no connection reaches this app once the next test gets it


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, request, tmp_path):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(10_000)
    # the Content-Security-Policy allows no inline script or eval: a page that needs one fails here
    refused: list[str] = []
    page.on("console", lambda message: refused.append(message.text)
            if "Content Security Policy" in message.text else None)
    yield page
    assert not refused, refused
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        os.makedirs("test-artifacts", exist_ok=True)
        page.screenshot(path=f"test-artifacts/{request.node.name}.png", full_page=True)
    context.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, "rep_" + report.when, report)


@pytest.fixture
def sign_in():
    def sign_in(page, base: str, username: str, password: str = PASSWORD) -> None:
        page.goto(f"{base}/login")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", password)
        page.click("form button[type=submit]")
        page.wait_for_url(f"{base}/requirements")

    return sign_in


@pytest.fixture
def settled():
    """settled(page): wait until htmx has swapped and processed the new content (a person never
    types sooner)."""

    def settled(page) -> None:
        page.wait_for_function(
            "() => window.htmx && !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')"
        )
        page.wait_for_timeout(50)

    return settled
