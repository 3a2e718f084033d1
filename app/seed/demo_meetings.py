"""Demo review meetings: one finalised last week (its decisions applied through the service, so
the requirements' timelines and the proposers' feedback are real) and one upcoming draft with an
agenda. Uses the demo users of app/seed/demo.py and the demo requirements it filed."""
from __future__ import annotations

from datetime import datetime, time, timedelta, timezone

from sqlalchemy import select

from app.extensions import db
from app.models import Meeting, Requirement, User
from app.services import meetings, requirements

ATTENDEES = [
    {"name": "王建国", "organization": "provincial_team", "role": "主持"},
    {"name": "周敏", "organization": "provincial_team", "role": "参会"},
    {"name": "郑丽华", "organization": "taskforce", "role": "参会"},
    {"name": "林晓燕", "organization": "requirement_management", "role": "记录"},
    {"name": "黄志明", "organization": "onsite_engineering", "role": "汇报"},
    {"name": "陈俊杰", "organization": "onsite_engineering", "role": "参会"},
]

PAST_DECISIONS = [
    ({"decision": "approved", "target": "V2026.07 迭代"},
     "省厅需求团队认为属于共性问题，同意纳入全省迭代统一修复。"),
    ({"decision": "rejected", "reason": "属于全省统一功能，不支持地市个性化定制"},
     "与会人员讨论后认为可通过现有审批流配置解决。"),
    ({"decision": "needs_info", "reason": "请补充涉及的预算单位、单据号及报错截图"},
     "现有描述无法定位问题场景，需驻场工程师补充。"),
]


def _at_local(day: datetime, hour: int, minute: int = 0) -> datetime:
    zone = meetings.local_zone()
    local = datetime.combine(day.astimezone(zone).date(), time(hour, minute), tzinfo=zone)
    return local.astimezone(timezone.utc)


def load() -> dict[str, int]:
    """Create the two demo meetings (skipped when meetings exist already)."""
    if db.session.scalar(select(Meeting.id).limit(1)) is not None:
        return {"meetings": 0}
    by_name = {u.username: u for u in db.session.scalars(select(User))}
    manager, reviewer = by_name.get("manager"), by_name.get("reviewer")
    if manager is None or reviewer is None:
        return {"meetings": 0}
    queue = [
        r for r in db.session.scalars(
            requirements.scoped(manager)
            .where(Requirement.status.in_(meetings.AGENDA_STATUSES))
            .order_by(Requirement.status, Requirement.id)
        ).unique()
    ]
    waiting = [r for r in queue if r.status == "awaiting_review"]
    deferred = [r for r in queue if r.status == "deferred"]
    if len(waiting) < 3:
        return {"meetings": 0}
    now = datetime.now(timezone.utc)

    past = meetings.create(manager, {
        "title": "揭阳市数字财政需求评审会（第一次）",
        "scheduled_at": _at_local(now - timedelta(days=6), 14, 30),
        "duration_minutes": 120,
        "location": "揭阳市财政局四楼会议室",
        "video_link": "粤政易视频会议 865-2210-3306",
    })
    for attendee in ATTENDEES:
        meetings.add_attendee(manager, past, attendee)
    chosen = waiting[:3]
    meetings.add_to_agenda(manager, past, [r.id for r in chosen])
    for req, (decision, notes) in zip(chosen, PAST_DECISIONS):
        meetings.record_decision(reviewer, past, req.id, {**decision, "notes": notes})
    meetings.add_action_item(manager, past, {
        "text": "向提出人反馈评审结论并收集补充材料", "owner": "林晓燕",
        "due": (now + timedelta(days=3)).date(), "requirement_id": chosen[2].id,
    })
    meetings.add_action_item(manager, past, {
        "text": "跟进纳入迭代需求的省级排期", "owner": "黄志明", "due": (now + timedelta(days=14)).date(),
    })
    meetings.save_summary(manager, past, "本次会议评审需求3项：通过1项，不通过1项，待补充1项。"
                                         "请需求管理人员于三个工作日内向提出人反馈结论。")
    meetings.finalize(manager, past)

    upcoming = meetings.create(manager, {
        "title": "揭阳市数字财政需求评审会（第二次）",
        "scheduled_at": _at_local(now + timedelta(days=8), 9, 30),
        "duration_minutes": 90,
        "location": "揭阳市财政局四楼会议室",
        "video_link": "",
    })
    for attendee in ATTENDEES[:4]:
        meetings.add_attendee(manager, upcoming, attendee)
    meetings.add_to_agenda(manager, upcoming, [r.id for r in waiting[3:5] + deferred[:1]])
    db.session.commit()
    return {"meetings": 2}
