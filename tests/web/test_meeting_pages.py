"""Review meeting pages: list, schedule form (422 in place), agenda builder, live minutes autosave,
decisions, finalise (409 names the blocking item), read-only after finalising, requirement card."""
from __future__ import annotations

import io
import json
import re

import pytest

from app.extensions import db
from app.models import Meeting, Requirement
from app.services import requirements

HX = {"HX-Request": "true"}
# the test meetings are scheduled in 2099: finalising them now is finalising early, confirmed
EARLY = {"confirm_early": "true"}


@pytest.fixture
def people(app_ctx, make_user):
    return {
        "manager": make_user("mgr_jy", "manager", "445200"),
        "engineer": make_user("eng_jy", "engineer", "445200"),
        "taskforce": make_user("tf_jy", "taskforce", "445200"),
        "manager_gz": make_user("mgr_gz", "manager", "440100"),
    }


@pytest.fixture
def signed_in(people, login):
    return login


@pytest.fixture
def waiting(people):
    def make(title: str) -> Requirement:
        req = requirements.create(people["engineer"], {
            "title": title, "domain": "execution", "type": "functional", "priority": "medium",
            "channel": "phone", "region": "445200", "proposer_name": "李秀英"})
        for to in ("assessing", "awaiting_review"):
            requirements.transition(people["manager"], req, to)
        return req

    return make


def _new_meeting(client, **overrides):
    data = {"title": "六月需求评审会", "scheduled_at": "2099-06-18T14:30", "duration_minutes": "90",
            "location": "三楼会议室", "video_link": ""}
    data.update(overrides)
    response = client.post("/meetings/new", data=data)
    assert response.status_code == 303, response.get_data(as_text=True)
    return int(response.headers["Location"].rsplit("/", 1)[-1])


def test_list_and_empty_state(signed_in):
    client = signed_in("tf_jy")
    html = client.get("/meetings").get_data(as_text=True)
    assert 'id="meetings-empty"' in html and 'id="new-meeting"' not in html
    assert 'href="/meetings"' in html  # the nav link
    partial = client.get("/meetings?when=past", headers=HX).get_data(as_text=True)
    assert "<html" not in partial and 'id="meetings-empty"' in partial


def test_schedule_form_errors_and_local_time(signed_in):
    client = signed_in("mgr_jy")
    assert client.get("/meetings/new").status_code == 200
    bad = client.post("/meetings/new", data={"title": "", "scheduled_at": "not a time"}, headers=HX)
    assert bad.status_code == 422
    text = bad.get_data(as_text=True)
    assert 'data-field="title"' in text and 'data-field="scheduled_at"' in text
    mid = _new_meeting(client)
    meeting = db.session.get(Meeting, mid)
    assert meeting.scheduled_at.hour == 6 and meeting.scheduled_at.minute == 30  # 14:30 Beijing = 06:30 UTC
    html = client.get("/meetings").get_data(as_text=True)
    assert f'data-meeting-id="{mid}"' in html
    assert signed_in("tf_jy").get("/meetings/new").status_code == 403
    assert signed_in("mgr_gz").get(f"/meetings/{mid}").status_code == 404


def test_agenda_notes_decisions_and_finalise(signed_in, waiting):
    client = signed_in("mgr_jy")
    a, b = waiting("跨年退款无法关联上年度支付凭证"), waiting("支付更正审核增加复核节点")
    mid = _new_meeting(client)
    page = client.get(f"/meetings/{mid}").get_data(as_text=True)
    assert f'id="pick-{a.id}"' in page and f'id="pick-{b.id}"' in page
    added = client.post(f"/meetings/{mid}/agenda", data={"requirement_ids": [str(a.id), str(b.id)]}, headers=HX)
    assert added.status_code == 200
    text = added.get_data(as_text=True)
    assert f'id="item-{a.id}"' in text and 'hx-swap-oob="innerHTML:#queue"' in text
    moved = client.post(f"/meetings/{mid}/agenda/{b.id}/move", data={"direction": "up"}, headers=HX).get_data(as_text=True)
    assert moved.index(f'id="item-{b.id}"') < moved.index(f'id="item-{a.id}"')

    saved = client.post(f"/meetings/{mid}/agenda/{a.id}/notes", data={"notes": "讨论：需省级改造"}, headers=HX)
    assert saved.status_code == 200
    assert re.search(r'data-state="saved"[^>]*>.*\d{2}:\d{2}:\d{2}', saved.get_data(as_text=True))

    missing = client.post(f"/meetings/{mid}/agenda/{b.id}/decision", data={"decision": "rejected", "reason": ""}, headers=HX)
    assert missing.status_code == 422 and 'data-field="reason"' in missing.get_data(as_text=True)
    canned = client.post(f"/meetings/{mid}/agenda/{b.id}/decision",
                         data={"decision": "rejected", "reason": "", "canned_reason": "与省统一业务规范或制度要求冲突"},
                         headers=HX)
    assert canned.status_code == 200 and 'data-decision="rejected"' in canned.get_data(as_text=True)

    blocked = client.post(f"/meetings/{mid}/finalize", headers=HX)
    assert blocked.status_code == 409
    assert f'data-blocker="agenda.{a.id}"' in blocked.get_data(as_text=True)
    assert db.session.get(Requirement, b.id).status == "awaiting_review"

    client.post(f"/meetings/{mid}/agenda/{a.id}/decision", data={"decision": "approved", "target": "V2026.07"}, headers=HX)
    done = client.post(f"/meetings/{mid}/finalize", data=EARLY, headers=HX)
    assert done.status_code == 200 and done.headers["HX-Location"] == f"/meetings/{mid}"
    db.session.expire_all()
    assert db.session.get(Requirement, a.id).status == "approved"
    assert db.session.get(Requirement, b.id).status == "rejected"

    final = client.get(f"/meetings/{mid}").get_data(as_text=True)
    assert 'data-finalised="true"' in final and "<textarea id=\"notes-" not in final
    assert 'id="finalize-btn"' not in final and 'id="amendment-form"' in final
    assert client.post(f"/meetings/{mid}/agenda/{a.id}/notes", data={"notes": "x"}, headers=HX).status_code == 409
    amended = client.post(f"/meetings/{mid}/amendments", data={"text": "更正：目标迭代为 V2026.08"}, headers=HX)
    assert amended.status_code == 200 and "更正：目标迭代为 V2026.08" in amended.get_data(as_text=True)

    printable = client.get(f"/meetings/{mid}/minutes").get_data(as_text=True)
    assert a.code in printable and 'data-decision="rejected"' in printable
    assert client.get(f"/meetings/{mid}/minutes.docx").status_code == 200
    assert client.get(f"/meetings/{mid}.ics").mimetype == "text/calendar"

    detail = client.get(f"/requirements/{b.id}").get_data(as_text=True)
    assert 'id="meetings-card"' in detail and f'data-meeting-id="{mid}"' in detail
    assert 'class="feedback-item" data-decision="rejected"' in detail


def test_add_to_meeting_from_requirement_page(signed_in, waiting):
    client = signed_in("mgr_jy")
    req = waiting("预算指标调剂审批支持批量操作")
    mid = _new_meeting(client)
    page = client.get(f"/requirements/{req.id}").get_data(as_text=True)
    assert 'id="add-to-meeting"' in page
    response = client.post(f"/requirements/{req.id}/meetings", data={"meeting_id": str(mid)}, headers=HX)
    assert response.status_code == 200 and f'data-meeting-id="{mid}"' in response.get_data(as_text=True)
    assert [i.requirement_id for i in db.session.get(Meeting, mid).agenda_items] == [req.id]
    # the taskforce reads the card but gets no control
    html = signed_in("tf_jy").get(f"/requirements/{req.id}").get_data(as_text=True)
    assert 'id="meetings-card"' in html and 'id="add-to-meeting"' not in html


# --- audit fixes -------------------------------------------------------------------------


def _version_on_page(html: str) -> str:
    return re.search(r'name="version" value="(\d+)"', html).group(1)


def test_edit_form_not_stale_after_own_autosaves_and_agenda_edits(signed_in, waiting):
    client = signed_in("mgr_jy")
    a, b = waiting("甲"), waiting("乙")
    mid = _new_meeting(client)
    version = _version_on_page(client.get(f"/meetings/{mid}").get_data(as_text=True))
    # the page stays open; the user works on the minutes and the agenda...
    client.post(f"/meetings/{mid}/summary", data={"summary": "总体意见"}, headers=HX)
    client.post(f"/meetings/{mid}/agenda", data={"requirement_ids": [str(a.id), str(b.id)]}, headers=HX)
    client.post(f"/meetings/{mid}/agenda/{b.id}/move", data={"direction": "up"}, headers=HX)
    client.post(f"/meetings/{mid}/agenda/{a.id}/notes", data={"notes": "讨论"}, headers=HX)
    client.post(f"/meetings/{mid}/agenda/{a.id}/decision", data={"decision": "approved"}, headers=HX)
    client.post(f"/meetings/{mid}/attendees", data={"name": "王建国", "organization": "other"}, headers=HX)
    # ...then saves the edit form it opened before: no false conflict
    edited = client.post(f"/meetings/{mid}/edit", data={
        "version": version, "title": "改过的标题", "scheduled_at": "2099-06-18T15:00",
        "duration_minutes": "90", "location": "三楼会议室", "video_link": ""}, headers=HX)
    assert edited.status_code == 200, edited.get_data(as_text=True)
    assert db.session.get(Meeting, mid).title == "改过的标题"
    # a second save from the same (now old) form is a real conflict
    stale = client.post(f"/meetings/{mid}/edit", data={"version": version, "title": "再改"}, headers=HX)
    assert stale.status_code == 409


def test_empty_time_is_a_required_field(signed_in):
    client = signed_in("mgr_jy")
    for lang in ("zh", "en"):
        client.get(f"/lang/{lang}?next=/meetings")
        text = client.post("/meetings/new", data={"title": "评审会", "scheduled_at": ""},
                           headers=HX).get_data(as_text=True)
        assert 'data-field="scheduled_at"' in text and "Not a valid datetime" not in text
        assert ("此项为必填项" if lang == "zh" else "Missing data for required field.") in text
    mid = _new_meeting(client)
    edit = client.post(f"/meetings/{mid}/edit", data={"title": "评审会", "scheduled_at": "  "}, headers=HX)
    assert edit.status_code == 422 and "Missing data for required field." in edit.get_data(as_text=True)


def test_edits_after_finalising_show_the_error_and_read_only_state(signed_in, waiting):
    client = signed_in("mgr_jy")
    req = waiting("甲")
    mid = _new_meeting(client)
    client.post(f"/meetings/{mid}/agenda", data={"requirement_ids": [str(req.id)]}, headers=HX)
    client.post(f"/meetings/{mid}/attendees", data={"name": "王建国", "organization": "other"}, headers=HX)
    attendee_id = db.session.get(Meeting, mid).attendees[0].id
    client.post(f"/meetings/{mid}/agenda/{req.id}/decision", data={"decision": "approved"}, headers=HX)
    # the page is still open in another tab when someone finalises
    assert signed_in("mgr_jy").post(f"/meetings/{mid}/finalize", data=EARLY, headers=HX).status_code == 200
    for url, data in [
        (f"/meetings/{mid}/agenda/{req.id}/decision", {"decision": "rejected", "reason": "改"}),
        (f"/meetings/{mid}/attendees", {"name": "李", "organization": "other"}),
        (f"/meetings/{mid}/attendees/{attendee_id}", {"present": "false"}),
        (f"/meetings/{mid}/action-items", {"text": "补材料", "owner": "林"}),
    ]:
        response = client.post(url, data=data, headers=HX)
        assert response.status_code == 409, url
        text = response.get_data(as_text=True)
        assert 'data-locked="true"' in text and 'role="alert"' in text, url
        assert "<form" not in text.split('hx-swap-oob')[0], url  # the swapped block is read-only
        assert 'data-finalised="true"' in text  # the finalise panel, out of band
        trigger = json.loads(response.headers["HX-Trigger"])
        assert trigger["meeting-locked"]["message"]


def test_finalise_blocker_shown_once(signed_in, waiting):
    client = signed_in("mgr_jy")
    req = waiting("跨年退款无法关联上年度支付凭证")
    mid = _new_meeting(client)
    client.post(f"/meetings/{mid}/agenda", data={"requirement_ids": [str(req.id)]}, headers=HX)
    blocked = client.post(f"/meetings/{mid}/finalize", headers=HX)
    assert blocked.status_code == 409
    text = blocked.get_data(as_text=True)
    assert text.count(req.code) == 1 and text.count("data-blocker=") == 1


def test_second_draft_agenda_explained_on_requirement_page(signed_in, waiting):
    client = signed_in("mgr_jy")
    req = waiting("甲")
    first = _new_meeting(client, title="第一次评审会")
    second = _new_meeting(client, title="第二次评审会")
    client.post(f"/meetings/{first}/agenda", data={"requirement_ids": [str(req.id)]}, headers=HX)
    page = client.get(f"/requirements/{req.id}").get_data(as_text=True)
    assert 'id="add-to-meeting"' not in page
    assert 'id="on-draft-agenda"' in page and f'data-meeting-id="{first}"' in page
    # posting anyway answers 409 naming the other meeting; the queue does not offer it
    response = client.post(f"/requirements/{req.id}/meetings", data={"meeting_id": str(second)}, headers=HX)
    assert response.status_code == 409 and "第一次评审会" in response.get_data(as_text=True)
    queue = client.get(f"/meetings/{second}").get_data(as_text=True)
    assert f'id="pick-{req.id}"' not in queue and 'id="queue-note"' in queue
    added = client.post(f"/meetings/{second}/agenda", data={"requirement_ids": [str(req.id)]}, headers=HX)
    assert added.status_code == 409 and "第一次评审会" in added.get_data(as_text=True)


def test_printable_minutes_and_docx_are_chinese_in_the_english_ui(signed_in, waiting):
    from docx import Document

    client = signed_in("mgr_jy")
    client.get("/lang/en?next=/meetings")
    a, b = waiting("甲"), waiting("乙")
    mid = _new_meeting(client)
    client.post(f"/meetings/{mid}/agenda", data={"requirement_ids": [str(a.id), str(b.id)]}, headers=HX)
    client.post(f"/meetings/{mid}/agenda/{a.id}/decision", data={"decision": "approved", "target": "V2026.07"}, headers=HX)
    client.post(f"/meetings/{mid}/agenda/{b.id}/decision",
                data={"decision": "deferred", "target": "", "until": "2099-09-30"}, headers=HX)
    client.post(f"/meetings/{mid}/attendees", data={"name": "陈丽", "organization": "taskforce", "present": "false"},
                headers=HX)
    client.post(f"/meetings/{mid}/attendees", data={"name": "王建国", "organization": "provincial_team", "role": "主持"},
                headers=HX)
    html = client.get(f"/meetings/{mid}/minutes").get_data(as_text=True)
    assert 'lang="zh-CN"' in html and "二、参会人员" in html and "三、评审事项及结论" in html
    assert "专班" in html and "Task force" not in html and "省厅需求团队" in html
    assert "<dd>缺席：陈丽</dd>" in html and "；缺席" not in html
    assert "评审通过（目标迭代：V2026.07）" in html and "暂缓（暂缓至：2099年9月30日）" in html
    assert '<span class="unit">揭阳市财政局</span>' in html and "数字财政需求评审会" not in html
    doc = Document(io.BytesIO(client.get(f"/meetings/{mid}/minutes.docx").data))
    paragraphs = "\n".join(p.text for p in doc.paragraphs)
    assert "专班：缺席：陈丽" in paragraphs and "省厅需求团队：王建国（主持）" in paragraphs
    assert "Task force" not in paragraphs and "Provincial requirement team" not in paragraphs
    assert "三、评审事项及结论" in paragraphs


def test_requirement_card_says_deferred_until(signed_in, waiting):
    client = signed_in("mgr_jy")
    req = waiting("甲")
    mid = _new_meeting(client)
    client.post(f"/meetings/{mid}/agenda", data={"requirement_ids": [str(req.id)]}, headers=HX)
    page = client.post(f"/meetings/{mid}/agenda/{req.id}/decision",
                       data={"decision": "deferred", "target": "下半年", "until": "2099-09-30"}, headers=HX)
    assert "下半年 / 2099-09-30" in page.get_data(as_text=True)
    assert client.post(f"/meetings/{mid}/finalize", data=EARLY, headers=HX).status_code == 200
    client.get("/lang/en?next=/meetings")
    card = client.get(f"/requirements/{req.id}").get_data(as_text=True)
    assert "Deferred until: 下半年 / 2099-09-30" in card
    assert "Target:" not in card


def test_reader_from_an_agenda_requirement_region_gets_a_read_only_page(app, signed_in, waiting, make_user):
    from datetime import datetime, timezone

    from app.services import meetings

    province = make_user("mgr_prov", "manager", "440000")
    req = waiting("揭阳的需求")
    meeting = meetings.create(province, {"title": "全省需求评审会",
                                         "scheduled_at": datetime(2099, 7, 1, 6, 30, tzinfo=timezone.utc)})
    meetings.add_to_agenda(province, meeting, [req.id])
    for user in ("tf_jy", "mgr_jy"):
        client = signed_in(user)
        page = client.get(f"/meetings/{meeting.id}")
        assert page.status_code == 200
        html = page.get_data(as_text=True)
        assert 'id="queue-card"' not in html and 'id="finalize-btn"' not in html and "<textarea" not in html
        assert client.get(f"/meetings/{meeting.id}/minutes").status_code == 200
        assert client.get(f"/meetings/{meeting.id}/minutes.docx").status_code == 200
        assert client.get(f"/meetings/{meeting.id}.ics").status_code == 200
        card = client.get(f"/requirements/{req.id}").get_data(as_text=True)
        assert f'href="/meetings/{meeting.id}"' in card
    mgr = signed_in("mgr_jy")
    assert mgr.post(f"/meetings/{meeting.id}/summary", data={"summary": "x"}, headers=HX).status_code == 403
    assert signed_in("mgr_gz").get(f"/meetings/{meeting.id}").status_code == 404


def test_autosave_saves_on_blur_and_retries(signed_in, waiting):
    client = signed_in("mgr_jy")
    req = waiting("甲")
    mid = _new_meeting(client)
    client.post(f"/meetings/{mid}/agenda", data={"requirement_ids": [str(req.id)]}, headers=HX)
    html = client.get(f"/meetings/{mid}").get_data(as_text=True)
    assert "/static/js/meetings.js" in html
    triggers = re.findall(r'class="autosave"[^>]*hx-trigger="([^"]+)"', html.replace("\n", " "))
    assert len(triggers) == 2 and all("change" in t and "meeting-retry" in t for t in triggers)
    script = client.get("/static/js/meetings.js").get_data(as_text=True)
    assert "beforeunload" in script and '"online"' in script and "meeting-retry" in script


# --- issue 7 -----------------------------------------------------------------------------


def _ready_to_finalise(client, waiting, **meeting):
    req = waiting("跨年退款无法关联上年度支付凭证")
    mid = _new_meeting(client, **meeting)
    client.post(f"/meetings/{mid}/agenda", data={"requirement_ids": [str(req.id)]}, headers=HX)
    client.post(f"/meetings/{mid}/agenda/{req.id}/decision", data={"decision": "approved"}, headers=HX)
    return mid, req


def test_finalising_before_the_start_asks_first_and_minutes_keep_the_meeting_date(signed_in, waiting):
    """Scheduled for 2099-12-10 09:00: the button's confirmation says the meeting has not started
    (and confirms with confirm_early); a post without it answers 409 in the panel, nothing applied."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    client = signed_in("mgr_jy")
    mid, req = _ready_to_finalise(client, waiting, scheduled_at="2099-12-10T09:00")
    page = client.get(f"/meetings/{mid}").get_data(as_text=True)
    button = re.search(r'<button[^>]*id="finalize-btn"[^>]*>', page.replace("\n", " ")).group(0)
    assert 'data-early="true"' in button and "confirm_early" in button
    assert "2099-12-10 09:00" in button and "尚未开始" in button
    assert 'id="not-started-note"' in page

    refused = client.post(f"/meetings/{mid}/finalize", headers=HX)
    assert refused.status_code == 409
    text = refused.get_data(as_text=True)
    assert 'id="finalize-errors"' in text and "2099-12-10 09:00" in text and "尚未开始" in text
    assert db.session.get(Requirement, req.id).status == "awaiting_review"

    done = client.post(f"/meetings/{mid}/finalize", data=EARLY, headers=HX)
    assert done.status_code == 200 and done.headers["HX-Location"] == f"/meetings/{mid}"
    db.session.expire_all()
    assert db.session.get(Requirement, req.id).status == "approved"
    final = client.get(f"/meetings/{mid}").get_data(as_text=True)
    assert 'id="finalised-early"' in final and "2099-12-10 09:00" in final

    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    minutes = client.get(f"/meetings/{mid}/minutes").get_data(as_text=True)
    assert '<dd data-fact="会议时间">2099年12月10日（星期四）09:00</dd>' in minutes
    assert f'<dd data-fact="纪要定稿">{today.year}年{today.month}月{today.day}日（会前定稿）</dd>' in minutes
    assert '<span class="date">2099年12月10日</span>' in minutes


def test_a_meeting_already_held_finalises_without_the_early_confirmation(signed_in, waiting):
    client = signed_in("mgr_jy")
    mid, req = _ready_to_finalise(client, waiting, scheduled_at="2026-06-18T14:30")
    page = client.get(f"/meetings/{mid}").get_data(as_text=True)
    assert 'data-early="true"' not in page and 'id="not-started-note"' not in page
    assert client.post(f"/meetings/{mid}/finalize", headers=HX).status_code == 200
    final = client.get(f"/meetings/{mid}").get_data(as_text=True)
    assert 'data-finalised="true"' in final and 'id="finalised-early"' not in final
    minutes = client.get(f"/meetings/{mid}/minutes").get_data(as_text=True)
    assert '<span class="date">2026年6月18日</span>' in minutes and "（草稿，未定稿）" not in minutes


def test_printable_minutes_name_the_organisers_unit_and_keep_codes_on_one_line(app, signed_in, waiting):
    client = signed_in("mgr_jy")
    req = waiting("甲")
    mid = _new_meeting(client, title="揭阳市六月需求评审会")
    client.post(f"/meetings/{mid}/agenda", data={"requirement_ids": [str(req.id)]}, headers=HX)
    client.post(f"/meetings/{mid}/attendees",
                data={"name": "李科长", "organization": "other", "role": "参会", "present": "false"}, headers=HX)
    html = client.get(f"/meetings/{mid}/minutes").get_data(as_text=True)
    assert '<dd data-fact="组织单位">揭阳市财政局</dd>' in html
    assert '<span class="unit">揭阳市财政局</span>' in html
    assert '<dt data-organization="other">其他人员</dt>' in html and "<dd>缺席：李科长</dd>" in html
    assert "李科长（参会）" not in html
    assert f'<td class="code">{req.code}</td>' in html and "css/minutes.css" in html
    css = client.get("/static/css/minutes.css").get_data(as_text=True)
    assert re.search(r"table\.minutes-table \.code \{[^}]*white-space: nowrap", css)


def test_meeting_list_pushes_the_tab_into_the_address_bar_for_htmx_only(signed_in):
    client = signed_in("mgr_jy")
    swapped = client.get("/meetings?when=past", headers=HX)
    assert swapped.headers["HX-Push-Url"] == "/meetings?when=past"
    boosted = client.get("/meetings?when=past", headers={**HX, "HX-Boosted": "true"})
    assert "HX-Push-Url" not in boosted.headers and "<html" in boosted.get_data(as_text=True)
    assert "HX-Push-Url" not in client.get("/meetings?when=past").headers


def test_meeting_pages_use_the_shared_form_and_htmx_helpers():
    """One form-view helper (FormSubmission), one htmx_redirect, htmx-flask's request.htmx."""
    import inspect

    from app.web import meetings as module

    source = inspect.getsource(module)
    for hand_made in ("FORM_ERRORS", "def _redirect", 'headers.get("HX-', "except FormInvalid", "load_form("):
        assert hand_made not in source, hand_made
    assert source.count("FormSubmission(") >= 15


def test_meeting_ids_beyond_integer_answer_404_on_pages(signed_in):
    client = signed_in("mgr_jy")
    for url in (f"/meetings/{2**31}", f"/meetings/{2**63}/minutes", f"/meetings/{10**20}.ics"):
        assert client.get(url).status_code == 404, url
