"""The upgrade content summary of a release (软件升级内容汇总报告, .docx in the official layout of
app.services.documents.word): the requirements delivered, the problems fixed, the operation
manual updates and the rollout outcome per region.

Release-wide, as the acceptance report is (a document handed upward). The problems fixed are
the delivered requirements of type `defect` and the defects recorded on the release's acceptance
results, each with whether the scenario's final result passed. The rollout section lists the
release's rollout targets (rollout.outcome), or says that no rollout is recorded yet.
"""
from __future__ import annotations

import io
from typing import Any

from sqlalchemy import select

from app.extensions import db
from app.models import Release, Run, RunResult, RunScenario
from app.services.documents import word
from app.services.releases import manuals, rollout
from app.services.releases.documents import VERDICT_ZH, cn_when
from app.services.releases.gate import ACCEPTANCE, assess
from app.utils import iso_utc, utcnow

ROLLOUT_ZH = {"pending": "未开始", "in_progress": "升级中", "done": "已完成", "failed": "升级失败",
              "rolled_back": "已回退"}
RELEASE_STATUS_ZH = {"planned": "计划中", "in_acceptance": "验收测试中", "accepted": "验收通过", "rejected": "验收不通过",
                     "upgrade_requested": "已申请升级", "scheduled": "已确定升级窗口", "rolling_out": "升级中",
                     "completed": "升级完成", "rolled_back": "已回退"}
DEFECT_TYPE = "defect"


def _rollout(release: Release) -> list[dict[str, Any]]:
    """The release's rollout targets per region (rollout.outcome), timestamps as ISO text."""
    return [{"region": t["region_name"], "region_code": t["region"], "status": t["status"],
             "started_at": iso_utc(t["started_at"]), "finished_at": iso_utc(t["finished_at"]), "notes": t["notes"] or ""}
            for t in rollout.outcome(release)]


def _recorded_defects(release: Release, final: dict[int, str]) -> list[dict[str, Any]]:
    """Defects recorded on the release's acceptance results (any attempt), one row per defect and
    scenario, with the scenario's final status (one query)."""
    rows = db.session.execute(
        select(RunResult.defect, RunScenario.scenario_id, RunScenario.name)
        .join(RunScenario, RunScenario.id == RunResult.run_scenario_id)
        .join(Run, Run.id == RunScenario.run_id)
        .where(Run.release_id == release.id, Run.environment == ACCEPTANCE, RunResult.defect != "")
        .order_by(RunResult.defect, RunScenario.scenario_id, RunResult.id)
    ).all()
    seen, out = set(), []
    for defect, scenario_id, name in rows:
        if (defect, scenario_id) in seen:
            continue
        seen.add((defect, scenario_id))
        out.append({"defect": defect, "scenario": name, "final": final.get(scenario_id, "untested")})
    return out


def build(release: Release) -> dict[str, Any]:
    """The summary's content as plain data."""
    from app.services.releases import upgrade

    assessment = assess(release)
    final = {sid: s.effective for sid, s in assessment.scenarios.items()}
    delivered = [v for v in assessment.verdicts if not v.removed]
    window = upgrade.window_of(release)
    return {
        "release": {"id": release.id, "version": release.version, "name": release.name, "build": release.build,
                    "status": release.status, "domains": list(release.domains or [])},
        "generated_at": iso_utc(utcnow()),
        "window": ({"start": iso_utc(window.starts_at), "end": iso_utc(window.ends_at)} if window else None),
        "requirements": [
            {"code": v.requirement.code, "title": v.requirement.title, "domain": v.requirement.domain,
             "type": v.requirement.type, "region": v.requirement.region.name, "verdict": v.verdict,
             "status": v.requirement.status}
            for v in delivered],
        "removed": [{"code": v.requirement.code, "title": v.requirement.title}
                    for v in assessment.verdicts if v.removed],
        "fixed_requirements": [{"code": v.requirement.code, "title": v.requirement.title, "verdict": v.verdict}
                               for v in delivered if v.requirement.type == DEFECT_TYPE],
        "defects": _recorded_defects(release, final),
        "manuals": [
            {"domain": m.domain, "code": m.requirement.code, "title": m.requirement.title, "note": m.note,
             "done": m.done_at is not None, "done_at": iso_utc(m.done_at),
             "done_by": m.done_by.name if m.done_by else None}
            for m in manuals.updates(None, release)],
        "rollout": _rollout(release),
    }


def summary_docx(data: dict[str, Any]) -> io.BytesIO:
    from app.services import reference

    domain_zh = reference.all_labels(english=False).get("domain", {})
    release = data["release"]
    doc = word.new_document()
    word.title(doc, f"{release['version']}软件升级内容汇总报告")
    word.heading(doc, "一、版本基本情况")
    word.labelled(doc, "版本号：", release["version"])
    word.labelled(doc, "版本名称：", release["name"] or "—")
    word.labelled(doc, "构建标识：", release["build"] or "—")
    word.labelled(doc, "版本状态：", RELEASE_STATUS_ZH.get(release["status"], release["status"]))
    word.labelled(doc, "涉及领域：", "、".join(domain_zh.get(d, d) for d in release["domains"]) or "—")
    window = data["window"]
    word.labelled(doc, "升级窗口：", f"{cn_when(window['start'])} 至 {cn_when(window['end'])}" if window else "未确定")

    word.heading(doc, "二、升级需求内容")
    reqs = data["requirements"]
    word.para(doc, f"本次升级交付需求{len(reqs)}项。")
    word.table(doc, ["序号", "需求编号", "需求名称", "领域", "提出区划", "验证结论"], [
        [str(n), r["code"], r["title"], domain_zh.get(r["domain"], r["domain"]), r["region"],
         VERDICT_ZH.get(r["verdict"], r["verdict"])] for n, r in enumerate(reqs, start=1)] or [["—"] * 6],
        [1.2, 3.4, 5.0, 2.0, 2.0, 2.0], nowrap=(1,))
    if data["removed"]:
        word.para(doc, "未纳入本次升级（已移出）：" + "、".join(f"{r['code']}（{r['title']}）" for r in data["removed"]))

    word.heading(doc, "三、问题修复情况")
    word.para(doc, "（一）缺陷类需求")
    if data["fixed_requirements"]:
        word.table(doc, ["序号", "需求编号", "问题描述", "验证结论"], [
            [str(n), r["code"], r["title"], VERDICT_ZH.get(r["verdict"], r["verdict"])]
            for n, r in enumerate(data["fixed_requirements"], start=1)], [1.2, 3.6, 7.8, 3.0], nowrap=(1,))
    else:
        word.para(doc, "无。")
    word.para(doc, "（二）验收测试中登记的缺陷")
    if data["defects"]:
        status_zh = {"passed": "已修复（复测通过）", "failed": "未修复", "blocked": "阻塞", "skipped": "未复测",
                     "untested": "未复测"}
        word.table(doc, ["序号", "缺陷编号", "场景", "处理结果"], [
            [str(n), d["defect"], d["scenario"], status_zh.get(d["final"], d["final"])]
            for n, d in enumerate(data["defects"], start=1)], [1.2, 3.0, 8.2, 3.2])
    else:
        word.para(doc, "无。")

    word.heading(doc, "四、操作手册更新")
    if data["manuals"]:
        word.table(doc, ["序号", "领域", "需求编号", "更新内容", "完成情况"], [
            [str(n), domain_zh.get(m["domain"], m["domain"]), m["code"], m["note"] or m["title"],
             f"已更新（{m['done_by'] or '—'}，{cn_when(m['done_at'])}）" if m["done"] else "待更新"]
            for n, m in enumerate(data["manuals"], start=1)], [1.2, 2.4, 3.4, 5.0, 3.6], nowrap=(2,))
        open_count = sum(1 for m in data["manuals"] if not m["done"])
        word.para(doc, f"共{len(data['manuals'])}项，待更新{open_count}项。")
    else:
        word.para(doc, "本次升级无需更新操作手册。")

    word.heading(doc, "五、各地升级情况")
    rollout = data["rollout"]
    if not rollout:
        word.para(doc, "尚无升级执行记录。")
    else:
        word.table(doc, ["序号", "区划", "升级状态", "开始时间", "完成时间", "说明"], [
            [str(n), t["region"], ROLLOUT_ZH.get(t["status"], t["status"]), cn_when(t["started_at"]),
             cn_when(t["finished_at"]), t["notes"] or "—"] for n, t in enumerate(rollout, start=1)],
            [1.2, 3.0, 2.2, 3.4, 3.4, 2.4])
        done = sum(1 for t in rollout if t["status"] == "done")
        word.para(doc, f"共{len(rollout)}个区划，已完成{done}个。")
    word.para(doc, "")
    word.para(doc, f"生成时间：{cn_when(data['generated_at'])}", indent=False)
    return io.BytesIO(word.to_bytes(doc))


def filename(release: Release) -> str:
    return f"{release.version}软件升级内容汇总报告.docx"

