"""A release's upgrade application with its emergency plan, its announcement, and the page of
published announcements (issue 9). Forms post to their own routes with the API's schemas: a
success goes back to the page (HX-Location), a refusal answers the form block (409/422)."""
from __future__ import annotations

from flask import g, render_template, send_file, url_for

from app.schemas.application import AnnouncementQuerySchema, AnnouncementUpdateSchema, ApplicationUpdateSchema
from app.services import releases
from app.services.releases import application, upgrade_documents
from app.web import bp
from app.web.helpers import FormSubmission, htmx_redirect, load_query, render_page_or_block, wants_fragment

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
APPLICATION_TEMPLATE = "releases/upgrade_application.html"
ANNOUNCEMENT_TEMPLATE = "releases/announcement.html"


@bp.app_template_global()
def upgrade_application_of(release):
    """What the release page shows of the application: its empty sections (one query, no
    report built)."""
    from types import SimpleNamespace

    empty = application.empty_sections(application.stored(release))
    return SimpleNamespace(empty=empty, complete=not empty)


@bp.app_template_global()
def announcement_of(release):
    return application.announcement_of(release)


@bp.app_template_global()
def iso_local_dt(iso: str | None) -> str:
    """An ISO timestamp (with its offset) of a stored document on the reader's clock."""
    from datetime import datetime, timezone

    from app.web.helpers import local_dt

    if not iso:
        return "—"
    return local_dt(datetime.fromisoformat(iso).astimezone(timezone.utc).replace(tzinfo=None))


@bp.app_template_global()
def application_section_label(key: str) -> str:
    return application.section_label(key)


@bp.app_template_global()
def application_editable(release) -> bool:
    return release.status in application.EDITABLE


@bp.app_template_global()
def announcement_editable(release) -> bool:
    return release.status in application.ANNOUNCEABLE


def _application_page(release, errors=None, values=None, status=200, saved=False, full=False):
    app = application.application_of(release, g.user)
    from app.web.verification import display_labels

    context = dict(release=release, app=app, sections=application.SECTIONS, labels=display_labels(),
                   values=values if values is not None else app.sections, errors=errors or {}, saved=saved)
    if full:  # a GET (also after HX-Location) is the whole page
        return render_template(APPLICATION_TEMPLATE, **context), status
    return render_page_or_block(APPLICATION_TEMPLATE, "application_form", **context), status


@bp.route("/releases/<int:release_id>/upgrade-application", methods=["GET", "POST"])
def release_application(release_id: int):
    from flask import request

    release = releases.get(g.user, release_id)
    if request.method == "GET":
        return _application_page(release, full=True)
    form = FormSubmission(ApplicationUpdateSchema())
    if form.submit(lambda data: application.save(g.user, release, data)):
        if wants_fragment():
            return _application_page(release, saved=True)
        return htmx_redirect(url_for("web.release_application", release_id=release.id))
    return _application_page(release, form.errors, form.values, form.status if form.status in (409, 422) else 422)


@bp.route("/releases/<int:release_id>/upgrade-application.docx")
def release_application_docx(release_id: int):
    release = releases.get(g.user, release_id)
    return send_file(upgrade_documents.application_docx(application.application_of(release)), mimetype=DOCX,
                     as_attachment=True, download_name=upgrade_documents.application_filename(release))


def _announcement_page(release, errors=None, values=None, status=200, full=False):
    view = application.announcement_of(release)
    context = dict(release=release, ann=view, errors=errors or {},
                   values=values if values is not None else {"title": view.title, "body": view.body})
    if full:  # a GET (also after HX-Location) is the whole page
        return render_template(ANNOUNCEMENT_TEMPLATE, **context), status
    return render_page_or_block(ANNOUNCEMENT_TEMPLATE, "announcement_form", **context), status


@bp.route("/releases/<int:release_id>/announcement", methods=["GET", "POST"])
def release_announcement(release_id: int):
    from flask import request

    release = releases.get(g.user, release_id)
    if request.method == "GET":
        return _announcement_page(release, full=True)
    form = FormSubmission(AnnouncementUpdateSchema())
    if form.submit(lambda data: application.save_announcement(g.user, release, data)):
        return htmx_redirect(url_for("web.release_announcement", release_id=release.id))
    return _announcement_page(release, form.errors, form.values, form.status if form.status in (409, 422) else 422)


@bp.route("/releases/<int:release_id>/announcement.docx")
def release_announcement_docx(release_id: int):
    release = releases.get(g.user, release_id)
    return send_file(upgrade_documents.announcement_docx(application.announcement_of(release)), mimetype=DOCX,
                     as_attachment=True, download_name=upgrade_documents.announcement_filename(release))


@bp.route("/announcements")
def announcement_list():
    """Published upgrade announcements, newest first: every signed-in user reads them."""
    args, _raw, _errors = load_query(AnnouncementQuerySchema())
    page = application.published(g.user, args["page"], args["per_page"])
    return render_page_or_block("releases/announcements.html", "list", page=page)
