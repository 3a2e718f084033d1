"""Similar requirements, proposers, undoing a merge and possible duplicates (/api/v1)."""
from __future__ import annotations

from flask.views import MethodView

from app.api import actor, make_blueprint
from app.api.contract import error_responses
from app.schemas.duplicates import (
    GroupSchema,
    ProposerFiguresSchema,
    ProposersSchema,
    SimilarQuerySchema,
    SimilarSchema,
    UndoMergeSchema,
)
from app.schemas.requirement import RequirementQuerySchema, RequirementSchema
from app.services import duplicates, requirements

blp = make_blueprint("duplicates", "Similar requirements, proposers and merging duplicates")


@blp.route("/requirements/similar")
class SimilarRequirements(MethodView):
    @blp.arguments(SimilarQuerySchema, location="query")
    @blp.response(200, SimilarSchema(many=True))
    def get(self, args):
        """The open requirements in your region most like `text` (or `title` + `description`),
        best first, each with a similarity score from 0 to 1."""
        text = " ".join(v for v in (args["text"], args["title"], args["description"]) if v)
        return duplicates.similar(actor(), text, args["limit"], exclude_id=args["exclude"])


@blp.route("/requirements/possible-duplicates")
class PossibleDuplicates(MethodView):
    @blp.response(200, GroupSchema(many=True))
    def get(self):
        """Groups of open requirements that look alike (managers): the oldest is the original."""
        return duplicates.possible_duplicates(actor())


@blp.route("/requirements/proposer-figures")
class ProposerFigures(MethodView):
    @blp.arguments(RequirementQuerySchema, location="query")
    @blp.response(200, ProposerFiguresSchema)
    def get(self, args):
        """Requirements, proposers, distinct units and cities of the list with the same filters
        as `GET /requirements` (statistics count proposers)."""
        args.pop("page"), args.pop("per_page")
        return duplicates.proposer_figures(requirements.search(actor(), args))


@blp.route("/requirements/<int:requirement_id>/proposers")
class Proposers(MethodView):
    @blp.response(200, ProposersSchema)
    def get(self, requirement_id):
        """Everyone who raised the requirement (its own first, then those merged in)."""
        req = requirements.get_for(actor(), requirement_id)
        items = duplicates.proposers(req)
        reach = duplicates.reach([req.id]).get(req.id)
        return {"items": items, "proposers": len(items), "units": reach.units if reach else 0,
                "cities": reach.cities if reach else 0}


@blp.route("/requirements/<int:requirement_id>/undo-merge")
class UndoMerge(MethodView):
    @blp.arguments(UndoMergeSchema)
    @blp.response(200, RequirementSchema)
    @error_responses(blp, 403, 409, conflict="Only a requirement merged into another, and not while that"
                     " one is merged itself.")
    def post(self, data, requirement_id):
        """Undo the merge of this duplicate: status, proposers, attachments and link restored."""
        req = requirements.get_for(actor(), requirement_id)
        return duplicates.undo_merge(actor(), req, data["reason"])
