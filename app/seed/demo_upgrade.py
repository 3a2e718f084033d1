"""Demo upgrades (issue 9) and the proposer's loop (issue 10), over the demo users and
requirements of app/seed/demo.py:

- V2026.09, completed four days ago: accepted, its upgrade application and emergency plan,
  window, published announcement, every city upgraded (汕头 failed first, then done, 惠州
  through a production smoke run), operation manuals updated;
- V2026.10, rolling out now: its window ended an hour ago, most cities done, two cities still
  upgrading and one failed (overdue on the board), 榕城区 and 普宁市 as county targets, a manual
  update still to do;
- a released requirement awaiting the proposer's confirmation, one the proposer was not
  satisfied with (a user opinion, reopened), a rejection's feedback delivered by 粤政易 and a
  follow-up call.

Everything goes through the services, as the application itself would write it; timestamps are
then moved back. Idempotent: skipped when release V2026.09 exists.
"""
from __future__ import annotations

from datetime import datetime, time, timedelta, timezone

from sqlalchemy import func, select

from app.extensions import db
from app.models import (
    Announcement,
    Event,
    Feedback,
    Release,
    ReleaseEvent,
    ReleaseRolloutTarget,
    ReleaseSignoff,
    Requirement,
    Run,
    User,
)
from app.services import releases, scenarios, verification
from app.services.releases import application, manuals, rollout, upgrade
from app.utils import iso_utc, utcnow

BEIJING = timezone(timedelta(hours=8))
# kept only if a freeze period added by an admin overlaps a demo window (none in the demo data)
OVERRIDE = "演示数据：窗口经专班同意"

PLAN = {
    "scope": "全省21个地市及所辖县（区）生产环境的执行域、核算域；涉及直接支出更正、支付更正复核、跨年退款等功能。",
    "risks": "升级期间国库集中支付暂停约6小时；数据库脚本执行失败或执行时间超出窗口；代理银行接口报文变更导致支付失败。",
    "criteria": "冒烟场景（@冒烟）全部通过、支付与退款各抽查一笔成功为通过；任一支付场景不通过或核心服务无法启动为失败，立即回退。",
    "method": "1. 停止应用服务并公告；2. 备份数据库与应用目录；3. 部署升级安装包；4. 执行配置与数据脚本；"
              "5. 启动服务，执行冒烟验证；6. 通知各单位恢复业务。",
    "rollback": "恢复升级前备份的数据库与上一版本安装包，重启服务后执行冒烟验证，回退时间不超过2小时。",
    "tracking": "升级问题登记到智能运维平台，驻场工程师跟踪至关闭；重大问题30分钟内上报省运营中心和数字财政专班。",
    "contacts": "省运营中心 周敏 020-83100001；揭阳驻场 黄志明 13802900001；广州驻场 刘伟 13902900002",
}

# @升级演示 keeps these demo scenarios out of V2026.11's run (app/seed/demo_verification.py)
ACCEPTANCE_FEATURE = """# language: zh-CN
@执行域 @升级演示 @{tag}
功能: {version} 版本验收

{scenarios}
"""

SMOKE_FEATURE = """# language: zh-CN
@执行域 @升级演示
功能: 生产环境升级冒烟验证

  @冒烟
  场景: 升级后登录并查询支付凭证
    假如 经办人已登录执行域
    当 经办人查询当日支付凭证
    那么 查询成功

  @冒烟
  场景: 升级后办理一笔授权支付
    假如 经办人已登录执行域
    当 经办人办理一笔授权支付
    那么 支付成功
"""


def _scenario_block(name: str, code: str) -> str:
    return (f"  @{code} @功能验证\n  场景: {name}\n    假如 经办人已登录执行域\n"
            f"    当 经办人办理{name}\n    那么 办理成功\n")


def _local(day: datetime, hour: int) -> datetime:
    """`hour` o'clock Beijing time on `day`'s Beijing date, as naive UTC (the stored form)."""
    local = datetime.combine(day.astimezone(BEIJING).date(), time(hour), tzinfo=BEIJING)
    return local.astimezone(timezone.utc).replace(tzinfo=None)


def _accepted(manager: User, reviewer: User, engineer: User, version: str, name: str,
              reqs: list[Requirement]) -> Release:
    """A release carrying `reqs`, accepted through its own acceptance run (every scenario passed)."""
    release = verification.create_release(manager, {
        "version": version, "name": name, "domains": ["execution"],
        "notes": "省运营中心发布的全省迭代版本：修复支付与退款问题，优化复核流程。"})
    releases.add_requirements(manager, release, [r.id for r in reqs])
    tag = "验收" + version.replace(".", "")
    blocks = "\n".join(_scenario_block(f"{r.title.split('（')[0][:24]}验证", r.code) for r in reqs)
    scenarios.import_feature(engineer, f"releases/{version}.feature",
                             ACCEPTANCE_FEATURE.format(tag=tag, version=version, scenarios=blocks))
    run = verification.create_run(manager, release, {"environment": "acceptance", "region": "445200",
                                                     "tags": f"@{tag}"})
    verification.record_many(engineer, run, [{"scenario_id": row.scenario.scenario_id, "status": "passed"}
                                             for row in verification.result_rows(run)])
    releases.sign(manager, release, "approve", "回归与联调测试全部通过。")
    releases.sign(reviewer, release, "approve", "同意升级。")
    releases.transition(manager, release, "accepted")
    return release


def _announce_and_schedule(manager: User, release: Release, start: datetime, end: datetime,
                           publish: bool = True) -> None:
    application.save(manager, release, PLAN)
    releases.transition(manager, release, "upgrade_requested")
    upgrade.set_window(manager, release, start, end, OVERRIDE)  # naive UTC, as stored
    if publish:
        application.save_announcement(manager, release, {"publish": True})
    releases.transition(manager, release, "scheduled")


def _date_announcement(release: Release, at: datetime) -> None:
    announcement = db.session.scalar(select(Announcement).where(Announcement.release_id == release.id))
    if announcement is not None:
        announcement.published_at = announcement.updated_at = at


def _targets(release: Release) -> dict[str, ReleaseRolloutTarget]:
    return {t.region_code: t for t in db.session.scalars(
        select(ReleaseRolloutTarget).where(ReleaseRolloutTarget.release_id == release.id))}


def _shift(release: Release, req_ids: list[int], since_event: int, since_req_event: int, delta: timedelta) -> None:
    """Move back by `delta` the release events and requirement events written since the marks
    (row by row: SQLite cannot subtract an interval in SQL)."""
    rows = list(db.session.scalars(select(ReleaseEvent).where(ReleaseEvent.release_id == release.id,
                                                              ReleaseEvent.id > since_event)))
    if req_ids:
        rows += list(db.session.scalars(select(Event).where(Event.requirement_id.in_(req_ids),
                                                            Event.id > since_req_event)))
    for row in rows:
        row.at = row.at - delta
    db.session.commit()


def _marks() -> tuple[int, int]:
    return (db.session.scalar(select(func.max(ReleaseEvent.id))) or 0,
            db.session.scalar(select(func.max(Event.id))) or 0)


def _timed_moves(manager: User, release: Release, plan: list[tuple[str, list[str]]], start: datetime) -> None:
    """Move each region's target through its statuses, then date its start and end inside the
    window (a region every 12 minutes, about 40 minutes each)."""
    targets = _targets(release)
    for index, (code, moves) in enumerate(plan):
        target = targets.get(code)
        if target is None:
            continue
        for to in moves:
            rollout.move(manager, release, target.id, to)
        if target.started_at is None:  # never started: nothing to date
            continue
        began = start + timedelta(minutes=30 + 12 * index)
        target.started_at = began
        target.updated_at = began + timedelta(minutes=40)
        if target.finished_at is not None:
            target.finished_at = target.updated_at
    db.session.commit()


def _completed(manager, reviewer, engineer, reqs, now) -> Release:
    start = _local(now - timedelta(days=4), 22)
    end = start + timedelta(hours=8)
    before = _marks()
    release = _accepted(manager, reviewer, engineer, "V2026.09", "2026年9月迭代版本", reqs)
    manuals.mark(manager, release, reqs[0].id, "execution", "支付更正操作步骤增加复核节点截图")
    _announce_and_schedule(manager, release, start, end)
    ids = [r.id for r in reqs]
    _shift(release, ids, *before, delta=now - (start - timedelta(days=3)))
    middle = _marks()
    codes = sorted(_targets(release))
    plan = [(code, ["in_progress", "done"]) for code in codes]
    shantou = next((i for i, (c, _m) in enumerate(plan) if c == "440500"), None)
    if shantou is not None:  # 汕头: the database script failed, fixed and done on the second try
        plan[shantou] = ("440500", ["in_progress", "failed", "in_progress", "done"])
    huizhou = _targets(release).get("441300")
    if huizhou is not None:  # 惠州: done only once its production smoke run passed
        rollout.move(manager, release, huizhou.id, "in_progress")
        rollout.smoke_run(manager, release, huizhou.id)
        run = db.session.get(Run, huizhou.smoke_run_id)
        verification.record_many(manager, run, [{"scenario_id": row.scenario.scenario_id, "status": "passed"}
                                                for row in verification.result_rows(run)])
        plan = [(c, ["done"] if c == "441300" else m) for c, m in plan]
    _timed_moves(manager, release, plan, start)
    target = _targets(release).get("440500")
    if target is not None:
        target.notes = "首次执行数据脚本超时失败，调整参数后重新升级成功。"
    update_row = manuals.updates(None, release)
    db.session.commit()
    _shift(release, ids, *middle, delta=now - (end - timedelta(hours=1)))
    for item in update_row:
        manuals.close(manager, release, item.id, "已更新执行域操作手册第3.2节")
    release.status_changed_at = end - timedelta(hours=1)
    for req in reqs:
        db.session.refresh(req)
        req.status_changed_at = end - timedelta(hours=1)
    _date_preparation(release, start)
    return release


def _date_preparation(release: Release, start: datetime) -> None:
    """Date what came before the window: created three weeks before, accepted and signed five
    days before, the application four, the window three, the announcement two."""
    release.created_at = start - timedelta(days=20)
    for signoff in db.session.scalars(select(ReleaseSignoff).where(ReleaseSignoff.release_id == release.id)):
        signoff.at = start - timedelta(days=5)
    if release.report:
        release.report = {**release.report, "frozen_at": iso_utc(start - timedelta(days=5))}
    plan = application.stored(release)
    if plan is not None:
        plan.updated_at = start - timedelta(days=4)
    window = upgrade.window_of(release)
    if window is not None:
        window.set_at = start - timedelta(days=3)
    _date_announcement(release, start - timedelta(days=2))
    db.session.commit()


def _rolling(manager, reviewer, engineer, reqs, now) -> Release:
    end = now.replace(minute=0, second=0, microsecond=0) - timedelta(hours=1)
    start = end - timedelta(hours=8)
    before = _marks()
    release = _accepted(manager, reviewer, engineer, "V2026.10", "2026年10月迭代版本", reqs)
    manuals.mark(manager, release, reqs[0].id, "accounting", "核算域月结操作手册补充凭证断号处理")
    later = start + timedelta(days=2)  # first agreed later, then brought forward (targets added meanwhile)
    _announce_and_schedule(manager, release, later, later + timedelta(hours=8), publish=False)
    for code in ("445202", "445281"):  # counties added before the window
        rollout.add_target(manager, release, code)
    upgrade.set_window(manager, release, start, end, OVERRIDE)  # the window as it happened
    title, body = application.draft(release)
    application.save_announcement(manager, release, {"title": title, "body": body, "publish": True})
    db.session.commit()
    ids = [r.id for r in reqs]
    _shift(release, ids, *before, delta=now - (start - timedelta(days=3)))
    middle = _marks()
    codes = sorted(_targets(release))
    busy = {"445200": ["in_progress"], "440100": ["in_progress"], "440300": ["in_progress", "failed"],
            "445281": []}
    plan = [(code, busy.get(code, ["in_progress", "done"])) for code in codes]
    _timed_moves(manager, release, plan, start)
    targets = _targets(release)
    for code, note in (("445200", "升级包已部署，正在执行数据脚本"), ("440300", "应用服务启动失败，正在排查中间件配置"),
                       ("440100", "等待代理银行接口联调")):
        if code in targets:
            targets[code].notes = note
    db.session.commit()
    _shift(release, ids, *middle, delta=now - (start + timedelta(hours=1)))
    release.status_changed_at = start + timedelta(minutes=30)  # the first region started
    _date_preparation(release, start)
    return release


def _proposer_loop(manager: User, released: list[Requirement]) -> None:
    """One released requirement the proposer was not satisfied with; a rejection's feedback
    delivered; a follow-up call on the one still awaiting confirmation."""
    from app.services.sla import confirmation, deliver_feedback

    if len(released) >= 2:
        confirmation.record(manager, released[1].id, {
            "outcome": "not_satisfied",
            "reason": "提出人反馈更正后指标余额已恢复，但历史单据仍需手工调整，希望提供批量修正功能。"})
        confirmation.follow_up(manager, released[0].id, {
            "channel": "phone", "note": "电话回访提出人，功能已在生产环境使用，待提出人书面确认。"})
    feedback = db.session.scalar(
        select(Feedback).join(Requirement, Requirement.id == Feedback.requirement_id)
        .where(Feedback.decision == "rejected").order_by(Feedback.id))
    if feedback is not None:
        deliver_feedback(manager, feedback.requirement_id, feedback.id, {
            "channel": "yuezhengyi", "note": "评审结论及替代办理方式已发送，提出人已读并表示理解。"})
    db.session.commit()


def load() -> dict[str, int]:
    """Idempotent: skipped when release V2026.09 exists or the demo users are missing."""
    if db.session.scalar(select(Release.id).where(Release.version == "V2026.09")) is not None:
        return {"releases": 0}
    by_name = {u.username: u for u in db.session.scalars(select(User))}
    manager, reviewer, engineer = by_name.get("manager_gd"), by_name.get("reviewer"), by_name.get("engineer")
    if manager is None or reviewer is None or engineer is None:
        return {"releases": 0}
    addable = list(db.session.scalars(select(Requirement).where(Requirement.status.in_(("approved",)))
                                      .order_by(Requirement.id)))
    if len(addable) < 4:
        return {"releases": 0}
    scenarios.import_feature(engineer, "releases/smoke.feature", SMOKE_FEATURE)
    now = utcnow()
    _completed(manager, reviewer, engineer, addable[:2], now)
    _rolling(manager, reviewer, engineer, addable[2:4], now)
    _proposer_loop(manager, [r for r in addable[:2] if r.status == "released"])
    return {"releases": 2}
