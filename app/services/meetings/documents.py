"""Exports of a review meeting: the minutes (会议纪要) as Word and as the printable page's content,
and a calendar entry (.ics).

The minutes follow the usual layout of Chinese official minutes: a centred bold title
(方正小标宋 / 黑体 style), the meeting's basic facts (时间、定稿、地点、主持、记录、组织单位),
attendees grouped by organisation, the reviewed items with code, title, discussion and decision,
the general minutes, action items and any amendments, and the organising unit's signature dated
the day of the meeting. In Word the body is 仿宋 三号 (16pt) with page numbers in the footer.
`facts`, `attendance` and `decision_text` feed both the .docx and templates/meetings/minutes.html,
so the two read the same. Documents are Chinese whatever the reader's language.
"""
from __future__ import annotations

from datetime import timedelta, timezone

from app.models import Meeting
from app.services.meetings.agenda import ordered
from app.services.meetings.minutes import (
    DECISION_LABELS_ZH,
    ORGANIZATION_LABELS_ZH,
    attendance_text,
    attendees_by_organization,
    host_of,
    recorder_of,
)
from app.services.meetings.times import finalised_early, local, local_zone
from app.utils import as_utc
from app.services.documents.word import BODY_FONT, BODY_SIZE, HEADING_FONT, TABLE_SIZE, TITLE_FONT  # noqa: F401
from app.services.documents.word import cn_date, finance_bureau  # noqa: F401  (shared with the reports)
from app.services.documents import word
# Columns of the reviewed-items and action-item tables (cm; the A4 text width is 15.6 cm). A
# requirement code (REQ-2026-0001) never wraps: its column fits it and its cells are no-wrap.
ITEM_COLUMNS = [1.1, 3.3, 3.6, 4.0, 3.6]
ACTION_COLUMNS = [1.1, 6.0, 2.4, 2.8, 3.3]


def cn_datetime(value) -> str:
    """A stored time as the minutes write it: 2026年12月10日（星期四）09:00."""
    moment = local(value)
    weekday = "一二三四五六日"[moment.weekday()]
    return f"{cn_date(moment)}（星期{weekday}）{moment:%H:%M}"


def meeting_date(meeting: Meeting) -> str:
    """The day the meeting was held (scheduled): the date the minutes bear."""
    return cn_date(local(meeting.scheduled_at))


def organiser_unit(meeting: Meeting) -> str:
    """The organising unit (组织单位, and the minutes' signature): the finance department of the
    organiser's region, which the meeting belongs to."""
    return finance_bureau(meeting.region)


def finalised_text(meeting: Meeting) -> str:
    """纪要定稿: the day the minutes were finalised (kept apart from the meeting's own date)."""
    if not meeting.finalised:
        return "草稿，未定稿"
    text = cn_date(local(meeting.finalised_at))
    if finalised_early(meeting):
        text += "（会前定稿）"
    return text


def facts(meeting: Meeting) -> list[tuple[str, str]]:
    """一、会议基本情况 as (label, value) pairs, the same on the printable page and in Word."""
    place = meeting.location or "—"
    if meeting.video_link:
        place += f"（视频会议：{meeting.video_link}）"
    rows = [("会议时间", cn_datetime(meeting.scheduled_at)), ("纪要定稿", finalised_text(meeting)),
            ("会议地点", place), ("主持人", host_of(meeting))]
    recorder = recorder_of(meeting)
    if recorder:
        rows.append(("记录人", recorder))
    rows += [("组织单位", organiser_unit(meeting)), ("组织人", meeting.organiser.name)]
    return rows


def attendance(meeting: Meeting) -> list[tuple[str, str, str]]:
    """二、参会人员: (organisation code, its Chinese label, who attended and who was absent)."""
    return [(org, ORGANIZATION_LABELS_ZH[org], attendance_text(members))
            for org, members in attendees_by_organization(meeting)]


def decision_text(item) -> str:
    """评审结论 with its reason/target, as the minutes write it."""
    if not item.decision:
        return "未形成结论"
    label = DECISION_LABELS_ZH[item.decision]
    parts = []
    if item.decision == "approved" and item.target:
        parts.append(f"目标迭代：{item.target}")
    if item.decision == "rejected" and item.reason:
        parts.append(f"原因：{item.reason}")
    if item.decision == "needs_info" and item.reason:
        parts.append(f"需补充：{item.reason}")
    if item.decision == "deferred":
        when = "，".join(p for p in (item.target or "", cn_date(item.until) if item.until else "") if p)
        if when:
            parts.append(f"暂缓至：{when}")
        if item.reason:
            parts.append(f"原因：{item.reason}")
    elif item.decision == "approved" and item.reason:
        parts.append(f"意见：{item.reason}")
    return label + (f"（{'；'.join(parts)}）" if parts else "")


def hidden_text(meeting) -> str:
    """For a reader who sees only part of the agenda (`scope.visible_to`): how many items are
    outside their region, never which. Empty when they see every item."""
    hidden = getattr(meeting, "hidden_items", 0)
    return f"另有{hidden}项不在您的区划范围内，未列出。" if hidden else ""


def items_intro(meeting, shown: int) -> str:
    """The sentence before the reviewed-items table, on the printable page and in Word."""
    hidden = getattr(meeting, "hidden_items", 0)
    if not hidden:
        return f"本次会议共评审需求{shown}项，逐项讨论情况及评审结论如下："
    return (f"本次会议评审的需求中，以下{shown}项在您的区划范围内（另有{hidden}项不在您的区划范围内，未列出），"
            "逐项讨论情况及评审结论如下：")


def minutes_title(meeting: Meeting) -> str:
    return meeting.title if meeting.title.endswith("纪要") else f"{meeting.title}会议纪要"


# --- Word ------------------------------------------------------------------------------


# the official layout's pieces live in app.services.documents.word (shared with the reports)
_font = word.font
_labelled = word.labelled
_table = word.table


def _para(doc, text: str = "", *, font=BODY_FONT, size=BODY_SIZE, bold=False, align=None, indent=True):
    return word.para(doc, text, font_name=font, size=size, bold=bold, align=align, indent=indent)


def minutes_docx(meeting: Meeting) -> bytes:
    """The minutes as a .docx file's bytes."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    doc = word.new_document()

    _para(doc, minutes_title(meeting), font=TITLE_FONT, size=22, bold=True,
          align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    if not meeting.finalised:
        _para(doc, "（草稿，未定稿）", align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)

    _para(doc, "一、会议基本情况", font=HEADING_FONT, size=16)
    for label, value in facts(meeting):
        _labelled(doc, f"{label}：", value)

    _para(doc, "二、参会人员", font=HEADING_FONT, size=16)
    groups = attendance(meeting)
    if not groups:
        _para(doc, "（未登记参会人员）")
    for _org, label, text in groups:
        _labelled(doc, f"{label}：", text)

    _para(doc, "三、评审事项及结论", font=HEADING_FONT, size=16)
    items = ordered(meeting)
    _para(doc, items_intro(meeting, len(items)))
    _table(
        doc,
        ["序号", "需求编号", "需求名称", "讨论情况", "评审结论"],
        [
            [str(n), item.requirement.code, item.requirement.title, item.notes or "—", decision_text(item)]
            for n, item in enumerate(items, start=1)
        ],
        ITEM_COLUMNS,
        nowrap=(1,),
    )

    _para(doc, "四、会议意见", font=HEADING_FONT, size=16)
    for line in (meeting.summary or "—").splitlines() or ["—"]:
        _para(doc, line)

    _para(doc, "五、待办事项", font=HEADING_FONT, size=16)
    if meeting.action_items:
        _table(
            doc,
            ["序号", "事项", "责任人", "完成时限", "关联需求"],
            [
                [str(n), a.text, a.owner, cn_date(a.due) if a.due else "—",
                 a.requirement.code if a.requirement else "—"]
                for n, a in enumerate(meeting.action_items, start=1)
            ],
            ACTION_COLUMNS,
            nowrap=(4,),
        )
    else:
        _para(doc, "无。")

    if meeting.amendments:
        _para(doc, "六、纪要更正记录", font=HEADING_FONT, size=16)
        for n, amendment in enumerate(meeting.amendments, start=1):
            at = local(amendment.at)
            _para(doc, f"{n}. {cn_date(at)} {at:%H:%M} {amendment.author.name}：{amendment.text}")

    _para(doc, "")
    _para(doc, organiser_unit(meeting), align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    _para(doc, meeting_date(meeting), align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)

    return word.to_bytes(doc)


def docx_filename(meeting: Meeting) -> str:
    """The Chinese file name (sent as RFC 5987 filename*)."""
    return f"{minutes_title(meeting)}.docx"


def docx_ascii_filename(meeting: Meeting) -> str:
    """The plain-ASCII fallback file name for clients without filename* support."""
    return f"meeting-{meeting.id}-minutes.docx"


# --- calendar --------------------------------------------------------------------------


def meeting_ics(meeting: Meeting, uid_domain: str | None = None) -> bytes:
    """An iCalendar file with one event; its UID is stable (it depends on neither the request's
    host nor the time) so calendars update it in place. The domain is ICS_UID_DOMAIN."""
    from flask import current_app
    from icalendar import Calendar
    from icalendar import Event as IcsEvent

    zone = local_zone()
    start = as_utc(meeting.scheduled_at).astimezone(zone)
    calendar = Calendar()
    calendar.add("prodid", "-//数字财政需求跟踪//review meetings//ZH")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    event = IcsEvent()
    domain = uid_domain or current_app.config.get("ICS_UID_DOMAIN", "szcz-tracker")
    event.add("uid", f"meeting-{meeting.id}@{domain}")
    event.add("dtstamp", as_utc(meeting.updated_at or meeting.created_at).astimezone(timezone.utc))
    event.add("dtstart", start)
    event.add("dtend", start + timedelta(minutes=meeting.duration_minutes or 120))
    event.add("summary", meeting.title)
    location = meeting.location or ""
    if meeting.video_link:
        location = f"{location} {meeting.video_link}".strip()
    if location:
        event.add("location", location)
    if meeting.video_link.startswith(("http://", "https://")):
        event.add("url", meeting.video_link)
    items = ordered(meeting)
    lines = ["需求评审会议程："] + [
        f"{n}. {item.requirement.code} {item.requirement.title}" for n, item in enumerate(items, start=1)
    ]
    if hidden_text(meeting):
        lines.append(hidden_text(meeting))
    event.add("description", "\n".join(lines))
    event.add("sequence", max(0, (meeting.version or 1) - 1))
    event.add("status", "CONFIRMED")
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()
