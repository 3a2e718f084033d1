"""The task force's desk: dashboard, statistics cross-tab, reports and ledger downloads.

Every figure comes from app.services.stats (the one query layer behind the API and the
reports); this module only turns figures into charts, tables and links to the list behind them.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from flask import Response, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from htmx_flask import request
from jinja2_fragments.flask import render_block

from app.schemas.stats import (
    HalfYearQuerySchema,
    MonthQuerySchema,
    NotableCaseInSchema,
    StatsFilterSchema,
    YearQuerySchema,
)
from app.services import exports, periods, permissions, reference, requirements
from app.services.documents import excel
from app.services.errors import ValidationFailed
from app.services.sla.clocks import CLOCKS
from app.services.timeline import CLOCK_LABELS
from app.services.stats import activity, cases, counts, crosstab, filter_args, leadtime, loop, releases, reports
from app.services.stats.query import anchor_region, labels
from app.web import bp
from app.web.helpers import FormSubmission, display_labels, load_query

DIMENSION_LABELS = {
    "region": _l("Region"),
    "domain": _l("Domain"),
    "type": _l("Type"),
    "channel": _l("Channel"),
    "status": _l("Status"),
    "priority": _l("Priority"),
    "month": _l("Month"),
}
MEASURE_LABELS = {"requirements": _l("Requirements (each counted once)"),
                  "proposers": _l("Proposers (units that raised them)")}
DIMENSION_NAMES_ZH = {"region": "地区", "domain": "业务领域", "type": "需求类型", "channel": "来源渠道",
                      "status": "状态", "priority": "紧急程度", "month": "月份"}
DECISION_LABELS = {"approved": _l("Approved"), "rejected": _l("Rejected"), "needs_info": _l("Needs information"),
                   "deferred": _l("Deferred")}


# the query parameters of the figures' filters (the list's, as the URL spells them)
FILTER_PARAMS = ("status", "domain", "type", "channel", "priority", "region", "from", "to")


@dataclass
class Series:
    name: str
    values: list[float]
    links: list[str | None]


@dataclass
class Chart:
    """One chart and its table view: categories on one axis, one or more series of values;
    each value links to the items behind it."""

    id: str
    title: str
    kind: str  # bar, stacked, line
    categories: list[str]
    series: list[Series]
    unit: str = ""
    note: str = ""
    category_links: list[str | None] = field(default_factory=list)

    def as_option(self) -> dict[str, Any]:
        return {"kind": self.kind, "categories": self.categories, "unit": self.unit,
                "series": [{"name": s.name, "values": s.values, "links": s.links} for s in self.series]}


def _load_filters() -> tuple[dict[str, Any], dict[str, str], dict[str, list[str]]]:
    args, raw, errors = load_query(StatsFilterSchema())
    raw = {k: v for k, v in raw.items() if k in FILTER_PARAMS}
    if args.get("region") and reference.region_by_code(args["region"]) is None:
        errors["region"] = [_("Unknown region '%(code)s'.", code=args["region"])]
        args.pop("region")
        raw.pop("region", None)
    for key in ("from", "to"):
        if key in errors:
            raw.pop(key, None)
    return args, raw, errors


def _list_url(raw: dict[str, str], dimension: str | None = None, key: str | None = None, **extra) -> str:
    return url_for("web.requirement_list", **filter_args(raw, dimension, key), **extra)


def _one_dimension_chart(chart_id: str, title: str, dimension: str, args, raw, kind="bar") -> Chart:
    result = counts(g.user, [dimension], args)
    names = labels(dimension, result.anchor, english=_english())
    keys = [row[dimension] for row in result.rows]
    links = [_list_url(raw, dimension, k) for k in keys]
    return Chart(chart_id, title, kind, [names.get(k, k) for k in keys],
                 [Series(str(_("Requirements")), [row["count"] for row in result.rows], links)],
                 category_links=links)


def _english() -> bool:
    from flask_babel import get_locale

    return not str(get_locale()).startswith("zh")


def _intake_chart(args, raw) -> Chart:
    result = counts(g.user, ["month", "channel"], args)
    tab = crosstab(result)
    names = labels("channel", english=_english())
    series = [Series(names.get(c, c), [tab.cells.get((m, c), 0) for m in tab.row_keys],
                     [_list_url({**filter_args(raw, "month", m)}, "channel", c) for m in tab.row_keys])
              for c in tab.col_keys]
    return Chart("intake", str(_("Intake per month by channel")), "stacked", tab.row_keys, series,
                 category_links=[_list_url(raw, "month", m) for m in tab.row_keys])


def _period(args) -> periods.Period | None:
    if args.get("date_from") or args.get("date_to"):
        from datetime import date

        return periods.Period(args.get("date_from") or date(2000, 1, 1), args.get("date_to") or date(2100, 12, 31))
    return None


def _compliance_chart(args, raw) -> Chart | None:
    """Service-level compliance per month and clock (met over met + breached) for the clocks
    started in the period; a month links to the requirements filed in it whose clock is breached."""
    by_month = loop.service_levels(g.user, anchor_region(g.user, args), leadtime.default_period(args),
                                   by_month=True, filters=args)
    months = sorted(by_month)
    if not months:
        return None
    series = [Series(str(CLOCK_LABELS.get(clock, clock)), [by_month[m].get(clock, loop.ClockFigures(clock)).compliance for m in months],
                     [_list_url(raw, "month", m, sla="breached") for m in months])
              for clock in CLOCKS]
    return Chart("sla_compliance", str(_("Service-level compliance per month")), "line", months, series, unit="%",
                 note=str(_("Clocks met on time over clocks decided (met or breached), by the month the clock "
                            "started; a month links to its requirements with a breached clock.")),
                 category_links=[_list_url(raw, "month", m, sla="breached") for m in months])


def dashboard_charts(args, raw) -> list[Chart]:
    charts = [
        _one_dimension_chart("status", str(_("Requirements by status")), "status", args, raw),
        _one_dimension_chart("domain", str(_("Requirements by domain")), "domain", args, raw),
        _one_dimension_chart("region", str(_("Requirements by region")), "region", args, raw),
        _intake_chart(args, raw),
    ]
    lead = leadtime.lead_times(g.user, args, leadtime.default_period(args))
    if lead.count:
        note = str(_("Working days on the official calendar (public holidays and make-up days) from filing to "
                     "release, for the requirements released in the period (by default the last twelve months)."))
        charts.append(Chart("lead_time", str(_("Lead time from intake to release")), "bar",
                            [label for label, _n in lead.distribution],
                            [Series(str(_("Requirements")), [n for _label, n in lead.distribution],
                                    [None] * len(lead.distribution))], note=note))
        charts.append(Chart("lead_time_trend", str(_("Median lead time per month of release")), "line",
                            [m for m, _median, _n in lead.monthly],
                            [Series(str(_("Median working days")), [median for _m, median, _n in lead.monthly],
                                    [None] * len(lead.monthly))], note=note))
    outcomes = activity.review_outcomes(g.user, args, _period(args), limit=12)
    if outcomes:
        charts.append(Chart(
            "outcomes", str(_("Review outcomes per meeting")), "stacked",
            [f"{m.held_on} {m.title}" for m in outcomes],
            [Series(str(DECISION_LABELS[d]), [m.counts.get(d, 0) for m in outcomes],
                    [url_for("web.meeting_detail", meeting_id=m.meeting_id) for m in outcomes])
             for d in activity.DECISIONS],
            category_links=[url_for("web.meeting_detail", meeting_id=m.meeting_id) for m in outcomes]))
    compliance = _compliance_chart(args, raw)
    if compliance is not None:
        charts.append(compliance)
    rates = releases.pass_rates(g.user, _period(args), limit=12)
    if rates:
        links = [url_for("web.release_detail", release_id=f.release_id) for f in rates]
        charts.append(Chart("pass_rate", str(_("Verification pass rate per release")), "bar",
                            [f.version for f in rates], [Series(str(_("Pass rate")), [f.pass_rate for f in rates], links)],
                            unit="%", note=str(_("Passed scenarios over all scenarios of the release's runs, "
                                                 "latest attempt of each.")), category_links=links))
    return charts


@bp.route("/dashboard")
def dashboard():
    permissions.require(g.user, "view")
    args, raw, errors = _load_filters()
    return render_template(
        "taskforce/dashboard.html", charts=dashboard_charts(args, raw), filters=raw, errors=errors,
        overdue=activity.overdue_counts(g.user, args), at_risk_days=activity.AT_RISK_DAYS,
        overdue_links={key: url_for("web.requirement_list", **{**filter_args(raw), **extra, "sort": "due"})
                       for key, extra in activity.overdue_filters(args.get("status")).items()},
        anchor=anchor_region(g.user, args), **_filter_context())


def _filter_context() -> dict[str, Any]:
    return {
        "lookups": {kind: reference.lookups(kind) for kind in ("domain", "type", "channel", "priority")},
        "regions": reference.regions(g.user.region),
        "labels": display_labels(),
    }


def _dimensions(values: list[str]) -> list[str]:
    """The statistics page's dimensions (rows, then columns): `by=region,domain` or `by=region&by=domain`;
    bad names ignored."""
    names = [d for value in values for d in value.split(",") if d in DIMENSION_LABELS]
    return list(dict.fromkeys(names))[:2] or ["region", "status"]


def _measure() -> str:
    """What the statistics page counts (`measure=`): requirements unless proposers are asked for."""
    measure = request.args.get("measure", "")
    return measure if measure in MEASURE_LABELS else "requirements"


@bp.route("/stats")
def stats_page():
    permissions.require(g.user, "view")
    args, raw, errors = _load_filters()
    by = _dimensions(request.args.getlist("by"))
    measure = _measure()
    result = counts(g.user, by, args, measure=measure)
    tab = crosstab(result)
    english = _english()
    row_labels = labels(tab.row_dim, result.anchor, english=english)
    col_labels = labels(tab.col_dim, result.anchor, english=english) if tab.col_dim else {}

    def cell_url(r: str, c: str | None = None) -> str:
        base = filter_args(raw, tab.row_dim, r)
        if c is not None and tab.col_dim:
            base = filter_args(base, tab.col_dim, c)
        return url_for("web.requirement_list", **base)

    drill = None
    if tab.row_dim == "region" or tab.col_dim == "region":
        drill = lambda code: url_for("web.stats_page", **{**raw, "by": ",".join(by), "region": code,  # noqa: E731
                                                          "measure": measure})
    return render_template(
        "taskforce/stats.html", tab=tab, by=by, filters=raw, errors=errors, row_labels=row_labels,
        col_labels=col_labels, cell_url=cell_url, filter_args=filter_args, dimension_labels=DIMENSION_LABELS, drill=drill,
        anchor=result.anchor, measure=measure, measure_labels=MEASURE_LABELS, **_filter_context())


def _download(body: bytes, mimetype: str, filename: str, ascii_name: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}")
    return response


@bp.route("/stats.xlsx")
def stats_xlsx():
    args, _raw, _errors = _load_filters()
    by = _dimensions(request.args.getlist("by"))
    body = reports.stats_xlsx(g.user, by, args, DIMENSION_NAMES_ZH, measure=_measure())
    return _download(body, excel.XLSX_MIMETYPE, "需求统计.xlsx", "statistics.xlsx")


@bp.route("/ledger.xlsx")
def ledger_xlsx():
    args, _raw, _errors = _load_filters()
    exports.check_sync_size(g.user, args)  # a larger ledger: the background export (POST /exports)
    return _download(reports.ledger_xlsx(g.user, args), excel.XLSX_MIMETYPE, "需求台帐.xlsx", "ledger.xlsx")


REPORT_SCHEMAS = {"monthly": MonthQuerySchema, "half-year": HalfYearQuerySchema, "annual": YearQuerySchema}


@bp.route("/reports")
def reports_page():
    permissions.require(g.user, "view")
    today = periods.local_today()
    return render_template("taskforce/reports.html", month=reports.default_month(today), year=today.year,
                           half=1 if today.month <= 6 else 2, regions=reference.regions(g.user.region),
                           recent_exports=exports.recent(g.user, 5))


@bp.route("/reports/<kind>.<fmt>")
def report_download(kind: str, fmt: str):
    from flask import abort
    from marshmallow import ValidationError

    if kind not in REPORT_SCHEMAS or fmt not in ("docx", "xlsx"):
        abort(404)
    raw = {k: v for k, v in request.args.items() if v != ""}
    try:
        args = REPORT_SCHEMAS[kind]().load(raw, unknown="exclude")
    except ValidationError as error:
        from app.schemas.common import flatten_errors

        errors = flatten_errors(error.messages)
        field_name = next(iter(errors))
        raise ValidationFailed(errors[field_name][0], errors) from None
    report = reports.build(g.user, kind, reports.period_for(kind, args), args.get("region"))
    if fmt == "docx":
        return _download(reports.report_docx(report), excel.DOCX_MIMETYPE, f"{report.filename}.docx",
                         f"{report.ascii_name}.docx")
    return _download(reports.report_xlsx(report), excel.XLSX_MIMETYPE, f"{report.filename}.xlsx",
                     f"{report.ascii_name}.xlsx")


# --- notable cases (典型案例) on the requirement page --------------------------------------

CASE_CARD = "taskforce/_notable_case.html"


@bp.app_context_processor
def _notable_case_global():
    return {"notable_case_of": cases.of}


def _case_answer(req, form: FormSubmission):
    if request.htmx:
        return render_block(CASE_CARD, "card", req=req, case=cases.of(req), may_mark=True,
                            case_errors=form.errors), form.status
    if form.error is not None:
        raise form.error
    return redirect(url_for("web.requirement_detail", requirement_id=req.id) + "#notable-case-card")


@bp.route("/requirements/<int:requirement_id>/notable-case", methods=["POST"])
def notable_case_mark(requirement_id: int):
    req = requirements.get_for(g.user, requirement_id)
    form = FormSubmission(NotableCaseInSchema())
    form.submit(lambda data: cases.mark(g.user, req, data["write_up"]))
    return _case_answer(req, form)


@bp.route("/requirements/<int:requirement_id>/notable-case/remove", methods=["POST"])
def notable_case_remove(requirement_id: int):
    req = requirements.get_for(g.user, requirement_id)
    form = FormSubmission()
    form.submit(lambda _data: cases.unmark(g.user, req))
    return _case_answer(req, form)
