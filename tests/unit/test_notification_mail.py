"""The e-mail outbox through a real local SMTP server (aiosmtpd): Chinese subject and body in
UTF-8, each message sent once however often the send command runs, a failure retried later."""
from __future__ import annotations

import email
import socket
from datetime import timedelta
from email.header import decode_header, make_header

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from app.extensions import db
from app.models import MailMessage
from app.services import mail
from app.utils import utcnow
from tests.conftest import requirement_payload


class Inbox:
    def __init__(self):
        self.messages: list[email.message.Message] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.original_content or envelope.content))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp(app):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port, MAIL_DEFAULT_SENDER="tracker@example.cn")
    try:
        yield inbox
    finally:
        controller.stop()
        for key in ("MAIL_SERVER", "MAIL_PORT", "MAIL_DEFAULT_SENDER"):
            app.config.pop(key, None)


def set_email(app, username: str, address: str) -> None:
    from app.models import User

    with app.app_context():
        db.session.scalar(select(User).where(User.username == username)).email = address
        db.session.commit()


def send(app) -> str:
    result = app.test_cli_runner().invoke(args=["mail", "send"])
    assert result.exit_code == 0, result.output
    return result.output


def subject(message) -> str:
    return str(make_header(decode_header(message["Subject"])))


def outbox(app) -> list[tuple[str, int, str]]:
    with app.app_context():
        return [(m.status, m.attempts, m.last_error) for m in db.session.scalars(select(MailMessage).order_by(MailMessage.id))]


def test_each_notification_is_mailed_once_in_chinese(app, api, smtp):
    filer, manager = api("engineer", "445200"), api("manager", "445200")
    set_email(app, filer.user.username, "li@example.cn")
    req = filer.post("/api/v1/requirements", json=requirement_payload()).json
    assert manager.post(f"/api/v1/requirements/{req['id']}/comments", json={"body": "请补充截图"}).status_code == 201
    assert outbox(app) == [("pending", 0, "")]  # queued in the comment's transaction, not sent yet

    assert "1 sent" in send(app)
    send(app)  # again: nothing more
    tick = app.test_cli_runner().invoke(args=["sla", "tick"])  # sla tick sends too, still once
    assert tick.exit_code == 0, tick.output
    assert len(smtp.messages) == 1
    message = smtp.messages[0]
    assert message["To"] == "li@example.cn" and message["From"] == "tracker@example.cn"
    assert subject(message) == f"【数字财政需求跟踪】manager_445200 评论了 {req['code']}"
    body = message.get_payload(decode=True).decode(message.get_content_charset())
    assert message.get_content_charset() == "utf-8"
    assert f"需求：{req['code']} {req['title']}" in body and "通知设置中关闭" in body
    assert outbox(app) == [("sent", 1, "")]


def test_no_mail_when_turned_off_or_without_address(app, api, smtp):
    filer, manager = api("engineer", "445200"), api("manager", "445200")
    req = filer.post("/api/v1/requirements", json=requirement_payload()).json
    manager.post(f"/api/v1/requirements/{req['id']}/comments", json={"body": "无邮箱"})
    assert outbox(app) == []  # the filer has no address
    set_email(app, filer.user.username, "li@example.cn")
    assert filer.put("/api/v1/notifications/settings", json={"email_enabled": False}).status_code == 200
    manager.post(f"/api/v1/requirements/{req['id']}/comments", json={"body": "已关闭邮件"})
    assert outbox(app) == []
    assert len(filer.get("/api/v1/notifications").json["items"]) == 2  # still notified in the app


def test_a_failed_send_is_retried_later_and_then_sent_once(app, api, smtp, monkeypatch):
    filer, manager = api("engineer", "445200"), api("manager", "445200")
    set_email(app, filer.user.username, "li@example.cn")
    req = filer.post("/api/v1/requirements", json=requirement_payload()).json
    manager.post(f"/api/v1/requirements/{req['id']}/comments", json={"body": "重试"})
    port = app.config["MAIL_PORT"]
    app.config["MAIL_PORT"] = free_port()  # nobody listens there
    assert "1 failed" in send(app)
    [(status, attempts, error)] = outbox(app)
    assert status == "pending" and attempts == 1 and error
    app.config["MAIL_PORT"] = port
    send(app)  # not due yet: the next attempt is 5 minutes later
    assert smtp.messages == []
    later = utcnow() + timedelta(minutes=6)
    monkeypatch.setattr(mail, "utcnow", lambda: later)
    send(app)
    send(app)
    assert len(smtp.messages) == 1
    assert outbox(app) == [("sent", 2, "")]


def test_gives_up_after_the_last_attempt(app, api, smtp, monkeypatch):
    filer, manager = api("engineer", "445200"), api("manager", "445200")
    set_email(app, filer.user.username, "li@example.cn")
    req = filer.post("/api/v1/requirements", json=requirement_payload()).json
    manager.post(f"/api/v1/requirements/{req['id']}/comments", json={"body": "失败"})
    app.config.update(MAIL_PORT=free_port(), MAIL_MAX_ATTEMPTS=2)
    try:
        now = utcnow()
        for hours in (0, 1, 2):
            monkeypatch.setattr(mail, "utcnow", lambda h=hours: now + timedelta(hours=h))
            send(app)
        assert [(s, a) for s, a, _e in outbox(app)] == [("failed", 2)]
    finally:
        app.config.pop("MAIL_MAX_ATTEMPTS", None)


def test_breach_from_sla_tick_is_mailed_in_chinese_once(app, api, smtp, monkeypatch):
    from app.models import Event
    from app.services import sla

    manager = api("manager", "445200")
    set_email(app, manager.user.username, "lin@example.cn")
    req = api("engineer", "445200").post("/api/v1/requirements", json=requirement_payload()).json
    start = utcnow().replace(year=2026, month=3, day=9, hour=1, minute=0, second=0, microsecond=0)  # Mon 09:00
    with app.app_context():
        for event in db.session.scalars(select(Event).where(Event.requirement_id == req["id"])):
            event.at = start
        db.session.commit()
    monkeypatch.setattr(sla, "utcnow", lambda: start + timedelta(minutes=40))
    for _ in range(2):
        assert app.test_cli_runner().invoke(args=["sla", "tick"]).exit_code == 0
    assert [subject(m) for m in smtp.messages] == [f"【数字财政需求跟踪】{req['code']}：已超出服务时限（响应）"]
