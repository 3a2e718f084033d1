from __future__ import annotations

from flask import request, send_file
from flask.views import MethodView

from app.api import actor, make_blueprint
from app.api.contract import ANY_FILE, error_responses, file_response, file_upload
from app.schemas.requirement import (
    AttachmentSchema,
    CommentSchema,
    EventSchema,
    MovesSchema,
    RequirementCreateSchema,
    RequirementPageSchema,
    RequirementPatchSchema,
    RequirementQuerySchema,
    RequirementSchema,
    TransitionSchema,
)
from app.services import requirements
from app.services.errors import Msg, ValidationFailed

blp = make_blueprint("requirements", "Requirements, their workflow and timeline")


@blp.route("/requirements")
class Requirements(MethodView):
    @blp.arguments(RequirementQuerySchema, location="query")
    @blp.response(200, RequirementPageSchema)
    def get(self, args):
        """List requirements in your region, filtered and paginated."""
        page, per_page = args.pop("page"), args.pop("per_page")
        return requirements.page(actor(), args, page, per_page)

    @blp.arguments(RequirementCreateSchema)
    @blp.response(201, RequirementSchema)
    @error_responses(blp, 403, invalid="Codes (domain, type, priority, channel) must be active reference"
                     " codes; the region must be an active one within yours.")
    def post(self, data):
        """File a requirement."""
        return requirements.create(actor(), data)


@blp.route("/requirements/<int:requirement_id>")
class RequirementItem(MethodView):
    @blp.response(200, RequirementSchema)
    def get(self, requirement_id):
        return requirements.get_for(actor(), requirement_id)

    @blp.arguments(RequirementPatchSchema)
    @blp.response(200, RequirementSchema)
    @error_responses(blp, 403, 409, conflict="Send the `version` you read: a stale one answers 409 "
                     "`stale_version` and changes nothing.")
    def patch(self, data, requirement_id):
        """Edit fields; send the `version` you read (a stale one answers 409)."""
        req = requirements.get_for(actor(), requirement_id)
        return requirements.update_fields(actor(), req, data)


@blp.route("/requirements/<int:requirement_id>/transitions")
class Transitions(MethodView):
    @blp.response(200, MovesSchema)
    def get(self, requirement_id):
        """The moves you may make now."""
        return requirements.moves(actor(), requirements.get_for(actor(), requirement_id))

    @blp.arguments(TransitionSchema)
    @blp.response(200, RequirementSchema)
    @error_responses(blp, 403, 409, conflict="A move the workflow does not allow from the current status"
                     " answers 409 `illegal_transition` naming the status and the moves allowed (GET "
                     ".../transitions); a reason is required for rejections, deferrals and requests for "
                     "information (422).")
    def post(self, data, requirement_id):
        """Move the requirement; 409 names the current status and the allowed moves."""
        req = requirements.get_for(actor(), requirement_id)
        return requirements.transition(actor(), req, data["to"], data["reason"], data["duplicate_of"],
                                       data["release_id"])


@blp.route("/requirements/<int:requirement_id>/comments")
class Comments(MethodView):
    @blp.response(200, EventSchema(many=True))
    def get(self, requirement_id):
        req = requirements.get_for(actor(), requirement_id)
        return [e for e in requirements.events(req) if e.kind == "comment"]

    @blp.arguments(CommentSchema)
    @blp.response(201, EventSchema)
    @error_responses(blp, 403)
    def post(self, data, requirement_id):
        req = requirements.get_for(actor(), requirement_id)
        return requirements.comment(actor(), req, data["body"])


@blp.route("/requirements/<int:requirement_id>/timeline")
class Timeline(MethodView):
    @blp.response(200, EventSchema(many=True))
    def get(self, requirement_id):
        """Every change, oldest first."""
        return requirements.events(requirements.get_for(actor(), requirement_id))


@blp.route("/requirements/<int:requirement_id>/attachments")
class Attachments(MethodView):
    @blp.response(200, AttachmentSchema(many=True))
    def get(self, requirement_id):
        return requirements.attachments(requirements.get_for(actor(), requirement_id))

    @file_upload(blp, "The file to attach.")
    @blp.response(201, AttachmentSchema)
    @error_responses(blp, 403, 404, 413, 422)
    def post(self, requirement_id):
        """Upload one file (multipart/form-data, field `file`)."""
        req = requirements.get_for(actor(), requirement_id)
        upload = request.files.get("file")
        if upload is None:
            raise ValidationFailed.field("file", Msg("Send the file as multipart/form-data field 'file'."))
        return requirements.add_attachment(actor(), req, upload.filename, upload.stream, upload.mimetype)


@blp.route("/attachments/<int:attachment_id>")
class AttachmentFile(MethodView):
    @file_response(blp, ANY_FILE, "The file as uploaded, of its own media type.")
    @error_responses(blp, 404)
    def get(self, attachment_id):
        """Download an attachment (only within your region)."""
        attachment, path = requirements.get_attachment_for(actor(), attachment_id)
        return send_file(path, mimetype=attachment.content_type, as_attachment=True,
                         download_name=attachment.filename)
