"""The task force's reports (月报, 半年报, 年报) and the ledger (台帐), as Word and Excel files.

Every figure comes from the one query layer (`stats.query`, `stats.activity`, `stats.releases`),
so a report's numbers equal the statistics page's for the same period and region. Parts that
after intake (service levels, the proposers' opinions, releases rolled out) come from
`stats.loop` in grouped queries. Documents are Chinese whatever the reader's language.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select

from app.extensions import db
from app.models import AgendaItem, Event, Meeting, Region, Release, Requirement, Run, RunScenario, User
from app.models.verification import ScenarioRequirement
from app.services import periods, permissions, reference, workflow
from app.services.calendar import WorkingCalendar
from app.services.documents import excel, word
from app.services.errors import Msg, NotFound, ValidationFailed
from app.services.periods import Period
from app.services.stats import activity, cases, loop, releases
from app.services.stats.query import counts, crosstab, labels, open_count, resolved, scoped_where
from app.utils import utcnow

DECISION_ZH = {"approved": "评审通过", "rejected": "评审不通过", "needs_info": "待补充", "deferred": "暂缓"}
RESULT_ZH = {"passed": "通过", "failed": "不通过", "blocked": "阻塞", "skipped": "跳过", "untested": "未执行"}
KIND_ZH = {"monthly": "月报", "half-year": "半年报", "annual": "年报"}


@dataclass
class Report:
    kind: str  # monthly, half-year, annual
    period: Period
    region: Region
    title: str
    period_text: str
    summary: list[tuple[str, int]] = field(default_factory=list)
    region_domain: Any = None  # CrossTab
    region_labels: dict[str, str] = field(default_factory=dict)
    domain_labels: dict[str, str] = field(default_factory=dict)
    months: list[tuple[str, int, int]] = field(default_factory=list)  # month, new, resolved
    meetings: list[activity.MeetingOutcomes] = field(default_factory=list)
    releases: list[releases.ReleaseFigures] = field(default_factory=list)
    cases: list[Any] = field(default_factory=list)  # NotableCase
    service_levels: list[loop.ClockFigures] = field(default_factory=list)
    opinion_count: int = 0
    opinions: list[loop.Opinion] = field(default_factory=list)
    rollouts: list[loop.RolloutFigures] = field(default_factory=list)
    # half-year and annual: month, {clock: figures}, opinions, rollout targets done
    loop_months: list[tuple[str, dict[str, loop.ClockFigures], int, int]] = field(default_factory=list)

    @property
    def filename(self) -> str:
        return f"{self.title}"

    @property
    def ascii_name(self) -> str:
        return f"report-{self.kind}-{self.period.start.isoformat()}-{self.region.code}"


def report_region(user: User, code: str | None) -> Region:
    """The region a report covers: the reader's own unless a region within it is named."""
    if not code:
        return user.region
    region = reference.region_by_code(code)
    if region is None:
        raise ValidationFailed.field("region", Msg("Unknown region '%(code)s'.", code=code))
    if not permissions.region_in_scope(user, region):
        raise NotFound(Msg("Region '%(code)s' not found.", code=code))
    return region


def build(user: User, kind: str, period: Period, region_code: str | None = None) -> Report:
    permissions.require(user, "view")
    region = report_region(user, region_code)
    filters = {"region": region.code, "date_from": period.start, "date_to": period.end}
    if kind == "monthly":
        period_text = f"{period.start.year}年{period.start.month}月"
    elif kind == "half-year":
        period_text = f"{period.start.year}年{'上' if period.start.month == 1 else '下'}半年"
    else:
        period_text = f"{period.start.year}年"
    title = f"{region.name}数字财政需求管理{KIND_ZH[kind]}（{period_text}）"
    new_total = counts(user, ["status"], filters).total
    resolved_total = resolved(user, filters, period)[""]
    in_scope_filters = {"region": region.code}
    report = Report(kind=kind, period=period, region=region, title=title, period_text=period_text)
    report.summary = [
        ("本期新增需求", new_total),
        ("本期办结需求", resolved_total),
        ("当前在办需求", open_count(user, in_scope_filters, activity.DONE)),
        ("当前逾期需求", activity.overdue_counts(user, in_scope_filters)["overdue"]),
    ]
    by_region_domain = counts(user, ["region", "domain"], filters)
    report.region_domain = crosstab(by_region_domain)
    report.region_labels = labels("region", by_region_domain.anchor)
    report.domain_labels = labels("domain")
    new_by_month = counts(user, ["month"], filters).by_key()
    resolved_by_month = resolved(user, filters, period, by_month=True)
    report.months = [(m, new_by_month.get((m,), 0), resolved_by_month.get(m, 0)) for m in period.months()]
    report.meetings = activity.review_outcomes(user, {"region": region.code}, period)
    report.releases = releases.pass_rates(user, period)
    report.cases = cases.in_period(user, {"region": region.code}, period)
    now = utcnow()
    report.service_levels = loop.clock_rows(loop.service_levels(user, region, period, now).get("", {}))
    report.opinion_count, report.opinions = loop.opinions(user, region, period)
    report.rollouts = loop.rolled_out(region, period)
    if kind != "monthly":
        sla_months = loop.service_levels(user, region, period, now, by_month=True)
        opinion_months = loop.opinions_by_month(region, period)
        done_months = loop.targets_done_by_month(region, period)
        report.loop_months = [(m, sla_months.get(m, {}), opinion_months.get(m, 0), done_months.get(m, 0))
                              for m in period.months()]
    return report


def month_label(key: str) -> str:
    year, month = key.split("-")
    return f"{int(year)}年{int(month)}月"


def _region_domain_rows(report: Report) -> tuple[list[str], list[list[Any]]]:
    tab = report.region_domain
    header = ["地区"] + [report.domain_labels.get(c, c) for c in tab.col_keys] + ["合计"]
    rows = [[report.region_labels.get(r, r)] + [tab.cells.get((r, c), 0) for c in tab.col_keys] + [tab.row_totals[r]]
            for r in tab.row_keys]
    rows.append(["合计"] + [tab.col_totals[c] for c in tab.col_keys] + [tab.total])
    return header, rows


def _meeting_rows(report: Report) -> tuple[list[str], list[list[Any]]]:
    header = ["会议", "日期"] + list(DECISION_ZH.values()) + ["合计"]
    rows = [[m.title, m.held_on] + [m.counts.get(d, 0) for d in DECISION_ZH] + [m.total] for m in report.meetings]
    return header, rows


def _release_rows(report: Report) -> tuple[list[str], list[list[Any]]]:
    header = ["版本", "名称", "验证场景数", "通过", "不通过", "通过率（%）"]
    rows = [[f.version, f.name, f.total, f.passed, f.failed, f.pass_rate] for f in report.releases]
    return header, rows


def _rollout_rows(report: Report) -> tuple[list[str], list[list[Any]]]:
    header = (["版本", "名称", "版本状态", "完成日期", "本期完成升级地区数"]
              + list(loop.TARGET_ZH.values()) + ["升级地区合计"])
    rows = [[f.version, f.name, "已完成" if f.status == "completed" else "上线中",
             periods.local_date(f.completed_at).isoformat() if f.completed_at else "", f.done_in_period]
            + [f.counts.get(s, 0) for s in loop.TARGET_ZH] + [f.targets] for f in report.rollouts]
    return header, rows


def _service_level_rows(report: Report) -> tuple[list[str], list[list[Any]]]:
    header = ["时限", "按时完成", "超时", "临近超时", "计时中", "合计", "达标率（%）"]
    rows = [[loop.CLOCK_ZH[f.clock], f.met, f.breached, f.at_risk, f.counts.get("running", 0), f.total,
             loop.percent(f.compliance)] for f in report.service_levels]
    return header, rows


def _opinion_rows(report: Report) -> tuple[list[str], list[list[Any]]]:
    header = ["记录日期", "需求编号", "需求名称", "地区", "不满意原因"]
    rows = [[periods.local_date(o.recorded_at).isoformat(), o.code, o.title, o.region, o.reason]
            for o in report.opinions]
    if report.opinion_count > len(rows):
        rows.append(["", "", f"另有{report.opinion_count - len(rows)}条未列出", "", ""])
    return header, rows


def _loop_month_rows(report: Report) -> tuple[list[str], list[list[Any]]]:
    from app.services.sla.clocks import CLOCKS

    header = (["月份"] + [f"{loop.CLOCK_ZH[c]}达标率（%）" for c in CLOCKS] + ["超时合计", "不满意意见", "完成升级地区数"])
    rows = []
    for month, clocks, opinion_n, done_n in report.loop_months:
        figures = loop.clock_rows(clocks)
        rows.append([month_label(month)] + [loop.percent(f.compliance) for f in figures]
                    + [sum(f.breached for f in figures), opinion_n, done_n])
    return header, rows


def sections(report: Report) -> list[tuple[str, list[str], list[list[Any]]]]:
    """The report's parts in order, as (heading, header, rows): the .docx and .xlsx both."""
    parts = [("总体情况", ["指标", "数量"], [[label, n] for label, n in report.summary])]
    parts.append(("分地区分领域需求", *_region_domain_rows(report)))
    parts.append(("分月情况", ["月份", "新增", "办结"], [[month_label(m), n, r] for m, n, r in report.months]))
    parts.append(("需求评审会", *_meeting_rows(report)))
    parts.append(("版本验证", *_release_rows(report)))
    parts.append(("版本上线", *_rollout_rows(report)))
    parts.append(("服务水平", *_service_level_rows(report)))
    if report.kind != "monthly":
        parts.append(("分月服务水平与意见", *_loop_month_rows(report)))
    parts.append(("典型案例", ["需求编号", "需求名称", "地区", "案例说明"],
                  [[c.requirement.code, c.requirement.title, c.requirement.region.name, c.write_up]
                   for c in report.cases]))
    parts.append(("用户意见", *_opinion_rows(report)))
    return parts


CN_NUMBERS = "一二三四五六七八九十"


def service_level_sentence(report: Report) -> str:
    """按时限的达标率一句话（达标率 = 按时完成 ÷（按时完成 + 超时））。"""
    parts = []
    for f in report.service_levels:
        rate = f"达标率{f.compliance}%" if f.compliance is not None else "暂无已完成计时"
        parts.append(f"{loop.CLOCK_ZH[f.clock]}时限{rate}（按时{f.met}项、超时{f.breached}项、临近超时{f.at_risk}项）")
    return "；".join(parts) + "。"


def report_docx(report: Report) -> bytes:
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    doc = word.new_document()
    word.title(doc, report.title)
    word.para(doc, f"统计期间：{word.cn_date(report.period.start)}至{word.cn_date(report.period.end)}",
              align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    for index, (heading, header, rows) in enumerate(sections(report)):
        word.heading(doc, f"{CN_NUMBERS[index]}、{heading}")
        if index == 0:
            word.para(doc, "；".join(f"{label}{n}项" for label, n in report.summary) + "。")
        elif heading == "服务水平":
            word.para(doc, service_level_sentence(report))
        elif heading == "用户意见" and report.opinion_count:
            word.para(doc, f"本期记录提出人不满意意见{report.opinion_count}条。")
        if rows:
            word.table(doc, header, [[str(v) for v in row] for row in rows])
        else:
            word.para(doc, "本期无。")
    word.para(doc, "")
    word.para(doc, word.finance_bureau(report.region), align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    word.para(doc, word.cn_date(periods.local_today()), align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    return word.to_bytes(doc)


def report_xlsx(report: Report) -> bytes:
    workbook = excel.new_workbook()
    notes = [("报表", report.title), ("统计期间", f"{report.period.start.isoformat()} 至 {report.period.end.isoformat()}"),
             ("地区", f"{report.region.name}（{report.region.code}）")]
    for heading, header, rows in sections(report):
        excel.add_sheet(workbook, heading, header, rows, notes=notes)
    return excel.to_bytes(workbook)


# --- the ledger (台帐) ------------------------------------------------------------------

LEDGER_STAGES = (
    ("assessing", "开始评估"),
    ("awaiting_review", "提交评审"),
    ("decided", "评审结论"),
    ("scheduled", "纳入迭代"),
    ("in_verification", "开始验证"),
    ("verified", "验证通过"),
    ("released", "发布上线"),
    ("confirmed", "提出人确认"),
    ("closed", "关闭"),
)
LEDGER_HEADER = (
    ["需求编号", "需求名称", "地区", "业务领域", "需求类型", "来源渠道", "紧急程度", "当前状态", "提出人", "提出单位",
     "登记日期"]
    + [f"{label}日期" for _, label in LEDGER_STAGES]
    + [f"{LEDGER_STAGES[i][1]}用时（工作日）" for i in range(len(LEDGER_STAGES))]
    + ["评审会", "评审结论", "验证版本", "验证结果"]
)


def ledger_rows(user: User, filters: dict[str, Any], progress=None) -> list[list[Any]]:
    """One row per requirement in scope matching the list's filters, oldest first;
    `progress(done, total)` is called before the first row and after each one."""
    where = scoped_where(user, filters)
    reqs = list(db.session.scalars(select(Requirement).where(where).order_by(Requirement.created_at, Requirement.id)))
    ids = select(Requirement.id).where(where).scalar_subquery()
    stage_at: dict[int, dict[str, Any]] = defaultdict(dict)
    events = db.session.execute(
        select(Event.requirement_id, Event.at, Event.data).where(Event.kind == "transition", Event.requirement_id.in_(ids))
        .order_by(Event.id))
    for req_id, at, data in events:
        to = (data or {}).get("to")
        key = "decided" if to in DECISION_ZH else to
        stage_at[req_id].setdefault(key, at)
    decisions: dict[int, tuple[str, str]] = {}
    for req_id, title, decision in db.session.execute(
            select(AgendaItem.requirement_id, Meeting.title, AgendaItem.decision)
            .join(Meeting, Meeting.id == AgendaItem.meeting_id)
            .where(AgendaItem.requirement_id.in_(ids), AgendaItem.decision.is_not(None))
            .order_by(AgendaItem.decided_at, AgendaItem.id)):
        decisions[req_id] = (title, DECISION_ZH.get(decision, decision))
    verdicts: dict[int, tuple[str, str]] = {}
    for req_id, version, status in db.session.execute(
            select(ScenarioRequirement.requirement_id, Release.version, RunScenario.status)
            .join(RunScenario, RunScenario.scenario_id == ScenarioRequirement.scenario_id)
            .join(Run, Run.id == RunScenario.run_id).join(Release, Release.id == Run.release_id)
            .where(ScenarioRequirement.requirement_id.in_(ids), permissions.run_clause(user))
            .order_by(Run.id)):
        verdicts[req_id] = (version, RESULT_ZH.get(status, status))
    all_labels = reference.all_labels()
    working = WorkingCalendar.load()
    rows = []
    total = len(reqs)
    if progress:
        progress(0, total)
    for req in reqs:
        filed = periods.local_date(req.created_at)
        dates = [periods.local_date(stage_at[req.id][key]) if key in stage_at[req.id] else None
                 for key, _ in LEDGER_STAGES]
        spans, previous = [], filed
        for day in dates:
            spans.append(working.working_days(previous, day) if day else None)
            previous = day or previous
        meeting, decision = decisions.get(req.id, ("", ""))
        version, verdict = verdicts.get(req.id, ("", ""))
        rows.append(
            [req.code, req.title, req.region.name, all_labels["domain"].get(req.domain, req.domain),
             all_labels["type"].get(req.type, req.type), all_labels["channel"].get(req.channel, req.channel),
             all_labels["priority"].get(req.priority, req.priority), str(workflow.label(req.status)),
             req.proposer_name, req.proposer_unit, filed.isoformat()]
            + [d.isoformat() if d else "" for d in dates]
            + [s if s is not None else "" for s in spans]
            + [meeting, decision, version, verdict]
        )
        if progress:
            progress(len(rows), total)
    return rows


def filter_notes(filters: dict[str, Any]) -> list[tuple[str, str]]:
    """The filters a sheet was made with, in words (written above its table)."""
    all_labels = reference.all_labels()
    notes = []
    names = {"status": "状态", "domain": "业务领域", "type": "需求类型", "channel": "来源渠道", "priority": "紧急程度"}
    for key, name in names.items():
        if filters.get(key):
            values = filters[key]
            text = "、".join(str(workflow.label(v)) if key == "status" else all_labels[key].get(v, v) for v in values)
            notes.append((name, text))
    if filters.get("region"):
        region = reference.region_by_code(filters["region"])
        notes.append(("地区", f"{region.name}（{region.code}）" if region else filters["region"]))
    if filters.get("date_from") or filters.get("date_to"):
        start = filters.get("date_from")
        end = filters.get("date_to")
        notes.append(("登记日期", f"{start.isoformat() if start else '…'} 至 {end.isoformat() if end else '…'}"))
    return notes


def ledger_xlsx(user: User, filters: dict[str, Any], progress=None) -> bytes:
    permissions.require(user, "view")
    workbook = excel.new_workbook()
    notes = [("报表", "需求台帐"), ("导出日期", periods.local_today().isoformat()),
             ("读者地区", f"{user.region.name}（{user.region.code}）")] + filter_notes(filters)
    notes.append(("说明", "用时按工作日计（国家法定节假日及调休安排，含管理员维护的补充日历）"))
    excel.add_sheet(workbook, "需求台帐", LEDGER_HEADER, ledger_rows(user, filters, progress), notes=notes)
    return excel.to_bytes(workbook)


MEASURE_NAMES_ZH = {"requirements": "需求数", "proposers": "提出方数（提出需求的单位，合并的需求每个单位各计一次）"}


def stats_xlsx(user: User, by: list[str], filters: dict[str, Any], dimension_names: dict[str, str],
               measure: str = "requirements") -> bytes:
    """The statistics page's cross-tab as a sheet, with its filters written above it."""
    permissions.require(user, "view")
    result = counts(user, by, filters, measure=measure)
    tab = crosstab(result)
    row_labels = labels(tab.row_dim, result.anchor)
    workbook = excel.new_workbook()
    notes = [("报表", "需求统计"), ("导出日期", periods.local_today().isoformat()),
             ("读者地区", f"{user.region.name}（{user.region.code}）"),
             ("统计口径", " × ".join(dimension_names[d] for d in by)),
             ("统计对象", MEASURE_NAMES_ZH[measure])] + filter_notes(filters)
    if tab.col_dim:
        col_labels = labels(tab.col_dim, result.anchor)
        header = [dimension_names[tab.row_dim]] + [col_labels.get(c, c) for c in tab.col_keys] + ["合计"]
        rows = [[row_labels.get(r, r)] + [tab.cells.get((r, c), 0) for c in tab.col_keys] + [tab.row_totals[r]]
                for r in tab.row_keys]
        rows.append(["合计"] + [tab.col_totals[c] for c in tab.col_keys] + [tab.total])
    else:
        header = [dimension_names[tab.row_dim], "数量"]
        rows = [[row_labels.get(r, r), tab.row_totals[r]] for r in tab.row_keys] + [["合计", tab.total]]
    excel.add_sheet(workbook, "需求统计", header, rows, notes=notes, autofilter=False)
    return excel.to_bytes(workbook)


def period_for(kind: str, args: dict[str, Any]) -> Period:
    if kind == "monthly":
        return periods.month_key_period(args["month"])
    if kind == "half-year":
        return periods.half_year_period(args["year"], args["half"])
    return periods.year_period(args["year"])


def default_month(today: date | None = None) -> str:
    today = today or periods.local_today()
    return f"{today.year:04d}-{today.month:02d}"
