"""Review meeting pages: list, schedule, agenda builder, live minutes, finalise, exports.

Every form is loaded with the API's schema (app.schemas.meeting); htmx gets the block it swaps.
"""
from __future__ import annotations

import json
from datetime import datetime

from flask import Response, g, make_response, render_template, request, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from jinja2_fragments.flask import render_block, render_blocks
from marshmallow import ValidationError

from app.models.meeting import DECISIONS, ORGANIZATIONS
from app.schemas.meeting import (
    ActionItemCreateSchema,
    AgendaAddSchema,
    AgendaMoveSchema,
    AmendmentCreateSchema,
    AttendeeCreateSchema,
    AttendeePatchSchema,
    DecisionSchema,
    MeetingCreateSchema,
    MeetingPatchSchema,
    MeetingQuerySchema,
    NotesSchema,
    QueueQuerySchema,
    SummarySchema,
)
from app.services import meeting_documents, meetings, paging, permissions, reference, requirements
from app.services.errors import Msg, ValidationFailed
from app.utils import as_utc
from app.web import bp
from app.web.helpers import (
    FORM_ERRORS,
    FormInvalid,
    display_labels,
    errors_of,
    form_error_status,
    load_form,
    render_page_or_block,
    translate_message,
)

LIST_TEMPLATE = "meetings/list.html"
DETAIL_TEMPLATE = "meetings/detail.html"
CARD_TEMPLATE = "meetings/_requirement_meetings.html"

MEETING_STATUS_LABELS = {"draft": _l("Draft"), "finalised": _l("Finalised")}


# --- helpers -----------------------------------------------------------------------------


def _local_to_iso(value: str | None) -> str | None:
    """A datetime-local input (the users' wall clock) as ISO 8601 with the zone's offset."""
    if not value:
        return value
    try:
        naive = datetime.fromisoformat(value)
    except ValueError:
        return value  # the schema names the field
    if naive.tzinfo is not None:
        return naive.isoformat()
    return naive.replace(tzinfo=meetings.local_zone()).isoformat()


def _local_input(value) -> str:
    """A stored naive-UTC time for a datetime-local input."""
    if value is None:
        return ""
    return as_utc(value).astimezone(meetings.local_zone()).strftime("%Y-%m-%dT%H:%M")


def _ids(values: list[str]) -> list:
    return [int(v) if v.isdigit() else v for v in values if v != ""]


# marshmallow's own wording (translated in the catalogue), for a required input sent empty
REQUIRED = Msg("Missing data for required field.")


def _scheduled_at_input(required: bool) -> dict:
    """The form's datetime-local value as ISO 8601 with offset; an empty one is absent (so the
    schema says the field is required) or, where the form must keep a time, an error."""
    raw = request.form.get("scheduled_at")
    if raw is None or raw.strip() == "":
        if raw is not None and required:
            raise FormInvalid({"scheduled_at": [REQUIRED]}, request.form.to_dict())
        return {}
    return {"scheduled_at": _local_to_iso(raw.strip())}


def _locked(error) -> bool:
    return isinstance(error, meetings.MinutesLocked)


def _error_answer(body, status: int, error=None):
    """A re-rendered block; when the minutes turned out to be finalised, a toast says so too."""
    response = make_response(body, status)
    if error is not None and _locked(error):
        response.headers["HX-Trigger"] = json.dumps({"meeting-locked": {"message": translate_message(error.message)}})
    return response


def _saved_time(value) -> str:
    return format_datetime(as_utc(value), "HH:mm:ss") if value else ""


def _queue_filters() -> tuple[dict, dict]:
    # GET filters, or the filter form sent along with an agenda change (hx-include)
    raw = {k: v for k, v in request.values.items() if v != "" and k in QueueQuerySchema().fields}
    try:
        return QueueQuerySchema().load(raw), raw
    except ValidationError:
        return {}, raw


def _context(meeting, **extra):
    """Everything the meeting page shows."""
    meeting = meetings.load_full(meeting.id)
    user = g.user
    # readers from outside the organiser's region (they see one of its requirements) only read
    open_here = meetings.may_edit(user, meeting) and not meeting.finalised
    can_manage = permissions.can(user, "manage_meetings") and open_here
    can_decide = permissions.can(user, "decide") and open_here
    can_minute = (permissions.can(user, "manage_meetings") or permissions.can(user, "decide")) and open_here
    filters, raw_filters = extra.pop("queue_filters", None) or _queue_filters()
    queue = meetings.queue(user, meeting, filters) if can_manage else []
    return {
        "meeting": meeting,
        "can_manage": can_manage,
        "can_decide": can_decide,
        "can_minute": can_minute,
        "can_amend": permissions.can(user, "manage_meetings") and meeting.finalised and meetings.may_edit(user, meeting),
        "queue": queue,
        "queue_filters": raw_filters,
        "lookups": {kind: reference.lookups(kind) for kind in ("domain", "type")},
        "regions": reference.regions(meeting.region),
        "labels": display_labels(),
        "organizations": [(code, str(meetings.ORGANIZATION_LABELS[code])) for code in ORGANIZATIONS],
        "decisions": DECISIONS,
        "canned_reasons": meetings.CANNED_REJECTION_REASONS,
        "errors": extra.pop("errors", {}),
        "item_errors": extra.pop("item_errors", {}),
        "values": extra.pop("values", {}),
        "blockers": extra.pop("blockers", {}),
        "finalize_message": extra.pop("finalize_message", None),
        "locked_message": extra.pop("locked_message", None),
        "scheduled_local": _local_input(meeting.scheduled_at),
        **extra,
    }


def _swap(response_body, status: int = 200, trigger: str | None = None):
    response = make_response(response_body, status)
    if trigger:
        response.headers["HX-Trigger"] = trigger
    return response


def _redirect(target: str):
    response = make_response("", 303)
    response.headers["Location"] = target
    if request.headers.get("HX-Request") == "true":
        response.status_code = 200
        response.headers["HX-Location"] = target
    return response


# --- list and schedule -------------------------------------------------------------------


@bp.route("/meetings")
def meeting_list():
    permissions.require(g.user, "view")
    raw = {k: v for k, v in request.args.items() if v != ""}
    raw.setdefault("when", "upcoming")
    try:
        args = MeetingQuerySchema().load(raw)
    except ValidationError:
        args = MeetingQuerySchema().load({"when": "upcoming"})
        raw = {"when": "upcoming"}
    page, per_page = args.pop("page"), args.pop("per_page")
    result = paging.paginate(meetings.search(g.user, args), page, per_page)
    context = {"result": result, "filters": raw, "when": args.get("when"), "counts": meetings.counts(g.user)}
    response = make_response(render_page_or_block(LIST_TEMPLATE, "results", **context))
    if request.headers.get("HX-Request") == "true" and request.headers.get("HX-Boosted") != "true":
        response.headers["HX-Push-Url"] = url_for("web.meeting_list", **raw)
    return response


@bp.route("/meetings/new", methods=["GET", "POST"])
def meeting_new():
    permissions.require(g.user, "manage_meetings")
    if request.method == "POST":
        try:
            data = load_form(MeetingCreateSchema(), _scheduled_at_input(required=False))
            meeting = meetings.create(g.user, data)
        except FORM_ERRORS as error:
            status = form_error_status(error)
            context = {"errors": errors_of(error), "values": request.form}
            return render_page_or_block("meetings/new.html", "form", **context), status
        return _redirect(url_for("web.meeting_detail", meeting_id=meeting.id))
    values = {"duration_minutes": 120, "title": _("Requirement review meeting")}
    return render_template("meetings/new.html", errors={}, values=values)


# --- the meeting page --------------------------------------------------------------------


@bp.route("/meetings/<int:meeting_id>")
def meeting_detail(meeting_id: int):
    meeting = meetings.get_for(g.user, meeting_id)
    return render_template(DETAIL_TEMPLATE, **_context(meeting))


@bp.route("/meetings/<int:meeting_id>/edit", methods=["POST"])
def meeting_edit(meeting_id: int):
    meeting = meetings.get_for(g.user, meeting_id, "manage_meetings")
    schema = MeetingPatchSchema(exclude=("summary",))
    try:
        data = load_form(schema, _scheduled_at_input(required=True))
        meetings.update(g.user, meeting, data)
    except FORM_ERRORS as error:
        status = form_error_status(error)
        context = _context(meeting, errors=errors_of(error), values=request.form, editing=True)
        return render_block(DETAIL_TEMPLATE, "info", **context), status
    return render_block(DETAIL_TEMPLATE, "info", **_context(meeting))


@bp.route("/meetings/<int:meeting_id>/queue")
def meeting_queue(meeting_id: int):
    meeting = meetings.get_for(g.user, meeting_id, "manage_meetings")
    try:
        context = _context(meeting)
    except ValidationFailed as error:
        context = _context(meeting, queue_filters=({}, {}), errors=errors_of(error))
    return render_block(DETAIL_TEMPLATE, "queue", **context)


def _agenda_answer(meeting, status: int = 200, error=None, **extra):
    """The agenda, with the queue and the finalise panel out of band."""
    context = _context(meeting, **extra)
    body = render_blocks(DETAIL_TEMPLATE, ["agenda", "queue_oob", "finalize_oob"], **context)
    return _error_answer(body, status, error)


@bp.route("/meetings/<int:meeting_id>/agenda", methods=["POST"])
def meeting_agenda_add(meeting_id: int):
    meeting = meetings.get_for(g.user, meeting_id, "manage_meetings")
    try:
        data = load_form(AgendaAddSchema(), {"requirement_ids": _ids(request.form.getlist("requirement_ids"))})
        meetings.add_to_agenda(g.user, meeting, data["requirement_ids"])
    except FORM_ERRORS as error:
        status = form_error_status(error)
        return _agenda_answer(meeting, status, error, errors=errors_of(error))
    return _agenda_answer(meeting)


@bp.route("/meetings/<int:meeting_id>/agenda/<int:requirement_id>/remove", methods=["POST"])
def meeting_agenda_remove(meeting_id: int, requirement_id: int):
    meeting = meetings.get_for(g.user, meeting_id, "manage_meetings")
    try:
        meetings.remove_from_agenda(g.user, meeting, requirement_id)
    except FORM_ERRORS as error:
        return _agenda_answer(meeting, form_error_status(error), error, errors=errors_of(error))
    return _agenda_answer(meeting)


@bp.route("/meetings/<int:meeting_id>/agenda/<int:requirement_id>/move", methods=["POST"])
def meeting_agenda_move(meeting_id: int, requirement_id: int):
    meeting = meetings.get_for(g.user, meeting_id, "manage_meetings")
    try:
        data = load_form(AgendaMoveSchema())
        meetings.move(g.user, meeting, requirement_id, data["direction"])
    except FORM_ERRORS as error:
        return _agenda_answer(meeting, form_error_status(error), error, errors=errors_of(error))
    return _agenda_answer(meeting)


@bp.route("/meetings/<int:meeting_id>/agenda/order", methods=["POST"])
def meeting_agenda_order(meeting_id: int):
    """The whole order at once (drag and drop sends every id in its new place)."""
    meeting = meetings.get_for(g.user, meeting_id, "manage_meetings")
    try:
        ids = _ids(request.form.getlist("requirement_ids"))
        meetings.reorder(g.user, meeting, ids)
    except FORM_ERRORS as error:
        return _agenda_answer(meeting, form_error_status(error), error, errors=errors_of(error))
    return _agenda_answer(meeting)


def _item_of(meeting, requirement_id: int):
    for item in meetings.load_full(meeting.id).agenda_items:
        if item.requirement_id == requirement_id:
            return item
    from app.services.errors import NotFound

    raise NotFound(Msg("This requirement is not on the meeting's agenda."))


@bp.route("/meetings/<int:meeting_id>/agenda/<int:requirement_id>/notes", methods=["POST"])
def meeting_notes(meeting_id: int, requirement_id: int):
    """Autosave of an item's notes: answers the "saved at" marker (the textarea is never swapped)."""
    meeting = meetings.get_for(g.user, meeting_id, ("manage_meetings", "decide"))
    try:
        data = load_form(NotesSchema())
        item = meetings.save_notes(g.user, meeting, requirement_id, data["notes"])
    except FORM_ERRORS as error:
        status = form_error_status(error)
        body = render_template("meetings/_saved.html", target=f"saved-{requirement_id}", saved_at=None,
                               error=errors_of(error))
        return _error_answer(body, status, error)
    return render_template("meetings/_saved.html", target=f"saved-{requirement_id}",
                           saved_at=item.notes_saved_at, saved_text=_saved_time(item.notes_saved_at), error=None)


@bp.route("/meetings/<int:meeting_id>/summary", methods=["POST"])
def meeting_summary(meeting_id: int):
    meeting = meetings.get_for(g.user, meeting_id, ("manage_meetings", "decide"))
    try:
        data = load_form(SummarySchema())
        meeting = meetings.save_summary(g.user, meeting, data["summary"])
    except FORM_ERRORS as error:
        status = form_error_status(error)
        body = render_template("meetings/_saved.html", target="saved-summary", saved_at=None,
                               error=errors_of(error))
        return _error_answer(body, status, error)
    return render_template("meetings/_saved.html", target="saved-summary", saved_at=meeting.summary_saved_at,
                           saved_text=_saved_time(meeting.summary_saved_at), error=None)


@bp.route("/meetings/<int:meeting_id>/agenda/<int:requirement_id>/decision", methods=["POST"])
def meeting_decision(meeting_id: int, requirement_id: int):
    meeting = meetings.get_for(g.user, meeting_id, "decide")
    extra = {}
    if not request.form.get("reason", "").strip() and request.form.get("canned_reason"):
        extra["reason"] = request.form["canned_reason"]
    if "decision" in request.form and request.form["decision"] == "":
        extra["decision"] = None
    try:
        data = load_form(DecisionSchema(), extra)
        data.setdefault("decision", None)
        meetings.record_decision(g.user, meeting, requirement_id, data)
    except FORM_ERRORS as error:
        status = form_error_status(error)
        if _locked(error):
            # the minutes were finalised meanwhile: the item read-only, the panel finalised, a toast
            context = _context(meeting, locked_message=error.message)
            body = render_blocks(DETAIL_TEMPLATE, ["decision", "finalize_oob"],
                                 item=_item_of(meeting, requirement_id), **context)
            return _error_answer(body, status, error)
        context = _context(meeting, item_errors={requirement_id: errors_of(error)},
                           values={requirement_id: request.form})
        return render_block(DETAIL_TEMPLATE, "decision", item=_item_of(meeting, requirement_id), **context), status
    context = _context(meeting)
    item = _item_of(meeting, requirement_id)
    return render_blocks(DETAIL_TEMPLATE, ["decision", "finalize_oob"], item=item, just_saved=True, **context)


# --- attendees and action items ----------------------------------------------------------


def _attendees_answer(meeting, status: int = 200, error=None, **extra):
    return _block_answer("attendees", meeting, status, error, **extra)


def _block_answer(block: str, meeting, status: int = 200, error=None, **extra):
    """One sidebar block; after a 409 because the minutes are finalised, the block read-only with
    the message, the finalise panel out of band and a toast."""
    if error is not None and _locked(error):
        extra = {"locked_message": error.message}
        body = render_blocks(DETAIL_TEMPLATE, [block, "finalize_oob"], **_context(meeting, **extra))
        return _error_answer(body, status, error)
    return _swap(render_block(DETAIL_TEMPLATE, block, **_context(meeting, **extra)), status)


@bp.route("/meetings/<int:meeting_id>/attendees", methods=["POST"])
def meeting_attendee_add(meeting_id: int):
    meeting = meetings.get_for(g.user, meeting_id, "manage_meetings")
    try:
        meetings.add_attendee(g.user, meeting, load_form(AttendeeCreateSchema()))
    except FORM_ERRORS as error:
        return _attendees_answer(meeting, form_error_status(error), error, errors=errors_of(error), values=request.form)
    return _attendees_answer(meeting)


@bp.route("/meetings/<int:meeting_id>/attendees/<int:attendee_id>", methods=["POST"])
def meeting_attendee_update(meeting_id: int, attendee_id: int):
    """Mark present/absent (or change the attendee's fields)."""
    meeting = meetings.get_for(g.user, meeting_id, "manage_meetings")
    try:
        meetings.update_attendee(g.user, meeting, attendee_id, load_form(AttendeePatchSchema()))
    except FORM_ERRORS as error:
        return _attendees_answer(meeting, form_error_status(error), error, errors=errors_of(error))
    return _attendees_answer(meeting)


@bp.route("/meetings/<int:meeting_id>/attendees/<int:attendee_id>/remove", methods=["POST"])
def meeting_attendee_remove(meeting_id: int, attendee_id: int):
    meeting = meetings.get_for(g.user, meeting_id, "manage_meetings")
    try:
        meetings.remove_attendee(g.user, meeting, attendee_id)
    except FORM_ERRORS as error:
        return _attendees_answer(meeting, form_error_status(error), error, errors=errors_of(error))
    return _attendees_answer(meeting)


def _actions_answer(meeting, status: int = 200, error=None, **extra):
    return _block_answer("action_items", meeting, status, error, **extra)


@bp.route("/meetings/<int:meeting_id>/action-items", methods=["POST"])
def meeting_action_add(meeting_id: int):
    meeting = meetings.get_for(g.user, meeting_id, ("manage_meetings", "decide"))
    try:
        meetings.add_action_item(g.user, meeting, load_form(ActionItemCreateSchema()))
    except FORM_ERRORS as error:
        return _actions_answer(meeting, form_error_status(error), error, errors=errors_of(error), values=request.form)
    return _actions_answer(meeting)


@bp.route("/meetings/<int:meeting_id>/action-items/<int:action_item_id>/remove", methods=["POST"])
def meeting_action_remove(meeting_id: int, action_item_id: int):
    meeting = meetings.get_for(g.user, meeting_id, ("manage_meetings", "decide"))
    try:
        meetings.remove_action_item(g.user, meeting, action_item_id)
    except FORM_ERRORS as error:
        return _actions_answer(meeting, form_error_status(error), error, errors=errors_of(error))
    return _actions_answer(meeting)


# --- finalise and amend ------------------------------------------------------------------


@bp.route("/meetings/<int:meeting_id>/finalize", methods=["POST"])
def meeting_finalize(meeting_id: int):
    meeting = meetings.get_for(g.user, meeting_id, "manage_meetings")
    try:
        meetings.finalize(g.user, meeting)
    except FORM_ERRORS as error:
        status = form_error_status(error)
        blockers = {k: v for k, v in errors_of(error).items() if k.startswith("agenda")}
        context = _context(meeting, blockers=blockers, finalize_message=getattr(error, "message", None)
                           or _("Nothing was applied."))
        return _error_answer(render_block(DETAIL_TEMPLATE, "finalize", **context), status, error)
    return _redirect(url_for("web.meeting_detail", meeting_id=meeting_id))


@bp.route("/meetings/<int:meeting_id>/amendments", methods=["POST"])
def meeting_amend(meeting_id: int):
    meeting = meetings.get_for(g.user, meeting_id, "manage_meetings")
    try:
        meetings.add_amendment(g.user, meeting, load_form(AmendmentCreateSchema())["text"])
    except FORM_ERRORS as error:
        status = form_error_status(error)
        context = _context(meeting, errors=errors_of(error), values=request.form)
        return render_block(DETAIL_TEMPLATE, "amendments", **context), status
    return render_block(DETAIL_TEMPLATE, "amendments", **_context(meeting))


# --- documents ---------------------------------------------------------------------------


@bp.route("/meetings/<int:meeting_id>/minutes")
def meeting_minutes(meeting_id: int):
    """The minutes as a printable page."""
    meetings.get_for(g.user, meeting_id)
    meeting = meetings.load_full(meeting_id)
    # a document: Chinese organisation labels and headings whatever the UI language
    return render_template(
        "meetings/minutes.html",
        meeting=meeting,
        groups=meetings.attendees_by_organization(meeting),
        org_labels=meetings.ORGANIZATION_LABELS_ZH,
        attendance_text=meetings.attendance_text,
        host=meetings.host_of(meeting),
        recorder=meetings.recorder_of(meeting),
        decision_text=meeting_documents.decision_text,
        title=meeting_documents.minutes_title(meeting),
        issuer=meeting_documents.issuer(meeting),
        cn_date=meeting_documents.cn_date,
        cn_datetime=meeting_documents._cn_datetime,
        local=meeting_documents._local,
    )


@bp.route("/meetings/<int:meeting_id>/minutes.docx")
def meeting_docx(meeting_id: int):
    from app.api.meetings import DOCX_MIME, _download

    meetings.get_for(g.user, meeting_id)
    meeting = meetings.load_full(meeting_id)
    return _download(meeting_documents.minutes_docx(meeting), DOCX_MIME, meeting_documents.docx_filename(meeting),
                     meeting_documents.docx_ascii_filename(meeting))


@bp.route("/meetings/<int:meeting_id>.ics")
def meeting_ics(meeting_id: int) -> Response:
    from app.api.meetings import _download

    meetings.get_for(g.user, meeting_id)
    meeting = meetings.load_full(meeting_id)
    return _download(meeting_documents.meeting_ics(meeting), "text/calendar", f"meeting-{meeting.id}.ics")


# --- the requirement page's card ---------------------------------------------------------


class RequirementMeetings:
    """What the requirement page's "review meetings" card shows."""

    def __init__(self, user, req):
        self.items = meetings.agenda_of_requirement(user, req)
        self.feedback = meetings.feedback_of(user, req)
        self.open_meetings = meetings.open_meetings_for(user, req)
        self.visible = {item.meeting_id for item in self.items if meetings.in_scope(user, item.meeting)}
        self.can_add = bool(self.open_meetings)
        # why a manager gets no "加入评审会" control: it is on a draft meeting's agenda already
        self.pending = (
            next((item.meeting for item in self.items if item.meeting.status == "draft"), None)
            if permissions.can(user, "manage_meetings", req) else None
        )


@bp.app_template_global("meetings_for_requirement")
def meetings_for_requirement(req):
    return RequirementMeetings(g.user, req)


@bp.app_template_global("meeting_status_label")
def meeting_status_label(status: str) -> str:
    return str(MEETING_STATUS_LABELS.get(status, status))


@bp.app_template_global("organization_label")
def organization_label(code: str) -> str:
    return str(meetings.ORGANIZATION_LABELS.get(code, code))


@bp.app_template_global("deferred_until")
def deferred_until(item) -> str:
    return meetings.until_text(item)


@bp.app_template_filter("saved_time")
def saved_time_filter(value) -> str:
    return _saved_time(value)


@bp.route("/requirements/<int:requirement_id>/meetings", methods=["POST"])
def requirement_add_to_meeting(requirement_id: int):
    """加入评审会: put this requirement on a draft meeting's agenda from its own page."""
    req = requirements.get_for(g.user, requirement_id)
    errors = {}
    status = 200
    raw = request.form.get("meeting_id", "")
    try:
        if not raw.isdigit():
            raise ValidationFailed.field("meeting_id", Msg("Choose a meeting."))
        meeting = meetings.get_for(g.user, int(raw), "manage_meetings")
        meetings.add_to_agenda(g.user, meeting, [req.id])
    except FORM_ERRORS as error:
        status = form_error_status(error)
        errors = errors_of(error)
    req = requirements.get_for(g.user, requirement_id)
    return render_block(CARD_TEMPLATE, "card", req=req, meeting_errors=errors, added=status == 200), status
