"""A realistic data set for benchmarks (`flask --app wsgi bench-data`), built quickly.

Requirements with Chinese titles and descriptions from the domains' vocabulary, one to three
proposers (some raised by several units in other cities), a timeline (created, then the moves
that brought each to its status); a scenario library imported through the feature parser (files
of plain scenarios and a Scenario Outline, ten steps each with the background); releases, each
with a verification run whose results are recorded in bulk (the last release: one run over the
whole library, half of it done; the others: a run of up to 1,000 scenarios, finished).

Requirements, proposers and events are bulk INSERTs in batches; scenarios, runs and results go
through the services (`scenarios.import_feature`, `verification.create_run`, `record_many`),
which are bulk-friendly themselves. Build into an empty database (reference data is loaded).
"""
from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from sqlalchemy import func, insert, select

from app.extensions import db
from app.models import CodeSequence, Event, Proposer, Region, Requirement, User
from app.seed import reference_data
from app.services import scenarios, users, verification, workflow
from app.utils import utcnow

SUBJECTS = ["直接支出", "授权支付", "跨年退款", "到人到户", "支付更正", "更正调库", "指标调剂", "预算编制", "工资统发",
            "非税收入", "国库集中支付", "单位会计核算", "资产卡片", "统一门户", "数据中枢接口", "主数据", "总会计核算",
            "预算执行动态监控", "专项资金", "政府采购", "绩效目标", "债务管理", "公务卡", "往来款"]
ACTIONS = ["审核后", "导入时", "生成凭证时", "年结后", "批量处理时", "打印", "查询", "同步", "对账时", "提交后"]
PROBLEMS = ["余额未回滚", "报错", "数据不一致", "无法关联上年度凭证", "页面空白", "超时", "金额显示错误", "状态未更新",
            "缺少字段", "重复生成", "权限不足", "统计口径不对"]
UNITS = ["财政局国库科", "财政局预算科", "人社局", "教育局", "卫健局", "住建局", "农业农村局", "交通局", "审计局", "民政局"]
PEOPLE = ["张伟", "王芳", "李娜", "刘洋", "陈静", "杨磊", "黄敏", "赵勇", "周婷", "吴刚"]
CHANNELS = [c for c, *_ in reference_data.LOOKUPS["channel"]]
PASSWORD = "Bench#2026-data"
PER_FEATURE = 100  # scenarios a feature file
STEPS = 10  # steps a scenario, the background's included


def sentence(rng: random.Random) -> str:
    return rng.choice(SUBJECTS) + rng.choice(ACTIONS) + rng.choice(PROBLEMS)


def feature_text(index: int, count: int) -> str:
    """A feature file of `count` scenarios: plain ones and an outline, ten steps each."""
    plain = count // 2
    lines = ["# language: zh-CN", "@执行域 @基准", f"功能: 执行域回归 {index}", "", "  背景:",
             "    假如 预算单位经办人已登录执行域", ""]
    for k in range(plain):
        subject = SUBJECTS[(index + k) % len(SUBJECTS)]
        lines += [f"  场景: {subject}回归 {index}-{k}", f"    当 经办人对凭证\"ZF{index:03d}{k:03d}\"发起{subject}"]
        lines += [f"    而且 国库科第 {s} 次复核通过" for s in range(1, STEPS - 2)]
        lines += ["    那么 处理结果为\"成功\"", ""]
    lines += [f"  场景大纲: 跨年退款 {index}", "    当 经办人申请退款 <金额> 元"]
    lines += [f"    而且 系统第 {s} 次校验额度" for s in range(1, STEPS - 2)]
    lines += ["    那么 退款结果为\"<结果>\"", "", "    例子:", "      | 金额 | 结果 |"]
    lines += [f"      | {100 + r} | 成功 |" for r in range(count - plain)]
    return "\n".join(lines) + "\n"


def _user(username: str, role: str, region: str, name: str) -> User:
    existing = db.session.scalar(select(User).where(User.username == username))
    return existing or users.create_user(username, PASSWORD, role, region, name)


def build_requirements(count: int, engineer: User, rng: random.Random, batch: int = 20_000) -> int:
    regions = list(db.session.scalars(select(Region)))
    statuses = list(workflow.STATUSES)
    domains = [c for c, *_ in reference_data.LOOKUPS["domain"]]
    types = [c for c, *_ in reference_data.LOOKUPS["type"]]
    first = (db.session.scalar(select(func.max(Requirement.id))) or 0) + 1
    now = utcnow()
    for start in range(first, first + count, batch):
        rows, proposers, events = [], [], []
        for i in range(start, min(first + count, start + batch)):
            created = now - timedelta(minutes=rng.randint(60, 3 * 365 * 24 * 60))
            region = rng.choice(regions)
            unit = region.name + rng.choice(UNITS)
            status = rng.choice(statuses)
            rows.append({
                "id": i, "code": f"REQ-{created.year}-{i:06d}", "title": sentence(rng),
                "description": "预算单位反馈：" + sentence(rng) + "，" + sentence(rng) + "。",
                "domain": rng.choice(domains), "module": rng.choice(SUBJECTS), "type": rng.choice(types),
                "priority": rng.choice(["urgent", "high", "medium", "low"]), "channel": rng.choice(CHANNELS),
                "region_id": region.id, "proposer_name": rng.choice(PEOPLE), "proposer_unit": unit,
                "proposer_contact": "", "needs_custom_dev": "undecided", "assessment_notes": "", "external_ref": "",
                "status": status, "status_changed_at": created + timedelta(hours=1), "created_by_id": engineer.id,
                "created_at": created, "updated_at": created, "version": 1,
            })
            # one proposer, or the same need raised by up to three units (other cities among them)
            for k in range(1 if rng.random() < 0.8 else rng.randint(2, 3)):
                where = region if k == 0 else rng.choice(regions)
                proposers.append({"requirement_id": i, "origin_id": i, "name": rng.choice(PEOPLE),
                                  "unit": where.name + rng.choice(UNITS), "contact": "", "region_id": where.id,
                                  "channel": rng.choice(CHANNELS), "raised_at": created + timedelta(minutes=k)})
            events.append({"requirement_id": i, "at": created, "kind": "created", "actor_id": engineer.id,
                           "data": {"status": "submitted"}})
            if status != "submitted":
                events.append({"requirement_id": i, "at": created + timedelta(hours=1), "kind": "transition",
                               "actor_id": engineer.id, "data": {"from": "submitted", "to": status, "reason": ""}})
        db.session.execute(insert(Requirement), rows)
        db.session.execute(insert(Proposer), proposers)
        db.session.execute(insert(Event), events)
        db.session.commit()
    year = now.year
    sequence = db.session.scalar(select(CodeSequence).where(CodeSequence.name == "requirement",
                                                            CodeSequence.year == year))
    if sequence is None:
        db.session.add(CodeSequence(name="requirement", year=year, last=first + count))
    else:
        sequence.last = max(sequence.last, first + count)
    db.session.commit()
    return count


def build_library(count: int, actor: User) -> list[int]:
    """`count` scenarios in files of PER_FEATURE; answers their ids in library order."""
    files = -(-count // PER_FEATURE)
    for index in range(files):
        size = min(PER_FEATURE, count - index * PER_FEATURE)
        scenarios.import_feature(actor, f"bench/execution_{index:04d}.feature", feature_text(index, size))
    return verification.select_scenarios({"tags": "@基准"})


def _record(actor: User, run, ids: list[int], rng: random.Random) -> None:
    statuses = ["passed"] * 8 + ["failed", "blocked"]
    items = [{"scenario_id": sid, "status": rng.choice(statuses), "note": "回归通过" if k % 7 else "实际结果与预期不符"}
             for k, sid in enumerate(ids)]
    for start in range(0, len(items), 1000):
        verification.record_many(actor, run, items[start:start + 1000])


def build(requirements: int, scenario_count: int, releases: int, seed: int = 12) -> dict[str, Any]:
    """Build the data set; answers what was built (ids of the largest run and a 1,000 one)."""
    rng = random.Random(seed)
    reference_data.load()
    engineer = _user("bench_eng", "engineer", "445200", "基准测试工程师")
    manager = _user("bench_mgr", "manager", "440000", "基准测试管理员")
    built: dict[str, Any] = {"requirements": build_requirements(requirements, engineer, rng) if requirements else 0}
    ids = build_library(scenario_count, manager) if scenario_count else []
    built["scenarios"] = len(ids)
    runs: dict[str, int] = {}
    for index in range(releases):
        version = f"VB{2024 + index // 12}.{index % 12 + 1:02d}"
        release = verification.create_release(manager, {"version": version, "name": f"基准迭代 {index + 1}"})
        if not ids:
            continue
        last = index == releases - 1
        chosen = ids if last else ids[:1000]
        run = verification.create_run(manager, release, {"environment": "acceptance", "scenario_ids": chosen})
        _record(manager, run, chosen[: len(chosen) // 2] if last else chosen, rng)
        runs[f"{len(chosen)}"] = run.id
    built["releases"] = releases
    built["runs"] = runs
    return built
