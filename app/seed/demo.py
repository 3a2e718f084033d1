"""Realistic demo data: a user of every role and ~50 requirements with real timelines.

Requirements are filed and moved through the workflow module, so every timeline is what the
application itself would have written; timestamps are then spread over the past months.
"""
from __future__ import annotations

import random
from collections import deque
from datetime import timedelta

from sqlalchemy import select

from app.extensions import db
from app.models import Event, Requirement, User
from app.services import reference, requirements, users, workflow
from app.utils import utcnow

DEMO_PASSWORD = "Demo@2026szcz"

DEMO_USERS = [
    # username, role, region, display name
    ("admin", "admin", "440000", "系统管理员"),
    ("manager", "manager", "445200", "林晓燕（揭阳需求管理）"),
    ("engineer", "engineer", "445200", "黄志明（揭阳驻场）"),
    ("engineer_rc", "engineer", "445202", "陈俊杰（榕城区驻场）"),
    ("engineer_gz", "engineer", "440100", "刘伟（广州驻场）"),
    ("reviewer", "reviewer", "440000", "王建国（省厅需求团队）"),
    ("taskforce", "taskforce", "445200", "郑丽华（揭阳数字财政专班）"),
    ("manager_gd", "manager", "440000", "周敏（省级需求管理）"),
]

# title, domain, module, type, description. A description names no place, or {place}: the
# requirement's own region (揭阳市, 榕城区, …), and {parts}: what that region is made of (a
# city's counties and districts, a county's towns), so every demo requirement reads as coming
# from where it is filed.
SAMPLES = [
    ("直接支出更正后指标余额未回滚", "execution", "支付管理", "defect",
     "预算单位办理直接支出更正后，原指标的可用余额没有相应恢复，导致后续支付提示额度不足。"),
    ("跨年退款无法关联上年度支付凭证", "execution", "国库集中支付", "functional",
     "年初办理跨年退款时，系统无法检索到上年度已支付的凭证，需要手工登记，易出错。"),
    ("到人到户补贴发放明细导出字段不全", "execution", "惠民惠农补贴", "optimization",
     "到人到户发放明细导出的Excel缺少身份证号后四位与开户行，{place}经办人员核对困难。"),
    ("支付更正审核流程增加财政局复核节点", "execution", "支付更正", "functional",
     "希望支付更正在单位审核后增加财政国库复核节点，符合{place}内控要求。"),
    ("更正调库后总账科目余额不一致", "accounting", "总会计核算", "defect",
     "办理更正调库后，总会计账的一般公共预算收入科目余额与国库报表不一致。"),
    ("部门预算编制增加项目绩效目标模板", "budget", "预算编制", "functional",
     "二级预算单位编制项目预算时需要填报绩效目标，希望提供按行业分类的模板。"),
    ("预算指标调剂审批支持批量操作", "budget", "指标管理", "optimization",
     "年中调剂高峰期，指标调剂需逐笔审批，希望支持勾选多笔批量审批。"),
    ("单位会计核算月结时提示凭证断号", "accounting", "单位会计核算", "defect",
     "基层预算单位月结时系统提示凭证断号，但凭证号实际连续，疑似作废凭证未排除。"),
    ("统一门户单点登录后偶发跳转空白页", "portal", "统一门户", "defect",
     "通过统一门户进入执行域时偶发空白页，刷新后恢复，影响{place}{parts}用户使用。"),
    ("非税收入系统集成到统一门户", "portal", "门户集成", "portal_integration",
     "{place}非税收入管理系统需要集成到统一门户，实现单点登录和待办推送。"),
    ("数据中枢新增社保基金收支接口", "data_hub", "接口管理", "data_hub_interface",
     "{place}社保部门需要通过数据中枢获取社保基金财政补助拨付数据，现有接口不满足。"),
    ("主数据预算单位信息变更同步延迟", "master_data", "单位信息管理", "defect",
     "预算单位在主数据中变更单位名称后，执行域两天后才同步，影响支付申请。"),
    ("业务中台要素库增加资金来源细项", "business_platform", "要素管理", "optimization",
     "{place}专项资金需按资金来源细分统计，希望要素库增加三级细项。"),
    ("技术中台定时任务执行失败无告警", "tech_platform", "任务调度", "defect",
     "夜间对账定时任务失败时没有任何告警，次日才发现数据未同步。"),
    ("财政收支月报增加对比分析表", "budget", "统计报表", "report",
     "专班希望月报中增加{place}{parts}一般公共预算收支对比表，按月自动生成。"),
    ("国库集中支付凭证打印格式调整", "execution", "凭证打印", "optimization",
     "代理银行反馈支付凭证打印时大写金额换行，要求调整打印模板。"),
    ("资产卡片与会计核算数据对账功能", "accounting", "资产管理", "functional",
     "资产系统卡片原值与单位会计核算固定资产科目需要每月自动对账并出具差异表。"),
    ("预算执行动态监控预警规则可配置", "execution", "动态监控", "functional",
     "希望{place}财政可在省定规则基础上配置本地预警阈值，如公务接待单笔金额。"),
]

# what a region is made of, by level, for {parts} in a description
PARTS = {"city": "各县区", "county": "各镇（街道）", "park": "各单位"}

# the people who asked, by the region they work in (units of that region only)
PROPOSERS = {
    "445200": [("李秀英", "揭阳市财政局国库科", "0663-8221001"),
               ("吴海燕", "揭阳市教育局（一级预算单位）", "13802900123"),
               ("杨丽", "揭阳市卫生健康局", "13719880456")],
    "445202": [("张国强", "榕城区财政局", "0663-8662030"),
               ("许佳琪", "榕城区教育局（一级预算单位）", "13902911234")],
    "445203": [("黄文斌", "揭东区财政局国库股", "0663-3251102")],
    "445222": [("林少华", "揭西县财政局预算股", "0663-5521203")],
    "445281": [("陈晓东", "普宁市财政局预算股", "0663-2283456"),
               ("方丽娟", "普宁市卫生健康局", "13829612345")],
    "445200Y01": [("蔡志伟", "揭阳产业转移工业园财政分局", "0663-3286001")],
    "440100": [("梁嘉欣", "广州市财政局国库处", "020-83123456")],
    "440106": [("赵敏", "天河区财政局", "020-38621234")],
}

# a few filed in Guangzhou by its own engineer (seen by Guangzhou and the province, not by Jieyang)
GUANGZHOU = [
    ("440106", "submitted", 8),   # (region, target status, index into SAMPLES)
    ("440100", "assessing", 15),
]

REASONS = {
    # decided outside a review meeting (the demo meetings decide others, app/seed/demo_meetings.py)
    "approved": "省厅需求团队书面审核同意，纳入全省迭代排期。",
    "deferred": "与年度预算编制工作时间冲突，暂缓至下季度评审。",
    "rejected": "与省统一业务规范冲突，建议通过现有功能组合办理。",
    "needs_info": "请补充问题出现的单位、单据号和截图。",
    "withdrawn": "提出人确认为操作问题，撤回。",
    "duplicate": "与已登记需求重复，已合并。",
    "verification_failed": "验收环境验证时金额回滚仍不正确。",
}

TARGETS = (
    ["submitted"] * 6 + ["assessing"] * 6 + ["awaiting_review"] * 6 + ["approved"] * 3
    + ["rejected"] * 3 + ["needs_info"] * 2 + ["deferred"] * 2 + ["scheduled"] * 4
    + ["in_verification"] * 3 + ["verification_failed"] * 2 + ["verified"] * 2 + ["released"] * 3
    + ["confirmed"] * 2 + ["closed"] * 3 + ["resolved_locally"] * 2 + ["withdrawn"] * 1
    + ["duplicate"] * 1
)


def path_to(target: str) -> list[str]:
    """The shortest workflow path from `submitted` to `target`."""
    queue: deque[list[str]] = deque([["submitted"]])
    seen = {"submitted"}
    while queue:
        path = queue.popleft()
        if path[-1] == target:
            return path[1:]
        for nxt in workflow.allowed_targets(path[-1]):
            if nxt not in seen and nxt != "duplicate":
                seen.add(nxt)
                queue.append(path + [nxt])
    raise ValueError(target)


def load(seed: int = 2026) -> dict[str, int]:
    if db.session.scalar(select(Requirement.id).limit(1)) is not None:
        return {"users": 0, "requirements": 0}
    rng = random.Random(seed)
    created_users = 0
    for username, role, region, name in DEMO_USERS:
        if db.session.scalar(select(User.id).where(User.username == username)) is None:
            users.create_user(username, DEMO_PASSWORD, role, region, name)
            created_users += 1
    by_name = {u.username: u for u in db.session.scalars(select(User))}
    manager, reviewer = by_name["manager"], by_name["reviewer"]
    engineers = [by_name["engineer"], by_name["engineer_rc"]]
    regions = ["445200", "445202", "445203", "445222", "445281", "445200Y01"]
    now = utcnow()
    made: list[Requirement] = []
    plan = [(index, target, None) for index, target in enumerate(TARGETS)]
    plan += [(len(TARGETS) + n, target, region) for n, (region, target, _sample) in enumerate(GUANGZHOU)]
    samples = {len(TARGETS) + n: sample for n, (_region, _target, sample) in enumerate(GUANGZHOU)}
    asked: dict[str, int] = {}  # requirements filed per region so far: the proposers take turns
    for index, target, fixed_region in plan:
        title, domain, module, rtype, description = SAMPLES[samples.get(index, index % len(SAMPLES))]
        if fixed_region:
            engineer, region = by_name["engineer_gz"], fixed_region
        else:
            engineer = engineers[index % 2]
            region = "445202" if engineer.username == "engineer_rc" else rng.choice(regions)
        place = reference.region_by_code(region)
        if index >= len(SAMPLES) and not fixed_region:
            title = f"{title}（{place.name}反馈）"
        proposers = PROPOSERS[region]
        proposer = proposers[asked.get(region, 0) % len(proposers)]
        asked[region] = asked.get(region, 0) + 1
        req = requirements.create(
            engineer,
            {
                "title": title,
                "description": description.format(place=place.name, parts=PARTS.get(place.level, "")),
                "domain": domain,
                "module": module,
                "type": rtype,
                "priority": rng.choice(["urgent", "high", "medium", "medium", "low"]),
                "channel": rng.choice(["ops_platform", "phone", "yuezhengyi", "onsite", "tapd"]),
                "region": region,
                "proposer_name": proposer[0],
                "proposer_unit": proposer[1],
                "proposer_contact": proposer[2],
            },
        )
        steps = ["submitted", "assessing", "duplicate"] if target == "duplicate" else ["submitted", *path_to(target)]
        for to in steps[1:]:
            actor = reviewer if to in {"approved", "rejected", "needs_info", "deferred"} else manager
            if fixed_region:
                actor = by_name["manager_gd"]  # Guangzhou's requirements are outside Jieyang's manager's region
            original = made[0] if to == "duplicate" else None
            workflow.apply_transition(req, to, actor, REASONS.get(to), original)
            if to == "assessing" and index % 3 == 0 and not fixed_region:
                req.assignee_id = manager.id
                req.needs_custom_dev = rng.choice(["yes", "no", "undecided"])
                req.assessment_notes = "经分析需省级开发改造，建议提交评审会。" if req.needs_custom_dev == "yes" else ""
                db.session.add(Event(requirement_id=req.id, actor_id=manager.id, kind="assigned",
                                     data={"before": None, "after": manager.username,
                                           "after_name": manager.name}))
        if index % 4 == 0:
            commenter = by_name["manager_gd"] if fixed_region else manager
            db.session.add(Event(requirement_id=req.id, actor_id=commenter.id, kind="comment",
                                 data={"body": "已电话联系提出人确认问题场景，附件为截图。"}))
        if req.status in {"scheduled", "in_verification", "verified", "released"}:
            req.external_ref = f"TAPD-{1020300 + index}"
            req.due_date = (now + timedelta(days=rng.randint(5, 60))).date()
        db.session.flush()
        made.append(req)
    db.session.commit()
    _spread_times(made, rng, now)
    return {"users": created_users, "requirements": len(made)}


def _spread_times(made: list[Requirement], rng: random.Random, now) -> None:
    """Backdate each requirement's history over the past ~120 days, keeping its order."""
    for req in made:
        start = now - timedelta(days=rng.randint(3, 120), hours=rng.randint(0, 8))
        events = list(db.session.scalars(select(Event).where(Event.requirement_id == req.id).order_by(Event.id)))
        at = start
        for event in events:
            event.at = at
            at = min(now, at + timedelta(hours=rng.randint(2, 96)))
        req.created_at = start
        req.status_changed_at = max((e.at for e in events if e.kind in ("created", "transition")), default=start)
        req.updated_at = at
    db.session.commit()
