"""A release's upgrade application with its emergency plan and its announcement under /api/v1,
and the published announcements (issue 9)."""
from __future__ import annotations

from flask import send_file
from flask.views import MethodView

from app.api import actor, make_blueprint
from app.api.contract import error_responses, file_response
from app.schemas.application import (
    AnnouncementPageSchema,
    AnnouncementQuerySchema,
    AnnouncementSchema,
    AnnouncementUpdateSchema,
    ApplicationSchema,
    ApplicationUpdateSchema,
)
from app.services import releases
from app.services.releases import application, upgrade_documents

blp = make_blueprint("application", "Upgrade application with emergency plan, upgrade announcements")

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@blp.route("/releases/<int:release_id>/upgrade-application")
class UpgradeApplicationResource(MethodView):
    @blp.response(200, ApplicationSchema)
    def get(self, release_id):
        """The upgrade application: generated from the release (version, build, domains,
        requirements with verdicts, acceptance result and report) and the seven sections of
        its emergency plan (`scope`, `risks`, `criteria`, `method`, `rollback`, `tracking`,
        `contacts`); `empty_sections` names those still empty. The requirements listed are
        those in your region; the .docx carries the whole release."""
        return application.application_of(releases.get(actor(), release_id), actor())

    @blp.arguments(ApplicationUpdateSchema)
    @blp.response(200, ApplicationSchema)
    @error_responses(blp, 403, 409, conflict="The application is edited until the release is scheduled; "
                     "submitting it names the empty sections.")
    def put(self, data, release_id):
        """Write some or all sections (managers) until the upgrade starts; once the upgrade is
        requested a section cannot be emptied (422)."""
        release = releases.get(actor(), release_id)
        return application.save(actor(), release, data)


@blp.route("/releases/<int:release_id>/upgrade-application.docx")
class UpgradeApplicationDocx(MethodView):
    @file_response(blp, DOCX, "升级申请及应急预案 (.docx)")
    def get(self, release_id):
        release = releases.get(actor(), release_id)
        data = upgrade_documents.application_docx(application.application_of(release))
        return send_file(data, mimetype=DOCX, as_attachment=True,
                         download_name=upgrade_documents.application_filename(release))


@blp.route("/releases/<int:release_id>/announcement")
class AnnouncementResource(MethodView):
    @blp.response(200, AnnouncementSchema)
    def get(self, release_id):
        """The announcement: as saved, or drafted from the release and its window (`drafted`)."""
        return application.announcement_of(releases.get(actor(), release_id))

    @blp.arguments(AnnouncementUpdateSchema)
    @blp.response(200, AnnouncementSchema)
    @error_responses(blp, 403, 409, conflict="The announcement is written once the upgrade is scheduled; "
                     "publishing needs the upgrade window.")
    def put(self, data, release_id):
        """Write the announcement (managers; upgrade_requested, scheduled or rolling_out);
        `publish` true publishes it (needs the upgrade window), false withdraws it."""
        release = releases.get(actor(), release_id)
        return application.save_announcement(actor(), release, data)


@blp.route("/releases/<int:release_id>/announcement.docx")
class AnnouncementDocx(MethodView):
    @file_response(blp, DOCX, "升级公告 (.docx)")
    def get(self, release_id):
        release = releases.get(actor(), release_id)
        data = upgrade_documents.announcement_docx(application.announcement_of(release))
        return send_file(data, mimetype=DOCX, as_attachment=True,
                         download_name=upgrade_documents.announcement_filename(release))


@blp.route("/announcements")
class Announcements(MethodView):
    @blp.arguments(AnnouncementQuerySchema, location="query")
    @blp.response(200, AnnouncementPageSchema)
    def get(self, query):
        """Published announcements, newest first, paginated (every signed-in user)."""
        return application.published(actor(), query["page"], query["per_page"])
