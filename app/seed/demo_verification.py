"""Demo scenario library and verification: the Chinese feature files in app/seed/features/,
release V2026.11 with an acceptance run and some results (manual and automated).

The feature files tag requirements with placeholder codes @REQ-2026-0001..0003; on load they
are replaced by the codes the demo requirements of the same subject got, so the links show on
both pages whatever year the demo is loaded in.
"""
from __future__ import annotations

import os
import re
from datetime import date

from sqlalchemy import select

from app.extensions import db
from app.models import Release, Requirement, User
from app.services import scenarios, verification

FEATURES_DIR = os.path.join(os.path.dirname(__file__), "features")

# placeholder tag -> title of the demo requirement it stands for (app/seed/demo.py SAMPLES)
REQUIREMENT_TAGS = {
    "@REQ-2026-0001": "直接支出更正后指标余额未回滚",
    "@REQ-2026-0002": "支付更正审核流程增加财政局复核节点",
    "@REQ-2026-0003": "跨年退款无法关联上年度支付凭证",
}


def feature_files() -> list[tuple[str, str]]:
    """(library path, text) of every seed feature file."""
    result = []
    for root, dirs, files in os.walk(FEATURES_DIR):
        dirs.sort()
        for name in sorted(files):
            if name.endswith(".feature"):
                full = os.path.join(root, name)
                with open(full, encoding="utf-8") as fh:
                    result.append((os.path.relpath(full, FEATURES_DIR).replace(os.sep, "/"), fh.read()))
    return result


def _with_codes(text: str) -> str:
    """One pass, so a code that happens to equal another placeholder is not replaced twice."""
    codes = {}
    for placeholder, title in REQUIREMENT_TAGS.items():
        code = db.session.scalar(select(Requirement.code).where(Requirement.title == title).order_by(Requirement.id))
        codes[placeholder] = "@" + code if code else placeholder
    pattern = re.compile("(?:" + "|".join(re.escape(p) for p in REQUIREMENT_TAGS) + r")(?![\w-])")
    return pattern.sub(lambda m: codes[m.group(0)], text)


def load() -> dict[str, int]:
    """Idempotent: skipped when release V2026.11 exists."""
    if db.session.scalar(select(Release.id).where(Release.version == "V2026.11")) is not None:
        return {"features": 0, "runs": 0}
    manager = db.session.scalar(select(User).where(User.username == "manager"))
    engineer = db.session.scalar(select(User).where(User.username == "engineer"))
    if manager is None or engineer is None:
        return {"features": 0, "runs": 0}
    files = feature_files()
    for path, text in files:
        scenarios.import_feature(engineer, path, _with_codes(text))
    release = verification.create_release(manager, {
        "version": "V2026.11", "name": "2026年11月迭代版本", "planned_date": date(2026, 11, 28),
        "domains": ["execution", "accounting"],
        "notes": "省运营中心发布：直接支出更正、支付更正复核节点、跨年退款。验收环境回归测试与联调测试。",
    })
    run = verification.create_run(manager, release, {"environment": "acceptance", "region": "445200",
                                                     "tags": "@执行域 and not @manual-skip and not @升级演示"})
    rows = {(row.scenario.name, (row.scenario.example or {}).get("凭证号")): row for row in verification.result_rows(run)}
    items = []
    for key in (("更正支出功能分类科目", None), ("按原支付年度办理退款", "ZF0101"), ("按原支付年度办理退款", "ZF0102"),
                ("按原支付年度办理退款", "ZF9901")):
        row = rows[key]
        items.append({"scenario_id": row.scenario.scenario_id,
                      "steps": [{"index": i, "status": "passed"} for i in range(len(row.scenario.steps))]})
    failed = rows[("更正金额不得超过原支付金额", None)]  # the system control did not stop the correction
    statuses = ["passed"] * (len(failed.scenario.steps) - 2) + ["failed", "skipped"]
    items.append({"scenario_id": failed.scenario.scenario_id, "note": "系统未提示，更正申请可以提交。",
                  "defect": "TAPD-1020388", "fed_back": True,
                  "steps": [{"index": i, "status": s} for i, s in enumerate(statuses)]})
    blocked = rows[("国库科退回后单位可修改重报", None)]
    items.append({"scenario_id": blocked.scenario.scenario_id, "status": "blocked",
                  "note": "验收环境国库科复核账号未开通，无法退回。"})
    verification.record_many(engineer, run, items)
    return {"features": len(files), "runs": 1}
