"""Notable cases (典型案例): requirements a requirement manager marks, with a short write-up, for
the task force's reports. Marking is an assessment task (the `assess` permission: requirement
managers), within the marker's region; everyone who sees the requirement sees its mark."""
from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import NotableCase, Requirement, User
from app.services import permissions
from app.services.errors import Msg, NotFound, ValidationFailed
from app.services.periods import Period
from app.services.stats.query import scoped_where
from app.services.uow import unit_of_work
from app.utils import utcnow

WRITE_UP_MAX = 2000


def of(req: Requirement) -> NotableCase | None:
    return db.session.scalar(select(NotableCase).where(NotableCase.requirement_id == req.id))


def get_for(user: User, req: Requirement) -> NotableCase:
    case = of(req)
    if case is None:
        raise NotFound(Msg("Requirement %(code)s is not marked as a notable case.", code=req.code))
    return case


def mark(user: User, req: Requirement, write_up: str) -> NotableCase:
    """Mark (or re-word) a notable case; the write-up is required."""
    permissions.require(user, "assess", req)
    text = (write_up or "").strip()
    if not text:
        raise ValidationFailed.field("write_up", Msg("Write a short account of the case."))
    if len(text) > WRITE_UP_MAX:
        raise ValidationFailed.field("write_up", Msg("At most %(n)s characters.", n=WRITE_UP_MAX))
    with unit_of_work():
        case = of(req)
        if case is None:
            case = NotableCase(requirement_id=req.id, write_up=text, marked_by_id=user.id, marked_at=utcnow())
            db.session.add(case)
        else:
            case.write_up, case.marked_by_id, case.marked_at = text, user.id, utcnow()
    return case


def unmark(user: User, req: Requirement) -> None:
    permissions.require(user, "assess", req)
    with unit_of_work():
        db.session.delete(get_for(user, req))


def in_period(user: User, filters: dict, period: Period) -> list[NotableCase]:
    """Cases marked within `period` on requirements the reader may see (matching the filters)."""
    where = scoped_where(user, {k: v for k, v in filters.items() if k not in ("date_from", "date_to")})
    stmt = (select(NotableCase).join(Requirement, Requirement.id == NotableCase.requirement_id)
            .where(where, NotableCase.marked_at >= period.start_utc, NotableCase.marked_at < period.end_utc)
            .order_by(NotableCase.marked_at, NotableCase.id))
    return list(db.session.scalars(stmt))
