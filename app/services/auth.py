"""Sign-in and API tokens."""
from __future__ import annotations

import secrets

from sqlalchemy import select, update

from app.extensions import db
from app.models import ApiToken, User
from app.services.errors import Msg, NotFound, Unauthorized
from app.services.uow import unit_of_work
from app.utils import utcnow


def authenticate(username: str, password: str) -> User:
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None or not user.active or not user.check_password(password):
        raise Unauthorized(Msg("Wrong username or password."))
    return user


def issue_token(user: User) -> str:
    """Create a token; only its hash is stored, the plain token is returned once."""
    token = secrets.token_urlsafe(32)
    with unit_of_work():
        db.session.add(ApiToken(user_id=user.id, token_hash=ApiToken.hash(token)))
    return token


def user_for_token(token: str) -> User:
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == ApiToken.hash(token)))
    if row is None or row.revoked_at is not None or not row.user.active:
        raise Unauthorized(Msg("Invalid or revoked token."))
    return row.user


def revoke_token(token: str) -> None:
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == ApiToken.hash(token)))
    if row is None:
        raise NotFound(Msg("Token not found."))
    with unit_of_work():
        row.revoked_at = utcnow()


def revoke_all_pending(user: User) -> None:
    """Revoke every live token of `user` in the caller's transaction."""
    db.session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


def revoke_all(user: User) -> int:
    with unit_of_work():
        result = db.session.execute(
            update(ApiToken)
            .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        )
    return result.rowcount or 0
