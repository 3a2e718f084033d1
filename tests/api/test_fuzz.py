"""Fuzzing the JSON API from its own OpenAPI document (schemathesis over the WSGI app).

Every operation of /api/v1 is called as each role with generated input, valid and invalid, a
bounded and reproducible number of times (derandomized, no example database). Every answer must
be 2xx or 4xx, documented, of the declared media type and match its declared schema (errors:
`{"code", "message", "errors"}`); after writes that succeeded, the pages and documents of what
was stored last still render. The database is the demo data (requirements in every status,
meetings, a run), so ids 1, 2, ... exist. On PostgreSQL when TEST_DATABASE_URL is set (the
`app` fixture), on SQLite otherwise. One test per operation and role, so xdist spreads them
(about 6,000 requests, a minute on two cores).
"""
from __future__ import annotations

import functools
import os

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from app import create_app
from app.extensions import db
from app.models import User
from app.seed import demo, demo_meetings, demo_verification
from app.services import auth

ROLES = ("admin", "manager", "engineer", "reviewer", "taskforce")
# generated requests per operation and role (half valid, half invalid input); FUZZ_EXAMPLES raises it
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "8"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
METHODS = ("get", "post", "put", "patch", "delete")


@functools.cache
def _document() -> dict:
    """The OpenAPI document as the app serves it (no database needed)."""
    app = create_app({"TESTING": True, "SECRET_KEY": "fuzz", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    response = app.test_client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def _operations() -> list[str]:
    return [f"{method.upper()} {path}" for path, item in _document()["paths"].items()
            for method in item if method in METHODS]


@functools.cache
def _schema():
    return schemathesis.openapi.from_dict(_document())


@pytest.fixture
def fuzz_tokens(seed_once) -> dict[str, str]:
    """The demo data and a bearer token for one demo user of each role (built once per worker)."""

    def load():
        demo.load()
        demo_meetings.load()
        demo_verification.load()
        tokens = {}
        for role in ROLES:
            user = db.session.scalar(db.select(User).where(User.role == role, User.active.is_(True))
                                     .order_by(User.id))
            tokens[role] = auth.issue_token(user)
        return tokens

    return seed_once("fuzz-demo", load)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("label", _operations())
def test_operation_answers_within_its_contract(app, fuzz_tokens, label, role):
    schema = _schema()
    operation = schema.find_operation_by_label(label)
    assert operation is not None, label
    headers = {"Authorization": f"Bearer {fuzz_tokens[role]}"}
    strategy = st.one_of(operation.as_strategy(GenerationMode.POSITIVE),
                         operation.as_strategy(GenerationMode.NEGATIVE))
    failures: list[str] = []
    stored: list[int] = []  # statuses of the writes that succeeded

    @settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=strategy)
    def run(case):
        case.headers = {**(case.headers or {}), **headers}
        try:
            response = case.call(app=app)
            if response.status_code < 300 and case.method.upper() != "GET":
                stored.append(response.status_code)
            case.validate_response(response, checks=CHECKS)
        except Exception as error:  # noqa: BLE001 - every failure is collected and reported below
            failures.append(f"{type(error).__name__}: {error}\n{case.as_curl_command()}"[:3000])

    run()
    assert not failures, f"{label} as {role}: {len(failures)} failing request(s)\n\n" + "\n\n".join(
        failures[:3])
    if stored:
        _reads_still_render(app, fuzz_tokens["admin"])


def _reads_still_render(app, admin_token: str) -> None:
    """What the writes stored reads back: the pages and documents of the latest requirement,
    meeting and release, as the administrator (who sees every region)."""
    from app.models import Meeting, Release, Requirement

    with app.app_context():
        latest = {model.__name__: db.session.scalar(db.select(model.id).order_by(model.updated_at.desc()
                                                                                 if hasattr(model, "updated_at")
                                                                                 else model.id.desc()))
                  for model in (Requirement, Meeting, Release)}
    web = app.test_client()
    assert web.post("/login", data={"username": "admin", "password": demo.DEMO_PASSWORD}).status_code == 302
    bearer = {"Authorization": f"Bearer {admin_token}"}
    reads = [(web, "/requirements"), (web, f"/requirements/{latest['Requirement']}"),
             (web, f"/meetings/{latest['Meeting']}"), (web, f"/releases/{latest['Release']}"),
             (app.test_client(), f"/api/v1/requirements/{latest['Requirement']}/timeline"),
             (app.test_client(), f"/api/v1/meetings/{latest['Meeting']}/minutes.docx"),
             (app.test_client(), f"/api/v1/releases/{latest['Release']}/report.docx")]
    for client, url in reads:
        headers = bearer if url.startswith("/api/") else {}
        status = client.get(url, headers=headers).status_code
        assert status < 500, f"after the writes, GET {url} answers {status}"
