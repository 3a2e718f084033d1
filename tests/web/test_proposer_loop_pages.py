"""Closing the loop on the pages: the requirement page's card (drafted message with a copy button,
delivery, the proposer's confirmation, follow-up calls), the opinions page and the outbox page."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Feedback, MailMessage, Requirement, UserOpinion

HTMX = {"HX-Request": "true"}


@pytest.fixture
def sign_in(make_user, login):
    make_user("loop_admin", "admin", "440000")
    make_user("loop_manager", "manager", "445200")
    make_user("loop_taskforce", "taskforce", "445200")
    return login


def card(page: str) -> str:
    return page.split('id="proposer-loop"')[1].split("</section>")[0]


def resolved_locally(api, filed) -> dict:
    req = filed(title="预算单位无法导出支付明细")
    for to in ("assessing", "resolved_locally"):
        assert api("manager", "445200").post(f"/api/v1/requirements/{req['id']}/transitions",
                                             json={"to": to}).status_code == 200
    return req


def test_the_card_shows_the_drafted_message_with_a_copy_button(app, sign_in, filed):
    req = filed(title="增加预算单位自定义报表")
    with app.app_context():
        row = Feedback(requirement_id=req["id"], decision="rejected", reason="与省级统一规划不符")
        db.session.add(row)
        db.session.commit()
        feedback_id = row.id
    client = sign_in("loop_manager")
    page = client.get(f"/requirements/{req['id']}").get_data(as_text=True)
    loop = card(page)
    assert "反馈与确认" in loop and "给提出人的反馈：评审不通过" in loop
    draft = loop.split(f'id="draft-{feedback_id}"')[1].split("</textarea>")[0]
    assert f"（编号：{req['code']}）" in draft and "暂不采纳" in draft and "原因：与省级统一规划不符" in draft
    assert f'data-copy-target="draft-{feedback_id}"' in loop and "复制反馈内容" in loop
    assert "js/proposer_loop.js" in page and "onclick" not in page
    # delivery is recorded from the card; a second one answers the card with the conflict (htmx)
    url = f"/requirements/{req['id']}/feedback/{feedback_id}/delivered"
    done = client.post(url, data={"channel": "yuezhengyi", "note": "已发粤政易"}, headers=HTMX)
    assert done.status_code == 200 and done.headers["HX-Location"].endswith("#proposer-loop")
    again = client.post(url, data={"channel": "phone"}, headers=HTMX)
    body = again.get_data(as_text=True)
    assert again.status_code == 409 and "该反馈已登记送达" in body and "<html" not in body
    loop = card(client.get(f"/requirements/{req['id']}").get_data(as_text=True))
    assert 'data-delivered="true"' in loop and "通过粤政易送达" in loop and 'class="feedback-delivery"' not in loop


def test_the_card_records_not_satisfied_and_the_opinion_is_listed(app, api, sign_in, filed):
    req = resolved_locally(api, filed)
    client = sign_in("loop_manager")
    loop = card(client.get(f"/requirements/{req['id']}").get_data(as_text=True))
    assert 'id="confirmation-form"' in loop and "自动确认" in loop
    url = f"/requirements/{req['id']}/confirmation"
    missing = client.post(url, data={"outcome": "not_satisfied", "reason": ""}, headers=HTMX)
    body = missing.get_data(as_text=True)
    assert missing.status_code == 422 and 'data-field="reason"' in body and "请填写提出人不满意的原因" in body
    assert 'value="not_satisfied" checked' in body
    # without htmx the whole page answers, the error in the card
    plain = client.post(url, data={"outcome": "not_satisfied"})
    assert plain.status_code == 422 and 'id="proposer-loop"' in plain.get_data(as_text=True)
    done = client.post(url, data={"outcome": "not_satisfied", "reason": "仍无法导出明细"}, headers=HTMX)
    assert done.status_code == 200 and "HX-Location" in done.headers
    with app.app_context():
        assert db.session.get(Requirement, req["id"]).status == "assessing"
        assert db.session.scalar(select(UserOpinion.reason)) == "仍无法导出明细"
    page = client.get(f"/requirements/{req['id']}").get_data(as_text=True)
    assert 'id="confirmation-form"' not in page and "提出人不满意，已重新打开" in page
    opinions = sign_in("loop_taskforce").get("/opinions").get_data(as_text=True)
    assert "用户意见" in opinions and req["code"] in opinions and "仍无法导出明细" in opinions


def test_the_task_force_reads_the_card_without_forms(api, sign_in, filed):
    req = resolved_locally(api, filed)
    page = sign_in("loop_taskforce").get(f"/requirements/{req['id']}").get_data(as_text=True)
    loop = card(page)
    assert "等待提出人确认" in loop and "<form" not in loop
    assert sign_in("loop_taskforce").post(f"/requirements/{req['id']}/confirmation",
                                          data={"outcome": "confirmed"}).status_code == 403


def test_a_follow_up_call_from_the_card(sign_in, filed):
    req = filed()
    client = sign_in("loop_manager")
    url = f"/requirements/{req['id']}/follow-ups"
    empty = client.post(url, data={"channel": "phone", "note": " "}, headers=HTMX)
    assert empty.status_code == 422 and 'data-field="note"' in empty.get_data(as_text=True)
    assert client.post(url, data={"channel": "phone", "note": "回访：问题已解决"}, headers=HTMX).status_code == 200
    page = client.get(f"/requirements/{req['id']}").get_data(as_text=True)
    assert 'data-kind="follow_up"' in page and "通过电话回访提出人；备注：回访：问题已解决" in page


def test_the_outbox_page_for_administrators(app, sign_in):
    with app.app_context():
        db.session.add_all([
            MailMessage(to_address="a@example.cn", subject="需求状态变更", body="x", status="sent", attempts=1),
            MailMessage(to_address="b@example.cn", subject="服务时限超时", body="x", status="failed", attempts=5,
                        last_error="ConnectionRefusedError: [Errno 111]"),
        ])
        db.session.commit()
    client = sign_in("loop_admin")
    page = client.get("/admin/mail").get_data(as_text=True)
    assert "邮件发送队列" in page and "a@example.cn" in page and "b@example.cn" in page
    failed = client.get("/admin/mail?status=failed").get_data(as_text=True)
    assert "b@example.cn" in failed and "a@example.cn" not in failed and "ConnectionRefusedError" in failed
    assert "发送失败" in failed
    bad = client.get("/admin/mail?status=nope")
    assert bad.status_code == 200 and "a@example.cn" in bad.get_data(as_text=True)
    assert sign_in("loop_manager").get("/admin/mail").status_code == 403
