"""需求评审会 (features/meetings/*.feature), bound to the /api/v1 meetings API.

The shared steps of tests/acceptance/conftest.py (users, filing, advancing, response and status
checks) are reused; the meeting steps live here. Decision and meeting-status words of the
features are translated to API codes from the issue's own vocabulary, not from the app's code.
"""
from __future__ import annotations

import io

import parse
import pytest
from pytest_bdd import given, parsers, scenarios, then, when

scenarios("meetings")

MEETINGS = "/api/v1/meetings"
REQS = "/api/v1/requirements"

DECISIONS = {"评审通过": "approved", "评审不通过": "rejected", "待补充": "needs_info", "暂缓": "deferred"}
MEETING_STATUSES = {"草稿": "draft", "已定稿": "finalised"}
STATUS_CODES = {"待评审": "awaiting_review", "暂缓": "deferred", "评审通过": "approved",
                "评审不通过": "rejected", "待补充": "needs_info"}


@parse.with_pattern(r'[^"\s，、]+?')
def _who(text: str) -> str:
    return text


def P(fmt: str):
    return parsers.parse(fmt, extra_types={"Who": _who})


@pytest.fixture
def meeting_state() -> dict:
    """The scenario's meeting (JSON as created)."""
    return {}


def _meeting(meeting_state) -> dict:
    assert "meeting" in meeting_state, "no meeting was scheduled in this scenario"
    return meeting_state["meeting"]


def _decision(label: str) -> str:
    assert label in DECISIONS, f"unknown decision {label!r}"
    return DECISIONS[label]


# --- Given ------------------------------------------------------------------------------


@given(P('{who:Who}安排了评审会"{title}"'))
def scheduled(world, meeting_state, who: str, title: str):
    # held already (June 2026): its minutes are finalised after the meeting, as usual
    response = world.person(who).client.post(
        MEETINGS, json={"title": title, "scheduled_at": "2026-06-18T14:30:00+08:00", "location": "市财政局会议室"}
    )
    assert response.status_code == 201, response.json
    meeting_state["meeting"] = response.json


@given(P("{who:Who}把以下需求列入评审会议程:"))
def agenda_from_table(world, meeting_state, who: str, datatable):
    header, *rows = datatable
    assert header == ["需求"], header
    ids = [world.requirement(title)["id"] for (title,) in rows]
    response = world.person(who).client.post(
        f"{MEETINGS}/{_meeting(meeting_state)['id']}/agenda", json={"requirement_ids": ids}
    )
    assert response.status_code == 201, response.json
    assert [i["requirement_id"] for i in response.json["agenda"]] == ids


@given(P('{who:Who}在会外把需求"{title}"转为"{label}"'))
def moved_outside(world, who: str, title: str, label: str):
    response = world.person(who).client.post(
        f"{REQS}/{world.requirement(title)['id']}/transitions",
        json={"to": STATUS_CODES[label], "reason": "会外单独处理"},
    )
    assert response.status_code == 200, response.json


@given(P('{who:Who}撤销了需求"{title}"的结论'))
def decision_cleared(world, meeting_state, who: str, title: str):
    response = world.person(who).client.put(
        f"{MEETINGS}/{_meeting(meeting_state)['id']}/agenda/{world.requirement(title)['id']}", json={"decision": None}
    )
    assert response.status_code == 200, response.json


@given(P('{who:Who}把评审会改期到"{when}"'))
def rescheduled(world, meeting_state, who: str, when: str):
    response = world.person(who).client.patch(f"{MEETINGS}/{_meeting(meeting_state)['id']}",
                                              json={"scheduled_at": when})
    assert response.status_code == 200, response.json
    meeting_state["meeting"] = response.json


@given(P("{who:Who}定稿了会议纪要"))
def finalised(world, meeting_state, who: str):
    response = world.person(who).client.post(f"{MEETINGS}/{_meeting(meeting_state)['id']}/finalize")
    assert response.status_code == 200, response.json


# --- When -------------------------------------------------------------------------------


def _put_decision(world, meeting_state, who, title, body):
    return world.person(who).client.put(
        f"{MEETINGS}/{_meeting(meeting_state)['id']}/agenda/{world.requirement(title)['id']}", json=body
    )


@given(P('{who:Who}对需求"{title}"作出结论"{label}"，原因是"{reason}"'), target_fixture="response")
@when(P('{who:Who}对需求"{title}"作出结论"{label}"，原因是"{reason}"'), target_fixture="response")
def decide_with_reason(world, meeting_state, who: str, title: str, label: str, reason: str):
    return _put_decision(world, meeting_state, who, title, {"decision": _decision(label), "reason": reason})


@when(P('{who:Who}对需求"{title}"作出结论"{label}"且不填写原因'), target_fixture="response")
def decide_without_reason(world, meeting_state, who: str, title: str, label: str):
    return _put_decision(world, meeting_state, who, title, {"decision": _decision(label)})


@given(P('{who:Who}对需求"{title}"作出结论"{label}"，目标迭代"{target}"'), target_fixture="response")
@when(P('{who:Who}对需求"{title}"作出结论"{label}"，目标迭代"{target}"'), target_fixture="response")
def decide_with_target(world, meeting_state, who: str, title: str, label: str, target: str):
    response = _put_decision(world, meeting_state, who, title, {"decision": _decision(label), "target": target})
    assert response.status_code == 200, response.json
    return response


@when(P('{who:Who}记录需求"{title}"的讨论情况："{notes}"'), target_fixture="response")
def record_notes(world, meeting_state, who: str, title: str, notes: str):
    response = _put_decision(world, meeting_state, who, title, {"notes": notes})
    assert response.status_code == 200, response.json
    assert response.json["notes"] == notes and response.json["notes_saved_at"]
    return response


@when(P("{who:Who}定稿会议纪要"), target_fixture="response")
def finalize(world, meeting_state, who: str):
    return world.person(who).client.post(f"{MEETINGS}/{_meeting(meeting_state)['id']}/finalize")


@when(P("{who:Who}确认提前定稿会议纪要"), target_fixture="response")
def finalize_early(world, meeting_state, who: str):
    return world.person(who).client.post(f"{MEETINGS}/{_meeting(meeting_state)['id']}/finalize",
                                         json={"confirm_early": True})


@when(P('{who:Who}把需求"{title}"列入评审会议程'), target_fixture="response")
def add_one(world, meeting_state, who: str, title: str):
    return world.person(who).client.post(
        f"{MEETINGS}/{_meeting(meeting_state)['id']}/agenda", json={"requirement_ids": [world.requirement(title)["id"]]}
    )


@when(P('{who:Who}把评审会地点改为"{location}"'), target_fixture="response")
def change_location(world, meeting_state, who: str, location: str):
    return world.person(who).client.patch(f"{MEETINGS}/{_meeting(meeting_state)['id']}", json={"location": location})


@when(P('{who:Who}追加更正记录"{text}"'), target_fixture="response")
def amend(world, meeting_state, who: str, text: str):
    return world.person(who).client.post(f"{MEETINGS}/{_meeting(meeting_state)['id']}/amendments", json={"text": text})


@when(P("{who:Who}查看评审会"), target_fixture="response")
def view_meeting(world, meeting_state, who: str):
    return world.person(who).client.get(f"{MEETINGS}/{_meeting(meeting_state)['id']}")


@when(P("{who:Who}下载会议纪要"), target_fixture="response")
def download_minutes(world, meeting_state, who: str):
    return world.person(who).client.get(f"{MEETINGS}/{_meeting(meeting_state)['id']}/minutes.docx")


# --- Then -------------------------------------------------------------------------------


@then(P('评审会的状态为"{label}"'))
def meeting_status(meeting_state, observer, label: str):
    stored = observer.get(f"{MEETINGS}/{_meeting(meeting_state)['id']}").json
    assert stored["status"] == MEETING_STATUSES[label], stored


@then(P('错误信息指出需求"{title}"'))
def error_names_requirement(world, response, title: str):
    req = world.requirement(title)
    body = response.json
    assert req["code"] in body["message"], body
    agenda_keys = [k for k in body["errors"] if k.startswith("agenda.")]
    if agenda_keys:
        assert agenda_keys == [f"agenda.{req['id']}"], body


@then(P('需求"{title}"的时间线最后一条状态变更关联评审会"{meeting}"，原因是"{reason}"'))
def timeline_links_meeting(world, meeting_state, observer, title: str, meeting: str, reason: str):
    events = observer.get(f"{REQS}/{world.requirement(title)['id']}/timeline").json
    last = [e for e in events if e["kind"] == "transition"][-1]
    context = last["details"]["context"]
    assert (context["meeting_id"], context["meeting_title"]) == (_meeting(meeting_state)["id"], meeting), last
    assert last["details"]["reason"] == reason, last
    assert meeting in last["summary"] and reason in last["summary"], last


@then(P('需求"{title}"收到评审会"{meeting}"的"{label}"反馈，原因是"{reason}"'))
def feedback_received(world, observer, title: str, meeting: str, label: str, reason: str):
    feedback = observer.get(f"{REQS}/{world.requirement(title)['id']}/feedback").json
    assert [(f["meeting_title"], f["decision"], f["reason"]) for f in feedback] == [
        (meeting, _decision(label), reason)], feedback


@then(P('需求"{title}"没有收到反馈'))
def no_feedback(world, observer, title: str):
    assert observer.get(f"{REQS}/{world.requirement(title)['id']}/feedback").json == []


@then(P('评审会的更正记录为"{text}"'))
def amendments_are(meeting_state, observer, text: str):
    stored = observer.get(f"{MEETINGS}/{_meeting(meeting_state)['id']}").json
    assert [a["text"] for a in stored["amendments"]] == [text], stored


@then("纪要文档包含以下需求及结论:")
def docx_contains(world, response, datatable):
    from docx import Document

    header, *rows = datatable
    assert header == ["需求", "结论"], header
    document = Document(io.BytesIO(response.data))
    table_rows = [[c.text for c in row.cells] for t in document.tables for row in t.rows]
    for title, label in rows:
        req = world.requirement(title)
        matching = [r for r in table_rows if req["code"] in r]
        assert len(matching) == 1, table_rows
        assert title in matching[0] and matching[0][-1].startswith(label), matching[0]


def _docx_paragraphs(response) -> list[str]:
    from docx import Document

    return [p.text for p in Document(io.BytesIO(response.data)).paragraphs]


@then(P('错误信息写明会议时间"{time}"'))
def error_names_time(response, time: str):
    assert time in response.json["message"], response.json


@then(P('纪要文档的会议时间为"{held}"，落款日期也是"{signed}"'))
def docx_dates(response, held: str, signed: str):
    paragraphs = _docx_paragraphs(response)
    assert any(p.startswith(f"会议时间：{held}") for p in paragraphs), paragraphs
    assert paragraphs[-1] == signed, paragraphs


@then("纪要文档写明今天定稿，早于会议")
def docx_finalised_today(response):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    paragraphs = _docx_paragraphs(response)
    assert f"纪要定稿：{today.year}年{today.month}月{today.day}日（会前定稿）" in paragraphs, paragraphs
