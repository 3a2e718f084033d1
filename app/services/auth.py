"""Sign-in and API tokens.

Sign-in resists guessing: every attempt (page or token request) is stored (`SignInAttempt`,
so the limits hold across workers); SIGNIN_MAX_FAILURES wrong passwords for one account within
SIGNIN_WINDOW_MINUTES lock that account for SIGNIN_LOCK_MINUTES, and one address gets
SIGNIN_MAX_FAILURES_PER_ADDRESS failures in the window (429 `too_many_attempts` meanwhile,
the password not even checked). An unknown username costs the same password hashing as a
known one, so answers do not reveal which accounts exist.

Web sessions carry the user's `session_version` (`User.get_id`); changing the password and
signing out bump it, so every session cookie issued before stops working (sign-out ends the
user's sessions on every device: no server-side session store is needed for that).

API tokens expire API_TOKEN_DAYS after issue and record `last_used_at` (at most once a minute).
"""
from __future__ import annotations

import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select, update
from werkzeug.security import check_password_hash, generate_password_hash

from app.extensions import db
from app.models import ApiToken, SignInAttempt, User
from app.services import audit, permissions
from app.services.errors import DomainError, Msg, NotFound, Unauthorized
from app.services.uow import unit_of_work
from app.utils import utcnow

WRONG = Msg("Wrong username or password.")
# `last_used_at` is written at most this often per token
LAST_USED_EVERY = timedelta(minutes=1)

_dummy_hashes: dict[str, str] = {}


class TooManyAttempts(DomainError):
    status = 429
    code = "too_many_attempts"


def _dummy_hash() -> str:
    """A hash made with the configured method, checked for unknown users (equal timing)."""
    method = current_app.config["PASSWORD_HASH_METHOD"]
    if method not in _dummy_hashes:
        _dummy_hashes[method] = generate_password_hash(secrets.token_urlsafe(16), method)
    return _dummy_hashes[method]


def _locked_until(column, value: str, limit: int):
    """When the lock on this username/address ends, or None: `limit` failures (since the last
    success) within the window ending at the latest failure lock it until that failure plus
    the lock time."""
    config = current_app.config
    window = timedelta(minutes=config["SIGNIN_WINDOW_MINUTES"])
    lock = timedelta(minutes=config["SIGNIN_LOCK_MINUTES"])
    now = utcnow()
    last_success = db.session.scalar(
        select(func.max(SignInAttempt.at)).where(column == value, SignInAttempt.succeeded.is_(True)))
    failures = select(SignInAttempt.at).where(column == value, SignInAttempt.succeeded.is_(False),
                                              SignInAttempt.at > now - window - lock)
    if last_success is not None:
        failures = failures.where(SignInAttempt.at > last_success)
    times = sorted(db.session.scalars(failures), reverse=True)
    if len(times) < limit or now >= times[0] + lock:
        return None
    latest = times[0]
    if sum(1 for t in times if t > latest - window) >= limit:
        return latest + lock
    return None


def check_throttle(username: str, address: str) -> None:
    """429 while the account or the address is locked."""
    config = current_app.config
    for column, value, limit in ((SignInAttempt.username, username, config["SIGNIN_MAX_FAILURES"]),
                                 (SignInAttempt.address, address, config["SIGNIN_MAX_FAILURES_PER_ADDRESS"])):
        until = _locked_until(column, value, limit)
        if until is not None:
            minutes = max(1, -(-int((until - utcnow()).total_seconds()) // 60))
            raise TooManyAttempts(Msg("Too many failed sign-ins; try again in %(minutes)s minutes.",
                                      minutes=minutes))


def _record(username: str, address: str, succeeded: bool, user: User | None = None) -> None:
    """The attempt and its audit entry (a failed one too: this is all the request commits)."""
    with unit_of_work():
        db.session.add(SignInAttempt(username=username[:64], address=address[:64], succeeded=succeeded,
                                     at=utcnow()))
        audit.record("sign_in" if succeeded else "sign_in_failed", "user", user.id if user else "",
                     "" if succeeded or user else "unknown user", actor=user, actor_name=username)


def authenticate(username: str, password: str, address: str = "") -> User:
    """The user for this username and password; 401 if wrong (the attempt is recorded), 429
    while the account or the address is locked."""
    address = address or "unknown"
    try:
        check_throttle(username, address)
    except TooManyAttempts:
        tried = db.session.scalar(select(User).where(User.username == username))
        with unit_of_work():
            audit.record("sign_in_locked", "user", tried.id if tried else "", actor=tried, actor_name=username)
        raise
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        check_password_hash(_dummy_hash(), password)  # as slow as a real check
        ok = False
    else:
        ok = user.check_password(password) and user.active
    _record(username, address, ok, user)
    if not ok:
        raise Unauthorized(WRONG)
    return user


def end_sessions(user: User) -> None:
    """Every web session of `user` issued so far stops working (in the caller's transaction)."""
    user.session_version = (user.session_version or 1) + 1


def sign_out(user: User) -> None:
    with unit_of_work():
        end_sessions(user)
        audit.record("sign_out", "user", user.id, actor=user)


def session_user(user_id: str) -> User | None:
    """The user a session id (`id:session_version`) stands for, or None if it is stale."""
    raw_id, _, version = user_id.partition(":")
    if not raw_id.isdigit() or not version.isdigit() or len(raw_id) > 18:
        return None
    user = db.session.get(User, int(raw_id))
    if user is None or str(user.session_version) != version:
        return None
    return user


def issue_token(user: User) -> str:
    """Create a token; only its hash is stored, the plain token is returned once."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    expires = now + timedelta(days=current_app.config["API_TOKEN_DAYS"])
    with unit_of_work():
        row = ApiToken(user_id=user.id, token_hash=ApiToken.hash(token), created_at=now, expires_at=expires)
        db.session.add(row)
        db.session.flush()
        audit.record("token_create", "api_token", row.id, user.username, after={"expires_at": expires.isoformat()},
                     actor=user)
    return token


def user_for_token(token: str) -> User:
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == ApiToken.hash(token)))
    now = utcnow()
    if row is None or row.revoked_at is not None or not row.user.active:
        raise Unauthorized(Msg("Invalid or revoked token."))
    if row.expires_at is not None and row.expires_at <= now:
        raise Unauthorized(Msg("The token has expired; request a new one."))
    if row.last_used_at is None or now - row.last_used_at >= LAST_USED_EVERY:
        with unit_of_work():
            row.last_used_at = now
    return row.user


def tokens_of(actor: User, username: str | None = None) -> list[ApiToken]:
    """The tokens of `actor`, or (administrators) of the user named, newest first."""
    owner = actor
    if username and username != actor.username:
        permissions.require(actor, "manage_users")
        owner = db.session.scalar(select(User).where(User.username == username))
        if owner is None or not permissions.region_in_scope(actor, owner.region):
            raise NotFound(Msg("User not found."))
    return list(db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == owner.id).order_by(ApiToken.id.desc())))


def revoke_token_id(actor: User, token_id: int) -> ApiToken:
    """Revoke one token: its owner or an administrator (anyone else: 404)."""
    row = db.session.get(ApiToken, token_id) if 0 < token_id < 2**62 else None
    if row is None or (row.user_id != actor.id and not (
            permissions.can(actor, "manage_users") and permissions.region_in_scope(actor, row.user.region))):
        raise NotFound(Msg("Token not found."))
    if row.revoked_at is None:
        with unit_of_work():
            row.revoked_at = utcnow()
            audit.record("token_revoke", "api_token", row.id, row.user.username, actor=actor)
    return row


def revoke_token(token: str) -> None:
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == ApiToken.hash(token)))
    if row is None:
        raise NotFound(Msg("Token not found."))
    with unit_of_work():
        row.revoked_at = utcnow()
        audit.record("token_revoke", "api_token", row.id, row.user.username, actor=row.user)


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
