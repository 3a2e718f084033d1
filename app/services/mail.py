"""Sending the e-mail outbox (issue 10) with the standard library's smtplib.

Each message is claimed (pending → sending) by a conditional UPDATE before it is sent, so two
runs of `flask mail send` / `sla tick`, even at the same time, send it once. A failure counts an
attempt, keeps the error and schedules the next try (5, 10, 20 … minutes); after
`MAIL_MAX_ATTEMPTS` the message stays `failed`.

Settings (config or `FLASK_MAIL_*` environment): MAIL_SERVER, MAIL_PORT (25), MAIL_USE_TLS
(STARTTLS), MAIL_USE_SSL, MAIL_USERNAME, MAIL_PASSWORD, MAIL_DEFAULT_SENDER, MAIL_TIMEOUT (10 s),
MAIL_MAX_ATTEMPTS (5).
"""
from __future__ import annotations

import smtplib
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formataddr, make_msgid

from flask import current_app
from sqlalchemy import func, select, update

from app.extensions import db
from app.models.notification import MailMessage
from app.services import paging, permissions
from app.utils import utcnow

BATCH = 200


def _config(name: str, default=None):
    return current_app.config.get(name, default)


def _connect() -> smtplib.SMTP:
    host, timeout = _config("MAIL_SERVER"), float(_config("MAIL_TIMEOUT", 10))
    port = int(_config("MAIL_PORT") or (465 if _config("MAIL_USE_SSL") else 25))
    smtp: smtplib.SMTP
    if _config("MAIL_USE_SSL"):
        smtp = smtplib.SMTP_SSL(host, port, timeout=timeout)
    else:
        smtp = smtplib.SMTP(host, port, timeout=timeout)
        if _config("MAIL_USE_TLS"):
            smtp.starttls()
    if _config("MAIL_USERNAME"):
        smtp.login(_config("MAIL_USERNAME"), _config("MAIL_PASSWORD") or "")
    return smtp


def build(message: MailMessage) -> EmailMessage:
    """The MIME message: UTF-8 body, the subject encoded for non-ASCII headers (RFC 2047)."""
    email = EmailMessage()
    sender = _config("MAIL_DEFAULT_SENDER") or f"tracker@{_config('MAIL_SERVER')}"
    email["From"] = formataddr(sender) if isinstance(sender, (tuple, list)) else sender
    email["To"] = message.to_address
    email["Subject"] = message.subject
    email["Message-ID"] = make_msgid(idstring=f"outbox{message.id}")
    email.set_content(message.body, charset="utf-8")
    return email


def _claim(message_id: int) -> bool:
    result = db.session.execute(
        update(MailMessage).where(MailMessage.id == message_id, MailMessage.status == "pending")
        .values(status="sending").execution_options(synchronize_session=False))
    db.session.commit()
    return result.rowcount == 1


def _finish(message_id: int, error: str | None, now: datetime) -> None:
    message = db.session.get(MailMessage, message_id)
    db.session.refresh(message)
    message.attempts += 1
    if error is None:
        message.status, message.sent_at, message.last_error = "sent", now, ""
    else:
        message.last_error = error[:2000]
        if message.attempts >= int(_config("MAIL_MAX_ATTEMPTS", 5)):
            message.status = "failed"
        else:
            message.status = "pending"
            message.next_attempt_at = now + timedelta(minutes=5 * 2 ** (message.attempts - 1))
    db.session.commit()


def send_pending(now: datetime | None = None) -> dict[str, int]:
    """Send what is due in the outbox; returns counts of sent and failed attempts. Without
    MAIL_SERVER nothing is sent (the messages wait)."""
    now = now or utcnow()
    counts = {"sent": 0, "failed": 0}
    if not _config("MAIL_SERVER"):
        return counts
    due = list(db.session.scalars(
        select(MailMessage.id).where(MailMessage.status == "pending", MailMessage.next_attempt_at <= now)
        .order_by(MailMessage.id).limit(BATCH)))
    if not due:
        return counts
    smtp: smtplib.SMTP | None = None
    connect_error: str | None = None
    try:
        smtp = _connect()
    except (OSError, smtplib.SMTPException) as exc:
        connect_error = f"{type(exc).__name__}: {exc}"
    try:
        for message_id in due:
            if not _claim(message_id):
                continue  # another run took it
            error = connect_error
            if smtp is not None:
                try:
                    smtp.send_message(build(db.session.get(MailMessage, message_id)))
                except (OSError, smtplib.SMTPException) as exc:
                    error = f"{type(exc).__name__}: {exc}"
            _finish(message_id, error, now)
            counts["failed" if error else "sent"] += 1
    finally:
        if smtp is not None:
            try:
                smtp.quit()
            except (OSError, smtplib.SMTPException):
                pass
    return counts


# --- the outbox's delivery status (administrators) ---------------------------------------------

STATUSES = ("pending", "sending", "sent", "failed")


def outbox(user, status: str | None = None, page: int = 1, per_page: int = 20):
    """The outbox, newest first, optionally of one status (administrators: the addresses are
    personal data)."""
    permissions.require(user, "manage_users")
    stmt = select(MailMessage).order_by(MailMessage.id.desc())
    if status:
        stmt = stmt.where(MailMessage.status == status)
    return paging.paginate(stmt, page, per_page)


def outbox_counts(user) -> dict[str, int]:
    """How many messages of each status (one grouped query)."""
    permissions.require(user, "manage_users")
    rows = db.session.execute(select(MailMessage.status, func.count()).group_by(MailMessage.status))
    counts = dict.fromkeys(STATUSES, 0)
    counts.update({status: n for status, n in rows})
    return counts
