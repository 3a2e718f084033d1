"""The upgrade application with its emergency plan (全省版本升级申请 / 应急预案) and the upgrade
announcement (升级公告) as .docx, in the official layout of app.services.documents.word.
Documents are Chinese whatever the reader's language."""
from __future__ import annotations

import io

from app.models import Release
from app.services.documents import word
from app.services.releases.application import SECTION_ZH, SECTIONS, AnnouncementView, Application
from app.services.releases.documents import VERDICT_ZH, cn_when

RESULT_ZH = {"passed": "验收通过", "failed": "验收不通过", "pending": "验收尚未完成"}
NUMBERS = "一二三四五六七八九十"


def _paragraphs(doc, text: str) -> None:
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    for line in lines or ["（未填写）"]:
        word.para(doc, line)


def application_title(release: Release) -> str:
    return f"关于{release.version}迭代版本升级的申请"


def application_docx(app: Application) -> io.BytesIO:
    from app.services import reference

    release = app.release
    domain_zh = reference.all_labels(english=False).get("domain", {})
    doc = word.new_document()
    word.title(doc, application_title(release))
    word.para(doc, "“数字财政”专班：", indent=False)
    word.para(doc, f"{release.version}迭代版本已在验收环境完成验收测试，现申请在生产环境进行版本升级，"
                   "升级申请及应急预案如下，请审批。")

    word.heading(doc, "一、版本基本情况")
    word.labelled(doc, "版本号：", release.version)
    word.labelled(doc, "版本名称：", release.name or "—")
    word.labelled(doc, "构建标识：", release.build or "—")
    word.labelled(doc, "涉及领域：", "、".join(domain_zh.get(d, d) for d in release.domains or []) or "—")

    word.heading(doc, "二、升级内容")
    reqs = app.requirements
    word.para(doc, f"本版本承载需求{len([r for r in reqs if not r['removed']])}项。")
    word.table(doc, ["序号", "需求编号", "需求名称", "验证结论"], [
        [str(n), r["code"], r["title"], VERDICT_ZH.get(r["verdict"], r["verdict"]) + ("（已移出）" if r["removed"] else "")]
        for n, r in enumerate(reqs, start=1)] or [["—", "—", "—", "—"]], [1.2, 3.6, 7.4, 3.4], nowrap=(1,))

    word.heading(doc, "三、验收结果")
    acceptance = app.acceptance
    word.labelled(doc, "验收结论：", RESULT_ZH.get(acceptance["result"], acceptance["result"]))
    if acceptance.get("accepted_at"):
        word.labelled(doc, "验收通过时间：", cn_when(acceptance["accepted_at"]))
    totals = acceptance.get("totals") or {}
    if totals:
        word.labelled(doc, "验收场景：", f"共{totals.get('total', 0)}个，通过{totals.get('passed', 0)}个，"
                                    f"不通过{totals.get('failed', 0)}个，有条件通过{totals.get('waived', 0)}个")
    word.labelled(doc, "验收报告：", f"《{release.version}迭代版本验收报告》（见附件）")

    word.heading(doc, "四、应急预案")
    for index, key in enumerate(SECTIONS):
        word.para(doc, f"（{NUMBERS[index]}）{SECTION_ZH[key]}")
        _paragraphs(doc, app.sections.get(key, ""))
    return io.BytesIO(word.to_bytes(doc))


def application_filename(release: Release) -> str:
    return f"{release.version}迭代版本升级申请.docx"


def announcement_docx(view: AnnouncementView) -> io.BytesIO:
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    doc = word.new_document()
    word.title(doc, view.title)
    lines = [line.strip() for line in view.body.splitlines() if line.strip()]
    for index, line in enumerate(lines):
        # the salutation (各市、县（区）财政局…：) stands at the margin, the rest indented
        word.para(doc, line, indent=not (index == 0 and line.endswith(("：", ":"))))
    word.para(doc, "")
    word.para(doc, "“数字财政”省运营中心", align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    when = view.published_at or view.updated_at
    if when is not None:
        from app.services.meetings.times import local

        word.para(doc, word.cn_date(local(when)), align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    return io.BytesIO(word.to_bytes(doc))


def announcement_filename(release: Release) -> str:
    return f"{release.version}迭代版本升级公告.docx"
