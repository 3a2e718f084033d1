"""A release's office files: the acceptance report (验收报告, .docx in the official layout of
app.services.documents.word) and the problem list fed back to the provincial operations centre
(问题反馈清单, .xlsx via app.services.documents.excel). Documents are Chinese whatever the
reader's language; the report is made from `report.build`'s data (frozen once accepted)."""
from __future__ import annotations

import io
from typing import Any

from app.models import Release
from app.services.documents import excel, word
from app.services.releases.lifecycle import STATUS_LABELS

VERDICT_ZH = {"passed": "通过", "failed": "不通过", "untested": "未完成验证", "no_scenario": "无验收场景"}
STATUS_ZH = {"passed": "通过", "failed": "不通过", "blocked": "阻塞", "skipped": "跳过", "untested": "未执行"}
KIND_ZH = {"function": "功能验证", "process": "流程验证", "system_control": "系统控制验证"}
ROLE_ZH = {"manager": "需求管理人员", "reviewer": "省厅需求团队", "taskforce": "“数字财政”专班", "engineer": "驻场运维工程师"}
ENV_ZH = {"acceptance": "验收环境", "pre_release": "预发布环境", "production": "生产环境"}


def cn_when(iso: str | None) -> str:
    """An ISO timestamp of the report as a Chinese date and local time."""
    if not iso:
        return "—"
    from datetime import datetime

    from app.services.meetings.times import local

    at = local(datetime.fromisoformat(iso))
    return f"{word.cn_date(at)} {at:%H:%M}"


def report_title(data: dict[str, Any]) -> str:
    return f"{data['release']['version']}迭代版本验收报告"


def counts_text(counts: dict[str, int]) -> list[str]:
    return [str(counts.get(k, 0)) for k in ("total", "passed", "failed", "blocked", "untested", "waived")]


def report_docx(data: dict[str, Any]) -> io.BytesIO:
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    from app.services import reference

    domain_zh = reference.all_labels(english=False).get("domain", {})
    doc = word.new_document()
    word.title(doc, report_title(data))
    if not data.get("frozen_at"):
        word.para(doc, "（验收未通过签署，本报告为当前情况）", align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    release = data["release"]
    word.heading(doc, "一、版本基本情况")
    word.labelled(doc, "版本号：", release["version"])
    word.labelled(doc, "版本名称：", release["name"] or "—")
    word.labelled(doc, "构建标识：", release["build"] or "—")
    word.labelled(doc, "计划日期：", release["planned_date"] or "—")
    word.labelled(doc, "涉及领域：", "、".join(domain_zh.get(d, d) for d in release["domains"]) or "—")

    word.heading(doc, "二、验收范围")
    reqs = data["requirements"]
    word.para(doc, f"本版本承载需求{len([r for r in reqs if not r['removed']])}项。")
    word.table(doc, ["序号", "需求编号", "需求名称", "验证结论"], [
        [str(n), r["code"], r["title"], VERDICT_ZH.get(r["verdict"], r["verdict"]) + ("（已移出）" if r["removed"] else "")]
        for n, r in enumerate(reqs, start=1)] or [["—", "—", "—", "—"]], [1.2, 3.6, 7.4, 3.4], nowrap=(1,))

    word.heading(doc, "三、验收测试执行情况")
    word.table(doc, ["执行", "环境", "区划", "执行人", "开始时间", "场景数"], [
        [f"#{r['id']}", ENV_ZH.get(r["environment"], r["environment"]), r["region"] or "全省", r["created_by"],
         cn_when(r["created_at"]), str(r["scenario_count"])] for r in data["runs"]] or [["—"] * 6],
        [1.4, 2.4, 2.4, 2.4, 4.6, 2.4])

    header = ["分类", "场景数", "通过", "不通过", "阻塞", "未执行", "有条件通过"]
    widths = [3.6, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0]
    word.heading(doc, "四、验证结果统计")
    word.para(doc, "（一）按领域")
    word.table(doc, header, [[domain_zh.get(d, d), *counts_text(c)] for d, c in data["domains"].items()]
               + [["合计", *counts_text(data["totals"])]], widths)
    word.para(doc, "（二）按验证类型")
    word.table(doc, header, [[KIND_ZH[k], *counts_text(c)] for k, c in data["kinds"].items()], widths)

    word.heading(doc, "五、问题及缺陷")
    if data["failures"]:
        word.table(doc, ["序号", "场景", "结果", "失败步骤", "缺陷编号"], [
            [str(n), f["name"], STATUS_ZH.get(f["status"], f["status"]) + ("（有条件通过）" if f["waived"] else ""),
             f["failing_step"] or "—", f["defect"] or "—"]
            for n, f in enumerate(data["failures"], start=1)], [1.2, 5.0, 2.6, 4.4, 2.4])
    else:
        word.para(doc, "无。")

    word.heading(doc, "六、有条件通过")
    if data["waivers"]:
        word.table(doc, ["序号", "场景", "理由", "确认人"], [
            [str(n), w["scenario"], w["reason"], w["by"]] for n, w in enumerate(data["waivers"], start=1)],
            [1.2, 5.0, 6.6, 2.8])
    else:
        word.para(doc, "无。")

    word.heading(doc, "七、验收签署")
    if data["signoffs"]:
        word.table(doc, ["角色", "签署人", "意见", "说明", "时间"], [
            [ROLE_ZH.get(s["role"], s["role"]), s["user"], "同意" if s["decision"] == "approve" else "不同意",
             s["comment"] or "—", cn_when(s["at"])] for s in data["signoffs"]], [3.2, 2.4, 1.8, 4.0, 4.2])
    else:
        word.para(doc, "尚未签署。")
    word.para(doc, "")
    word.para(doc, f"验收结论：{'验收通过' if data.get('frozen_at') else '尚未通过验收'}", indent=False)
    buffer = io.BytesIO(word.to_bytes(doc))
    return buffer


def report_filename(release: Release) -> str:
    return f"{release.version}迭代版本验收报告.docx"


def problems_xlsx(release: Release, problems) -> io.BytesIO:
    workbook = excel.new_workbook()
    excel.add_sheet(
        workbook, "问题反馈清单",
        ["序号", "执行", "功能文件", "场景", "结果", "第几次执行", "失败步骤", "错误信息", "缺陷编号", "证据",
         "有条件通过", "已反馈省运营中心"],
        [[n, f"#{p.run_id}", p.feature_path, p.name, STATUS_ZH.get(p.status, p.status), p.attempt,
          p.failing_step or "", p.error or "", p.defect or "", "\n".join(e["url"] for e in p.evidence),
          "是" if p.waived else "否", "是" if p.fed_back else "否"]
         for n, p in enumerate(problems, start=1)],
        notes=[("版本", release.version), ("状态", str(STATUS_LABELS.get(release.status, release.status))),
               ("构建", release.build or "—")],
    )
    return io.BytesIO(excel.to_bytes(workbook))


def problems_filename(release: Release) -> str:
    return f"{release.version}问题反馈清单.xlsx"
