"""Review meeting pages: list, schedule, agenda builder, live minutes, finalise, exports.

Every form is loaded with the API's schema (app.schemas.meeting) through `FormSubmission`;
htmx gets the block it swaps.
"""
from __future__ import annotations

from datetime import datetime

from flask import Response, g, render_template, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from htmx_flask import make_response, request
from jinja2_fragments.flask import render_block, render_blocks
from marshmallow import ValidationError, missing

from app.models.meeting import DECISIONS, ORGANIZATIONS
from app.schemas.meeting import (
    ActionItemCreateSchema,
    AgendaAddSchema,
    AgendaMoveSchema,
    AgendaOrderSchema,
    AmendmentCreateSchema,
    AttendeeCreateSchema,
    AttendeePatchSchema,
    DecisionSchema,
    FinalizeSchema,
    MeetingCreateSchema,
    MeetingPatchSchema,
    MeetingQuerySchema,
    NotesSchema,
    QueueQuerySchema,
    SummarySchema,
)
from app.services import meetings, paging, permissions, reference, requirements
from app.services.errors import Msg, ValidationFailed
from app.services.meetings import agenda, documents
from app.utils import as_utc
from app.web import bp
from app.web.helpers import (
    FormInvalid,
    FormSubmission,
    display_labels,
    errors_of,
    htmx_redirect,
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


def _scheduled_at_input() -> dict:
    """The form's datetime-local value as ISO 8601 with offset; an empty (or blank) one is
    absent, so a required time is reported as missing rather than as a bad datetime."""
    if "scheduled_at" not in request.form:
        return {}
    raw = request.form["scheduled_at"].strip()
    return {"scheduled_at": _local_to_iso(raw) if raw else missing}


def _time_kept(data: dict) -> dict:
    """The edit form must keep a time: one sent empty is a required field left blank (a form
    without the input leaves the time as it is)."""
    raw = request.form.get("scheduled_at")
    if raw is not None and not raw.strip():
        raise FormInvalid({"scheduled_at": [REQUIRED]}, request.form.to_dict())
    return data


def _locked(error) -> bool:
    return isinstance(error, meetings.MinutesLocked)


def _answer(body, status: int = 200, error=None):
    """A re-rendered block; when the minutes turned out to be finalised, a toast says so too."""
    trigger = None
    if error is not None and _locked(error):
        trigger = {"meeting-locked": {"message": translate_message(error.message)}}
    return make_response(body, status, trigger=trigger)


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
    user = g.user
    # as this user may read it: agenda items outside their region hidden (scope.visible_to)
    meeting = meetings.visible_to(user, meetings.load_full(meeting.id))
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
        # finalising before the scheduled start asks for confirmation first
        "not_started": meetings.not_started(meeting),
        "finalised_early": meetings.finalised_early(meeting),
        **extra,
    }


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
    # a tab or page switched in place goes into the address bar (a boosted navigation has it already)
    push = url_for("web.meeting_list", **raw) if request.htmx and not request.htmx.boosted else None
    return make_response(render_page_or_block(LIST_TEMPLATE, "results", **context), push_url=push)


@bp.route("/meetings/new", methods=["GET", "POST"])
def meeting_new():
    permissions.require(g.user, "manage_meetings")
    if request.method == "POST":
        form = FormSubmission(MeetingCreateSchema(), _scheduled_at_input())
        if form.submit(lambda data: meetings.create(g.user, data)):
            return htmx_redirect(url_for("web.meeting_detail", meeting_id=form.result.id))
        return render_page_or_block("meetings/new.html", "form", errors=form.errors, values=form.values), form.status
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
    form = FormSubmission(MeetingPatchSchema(exclude=("summary",)), _scheduled_at_input())
    if form.submit(lambda data: meetings.update(g.user, meeting, _time_kept(data))):
        return render_block(DETAIL_TEMPLATE, "info", **_context(meeting))
    context = _context(meeting, errors=form.errors, values=form.values, editing=True)
    return render_block(DETAIL_TEMPLATE, "info", **context), form.status


@bp.route("/meetings/<int:meeting_id>/queue")
def meeting_queue(meeting_id: int):
    meeting = meetings.get_for(g.user, meeting_id, "manage_meetings")
    try:
        context = _context(meeting)
    except ValidationFailed as error:
        context = _context(meeting, queue_filters=({}, {}), errors=errors_of(error))
    return render_block(DETAIL_TEMPLATE, "queue", **context)


def _agenda_answer(meeting, form: FormSubmission):
    """The agenda, with the queue and the finalise panel out of band."""
    context = _context(meeting, errors=form.errors)
    body = render_blocks(DETAIL_TEMPLATE, ["agenda", "queue_oob", "finalize_oob"], **context)
    return _answer(body, form.status, form.error)


@bp.route("/meetings/<int:meeting_id>/agenda", methods=["POST"])
def meeting_agenda_add(meeting_id: int):
    meeting = meetings.get_for(g.user, meeting_id, "manage_meetings")
    form = FormSubmission(AgendaAddSchema(), {"requirement_ids": _ids(request.form.getlist("requirement_ids"))})
    form.submit(lambda data: meetings.add_to_agenda(g.user, meeting, data["requirement_ids"]))
    return _agenda_answer(meeting, form)


@bp.route("/meetings/<int:meeting_id>/agenda/<int:requirement_id>/remove", methods=["POST"])
def meeting_agenda_remove(meeting_id: int, requirement_id: int):
    meeting = meetings.get_for(g.user, meeting_id, "manage_meetings")
    form = FormSubmission()
    form.submit(lambda _data: meetings.remove_from_agenda(g.user, meeting, requirement_id))
    return _agenda_answer(meeting, form)


@bp.route("/meetings/<int:meeting_id>/agenda/<int:requirement_id>/move", methods=["POST"])
def meeting_agenda_move(meeting_id: int, requirement_id: int):
    meeting = meetings.get_for(g.user, meeting_id, "manage_meetings")
    form = FormSubmission(AgendaMoveSchema())
    form.submit(lambda data: meetings.move(g.user, meeting, requirement_id, data["direction"]))
    return _agenda_answer(meeting, form)


@bp.route("/meetings/<int:meeting_id>/agenda/order", methods=["POST"])
def meeting_agenda_order(meeting_id: int):
    """The whole order at once (drag and drop sends every id in its new place)."""
    meeting = meetings.get_for(g.user, meeting_id, "manage_meetings")
    form = FormSubmission(AgendaOrderSchema(), {"requirement_ids": _ids(request.form.getlist("requirement_ids"))})
    form.submit(lambda data: meetings.reorder(g.user, meeting, data["requirement_ids"]))
    return _agenda_answer(meeting, form)


def _saved_answer(target: str, form: FormSubmission, saved_at=None):
    """The "saved at" marker of an autosaved text (the textarea itself is never swapped)."""
    if form.error is not None:
        body = render_template("meetings/_saved.html", target=target, saved_at=None, error=form.errors)
        return _answer(body, form.status, form.error)
    return render_template("meetings/_saved.html", target=target, saved_at=saved_at,
                           saved_text=_saved_time(saved_at), error=None)


@bp.route("/meetings/<int:meeting_id>/agenda/<int:requirement_id>/notes", methods=["POST"])
def meeting_notes(meeting_id: int, requirement_id: int):
    """Autosave of an item's notes."""
    meeting = meetings.get_for(g.user, meeting_id, ("manage_meetings", "decide"))
    form = FormSubmission(NotesSchema())
    form.submit(lambda data: meetings.save_notes(g.user, meeting, requirement_id, data["notes"]))
    return _saved_answer(f"saved-{requirement_id}", form, form.result and form.result.notes_saved_at)


@bp.route("/meetings/<int:meeting_id>/summary", methods=["POST"])
def meeting_summary(meeting_id: int):
    meeting = meetings.get_for(g.user, meeting_id, ("manage_meetings", "decide"))
    form = FormSubmission(SummarySchema())
    form.submit(lambda data: meetings.save_summary(g.user, meeting, data["summary"]))
    return _saved_answer("saved-summary", form, form.result and form.result.summary_saved_at)


@bp.route("/meetings/<int:meeting_id>/agenda/<int:requirement_id>/decision", methods=["POST"])
def meeting_decision(meeting_id: int, requirement_id: int):
    meeting = meetings.get_for(g.user, meeting_id, "decide")
    extra = {}
    if not request.form.get("reason", "").strip() and request.form.get("canned_reason"):
        extra["reason"] = request.form["canned_reason"]
    if "decision" in request.form and request.form["decision"] == "":
        extra["decision"] = None
    form = FormSubmission(DecisionSchema(), extra)
    if form.submit(lambda data: meetings.record_decision(g.user, meeting, requirement_id, {"decision": None, **data})):
        context = _context(meeting)
        body = render_blocks(DETAIL_TEMPLATE, ["decision", "finalize_oob"], just_saved=True,
                             item=agenda.item_of(context["meeting"], requirement_id), **context)
        return _answer(body)
    if _locked(form.error):
        # the minutes were finalised meanwhile: the item read-only, the panel finalised, a toast
        context = _context(meeting, locked_message=form.error.message)
        body = render_blocks(DETAIL_TEMPLATE, ["decision", "finalize_oob"],
                             item=agenda.item_of(context["meeting"], requirement_id), **context)
        return _answer(body, form.status, form.error)
    context = _context(meeting, item_errors={requirement_id: form.errors}, values={requirement_id: form.values})
    body = render_block(DETAIL_TEMPLATE, "decision", item=agenda.item_of(context["meeting"], requirement_id), **context)
    return _answer(body, form.status)


# --- attendees and action items ----------------------------------------------------------


def _block_answer(block: str, meeting, form: FormSubmission, keep_values: bool = False):
    """One sidebar block; after a 409 because the minutes are finalised, the block read-only with
    the message, the finalise panel out of band and a toast."""
    if _locked(form.error):
        context = _context(meeting, locked_message=form.error.message)
        return _answer(render_blocks(DETAIL_TEMPLATE, [block, "finalize_oob"], **context), form.status, form.error)
    extra = {"errors": form.errors, "values": form.values} if keep_values and form.error else {"errors": form.errors}
    return _answer(render_block(DETAIL_TEMPLATE, block, **_context(meeting, **extra)), form.status)


@bp.route("/meetings/<int:meeting_id>/attendees", methods=["POST"])
def meeting_attendee_add(meeting_id: int):
    meeting = meetings.get_for(g.user, meeting_id, "manage_meetings")
    form = FormSubmission(AttendeeCreateSchema())
    form.submit(lambda data: meetings.add_attendee(g.user, meeting, data))
    return _block_answer("attendees", meeting, form, keep_values=True)


@bp.route("/meetings/<int:meeting_id>/attendees/<int:attendee_id>", methods=["POST"])
def meeting_attendee_update(meeting_id: int, attendee_id: int):
    """Mark present/absent (or change the attendee's fields)."""
    meeting = meetings.get_for(g.user, meeting_id, "manage_meetings")
    form = FormSubmission(AttendeePatchSchema())
    form.submit(lambda data: meetings.update_attendee(g.user, meeting, attendee_id, data))
    return _block_answer("attendees", meeting, form)


@bp.route("/meetings/<int:meeting_id>/attendees/<int:attendee_id>/remove", methods=["POST"])
def meeting_attendee_remove(meeting_id: int, attendee_id: int):
    meeting = meetings.get_for(g.user, meeting_id, "manage_meetings")
    form = FormSubmission()
    form.submit(lambda _data: meetings.remove_attendee(g.user, meeting, attendee_id))
    return _block_answer("attendees", meeting, form)


@bp.route("/meetings/<int:meeting_id>/action-items", methods=["POST"])
def meeting_action_add(meeting_id: int):
    meeting = meetings.get_for(g.user, meeting_id, ("manage_meetings", "decide"))
    form = FormSubmission(ActionItemCreateSchema())
    form.submit(lambda data: meetings.add_action_item(g.user, meeting, data))
    return _block_answer("action_items", meeting, form, keep_values=True)


@bp.route("/meetings/<int:meeting_id>/action-items/<int:action_item_id>/remove", methods=["POST"])
def meeting_action_remove(meeting_id: int, action_item_id: int):
    meeting = meetings.get_for(g.user, meeting_id, ("manage_meetings", "decide"))
    form = FormSubmission()
    form.submit(lambda _data: meetings.remove_action_item(g.user, meeting, action_item_id))
    return _block_answer("action_items", meeting, form)


# --- finalise and amend ------------------------------------------------------------------


@bp.route("/meetings/<int:meeting_id>/finalize", methods=["POST"])
def meeting_finalize(meeting_id: int):
    """Finalise; before the meeting's start only with `confirm_early` (the button asks first)."""
    meeting = meetings.get_for(g.user, meeting_id, "manage_meetings")
    form = FormSubmission(FinalizeSchema())
    if form.submit(lambda data: meetings.finalize(g.user, meeting, confirm_early=data["confirm_early"])):
        return htmx_redirect(url_for("web.meeting_detail", meeting_id=meeting_id))
    blockers = {k: v for k, v in form.errors.items() if k.startswith("agenda")}
    message = getattr(form.error, "message", None) or _("Nothing was applied.")
    context = _context(meeting, blockers=blockers, finalize_message=message)
    return _answer(render_block(DETAIL_TEMPLATE, "finalize", **context), form.status, form.error)


@bp.route("/meetings/<int:meeting_id>/amendments", methods=["POST"])
def meeting_amend(meeting_id: int):
    meeting = meetings.get_for(g.user, meeting_id, "manage_meetings")
    form = FormSubmission(AmendmentCreateSchema())
    if form.submit(lambda data: meetings.add_amendment(g.user, meeting, data["text"])):
        return render_block(DETAIL_TEMPLATE, "amendments", **_context(meeting))
    context = _context(meeting, errors=form.errors, values=form.values)
    return render_block(DETAIL_TEMPLATE, "amendments", **context), form.status


# --- documents ---------------------------------------------------------------------------


@bp.route("/meetings/<int:meeting_id>/minutes")
def meeting_minutes(meeting_id: int):
    """The minutes as a printable page: the same facts, attendance and wording as the .docx."""
    meeting = meetings.load_for(g.user, meeting_id)
    # a document: Chinese organisation labels and headings whatever the UI language
    return render_template(
        "meetings/minutes.html",
        meeting=meeting,
        title=documents.minutes_title(meeting),
        facts=documents.facts(meeting),
        attendance=documents.attendance(meeting),
        items=meeting.agenda_items,
        items_intro=documents.items_intro(meeting, len(meeting.agenda_items)),
        decision_text=documents.decision_text,
        organiser_unit=documents.organiser_unit(meeting),
        meeting_date=documents.meeting_date(meeting),
        cn_date=documents.cn_date,
    )


@bp.route("/meetings/<int:meeting_id>/minutes.docx")
def meeting_docx(meeting_id: int):
    from app.api.meetings import DOCX_MIME, _download

    meeting = meetings.load_for(g.user, meeting_id)
    return _download(documents.minutes_docx(meeting), DOCX_MIME, documents.docx_filename(meeting),
                     documents.docx_ascii_filename(meeting))


@bp.route("/meetings/<int:meeting_id>.ics")
def meeting_ics(meeting_id: int) -> Response:
    from app.api.meetings import _download

    meeting = meetings.load_for(g.user, meeting_id)
    return _download(documents.meeting_ics(meeting), "text/calendar", f"meeting-{meeting.id}.ics")


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

    def add(_data):
        raw = request.form.get("meeting_id", "")
        if not raw.isdigit():
            raise ValidationFailed.field("meeting_id", Msg("Choose a meeting."))
        meeting = meetings.get_for(g.user, int(raw), "manage_meetings")
        return meetings.add_to_agenda(g.user, meeting, [req.id])

    form = FormSubmission()
    added = form.submit(add)
    req = requirements.get_for(g.user, requirement_id)
    return render_block(CARD_TEMPLATE, "card", req=req, meeting_errors=form.errors, added=added), form.status
