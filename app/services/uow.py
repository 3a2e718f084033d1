"""The unit of work: every use case that writes runs its changes inside `unit_of_work()`.

Everything done in the block commits together at its end, or nothing does: any exception rolls
the session back and propagates. A concurrent update detected by the version counter
(`StaleDataError`) becomes a `StaleVersion` (409) with the caller's message.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm.exc import StaleDataError

from app.extensions import db
from app.services.errors import Msg, StaleVersion

STALE = Msg("The record was changed by someone else meanwhile; reload.")


@contextmanager
def unit_of_work(stale: str | None = None) -> Iterator[None]:
    try:
        yield
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        raise StaleVersion(stale or STALE) from None
    except BaseException:
        db.session.rollback()
        raise
