"""Requirement codes REQ-YYYY-NNNN: sequential per year, unique under concurrent creation.

The `app` fixture uses a SQLite *file* (WAL, busy timeout), so each thread below has its own
connection and transaction, as concurrent web requests would.
"""
from __future__ import annotations

import re
import threading

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.extensions import db
from app.models import CodeSequence, Requirement, User
from app.services import requirements

# these tests call the services and `db` directly, in one app context held for the test
pytestmark = pytest.mark.usefixtures("app_ctx")

THREADS = 6
PER_THREAD = 4


def _data(i: int) -> dict:
    return {
        "title": f"并发登记的需求 {i}",
        "description": "",
        "domain": "execution",
        "module": "",
        "type": "defect",
        "priority": "medium",
        "channel": "phone",
        "region": "445200",
        "proposer_name": "李秀英",
    }


def test_database_is_a_file(app):
    assert db.engine.url.database and db.engine.url.database != ":memory:"


def test_codes_are_sequential_and_padded(app, make_user):
    engineer = make_user("li", "engineer", "445200")
    codes = [requirements.create(engineer, _data(i)).code for i in range(3)]
    year = codes[0][4:8]
    assert codes == [f"REQ-{year}-0001", f"REQ-{year}-0002", f"REQ-{year}-0003"]
    for code in codes:
        assert re.fullmatch(r"REQ-\d{4}-\d{4}", code)


def test_concurrent_creation_gives_unique_sequential_codes(app, make_user, run_concurrently):
    user_id = make_user("li", "engineer", "445200").id
    db.session.remove()
    created: list[str] = []
    lock = threading.Lock()

    def create(index: int) -> None:
        with app.app_context():
            try:
                actor = db.session.get(User, user_id)
                for n in range(PER_THREAD):
                    req = requirements.create(actor, _data(index * 100 + n))
                    with lock:
                        created.append(req.code)
            finally:
                db.session.remove()

    errors = run_concurrently(create, THREADS)
    assert errors == []
    total = THREADS * PER_THREAD
    assert len(created) == total
    assert len(set(created)) == total, sorted(created)
    year = created[0][4:8]
    assert sorted(created) == [f"REQ-{year}-{n:04d}" for n in range(1, total + 1)]
    stored = db.session.scalars(select(Requirement.code)).all()
    assert sorted(stored) == sorted(created)
    assert db.session.get(CodeSequence, ("requirement", int(year))).last == total


def test_concurrent_next_code_in_separate_sessions(app, run_concurrently):
    issued: list[str] = []
    lock = threading.Lock()
    engine = db.engine

    def issue(index: int) -> None:
        for _ in range(PER_THREAD):
            with Session(engine) as session:
                code = requirements.next_code(session, 2031)
                session.commit()
            with lock:
                issued.append(code)

    errors = run_concurrently(issue, THREADS)
    assert errors == []
    total = THREADS * PER_THREAD
    assert sorted(issued) == [f"REQ-2031-{n:04d}" for n in range(1, total + 1)]


def test_rolled_back_transaction_does_not_consume_a_number(app):
    with Session(db.engine) as session:
        assert requirements.next_code(session, 2030) == "REQ-2030-0001"
        session.rollback()
    with Session(db.engine) as session:
        assert requirements.next_code(session, 2030) == "REQ-2030-0001"
        session.commit()


def test_codes_restart_each_year(app):
    with Session(db.engine) as session:
        assert requirements.next_code(session, 2030) == "REQ-2030-0001"
        assert requirements.next_code(session, 2030) == "REQ-2030-0002"
        assert requirements.next_code(session, 2031) == "REQ-2031-0001"
        assert requirements.next_code(session, 2030) == "REQ-2030-0003"
        assert requirements.next_code(session, 2031) == "REQ-2031-0002"
        session.commit()
    rows = {(r.year, r.last) for r in db.session.scalars(select(CodeSequence))}
    assert rows == {(2030, 3), (2031, 2)}


def test_create_uses_the_current_year_on_beijing_time(app, make_user, monkeypatch):
    from datetime import datetime

    engineer = make_user("li", "engineer", "445200")
    # 15:59 UTC on 31 December is 23:59 in Beijing: still 2030
    monkeypatch.setattr(requirements, "utcnow", lambda: datetime(2030, 12, 31, 15, 59, 59))
    last_2030 = requirements.create(engineer, _data(1)).code
    # 16:00:01 UTC is already 1 January 2031 in Beijing
    monkeypatch.setattr(requirements, "utcnow", lambda: datetime(2030, 12, 31, 16, 0, 1))
    first_2031 = requirements.create(engineer, _data(2)).code
    second_2031 = requirements.create(engineer, _data(3)).code
    assert (last_2030, first_2031, second_2031) == ("REQ-2030-0001", "REQ-2031-0001", "REQ-2031-0002")


def test_failed_create_does_not_consume_a_number(app, make_user):
    from app.services.errors import ValidationFailed

    engineer = make_user("li", "engineer", "445200")
    with pytest.raises(ValidationFailed):
        requirements.create(engineer, {**_data(1), "region": "440100"})
    code = requirements.create(engineer, _data(2)).code
    assert code.endswith("-0001")
    assert db.session.scalar(select(func.count()).select_from(Requirement)) == 1


def test_codes_are_unique_in_the_schema(app):
    assert any(
        c.unique for c in Requirement.__table__.c if c.name == "code"
    ) or any(
        {col.name for col in uc.columns} == {"code"}
        for uc in Requirement.__table__.constraints
        if uc.__class__.__name__ == "UniqueConstraint"
    )
