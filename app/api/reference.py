from __future__ import annotations

from flask.views import MethodView

from app.api import actor, make_blueprint
from app.api.contract import error_responses
from app.schemas.reference import (
    LookupCreateSchema,
    LookupSchema,
    LookupUpdateSchema,
    RegionCreateSchema,
    RegionSchema,
    RegionUpdateSchema,
)
from app.services import reference
from app.services.errors import NotFound

blp = make_blueprint("reference", "Reference data: regions, domains, types, channels, priorities")

# URL name -> lookup kind
LISTS = {"domains": "domain", "types": "type", "channels": "channel", "priorities": "priority"}


def _kind(name: str) -> str:
    if name not in LISTS:
        raise NotFound(f"No reference list '{name}'; there are {', '.join(LISTS)}.")
    return LISTS[name]


@blp.route("/reference/<string:name>")
class LookupList(MethodView):
    @blp.response(200, LookupSchema(many=True))
    def get(self, name):
        """Active codes and labels of one list (domains, types, channels, priorities)."""
        return reference.lookups(_kind(name))

    @blp.arguments(LookupCreateSchema)
    @blp.response(201, LookupSchema)
    @error_responses(blp, 403, 409, conflict="The code is taken.")
    def post(self, data, name):
        """Add a code (admin)."""
        return reference.create_lookup(actor(), _kind(name), data)


@blp.route("/reference/<string:name>/<string:code>")
class LookupItem(MethodView):
    @blp.arguments(LookupUpdateSchema)
    @blp.response(200, LookupSchema)
    @error_responses(blp, 403)
    def patch(self, data, name, code):
        """Edit a label, order or the active flag (admin); codes never change."""
        return reference.update_lookup(actor(), _kind(name), code, data)


@blp.route("/regions")
class Regions(MethodView):
    @blp.response(200, RegionSchema(many=True))
    def get(self):
        """The region tree, flattened in path order."""
        return reference.regions()

    @blp.arguments(RegionCreateSchema)
    @blp.response(201, RegionSchema)
    @error_responses(blp, 403, 409, conflict="The region code is taken.")
    def post(self, data):
        return reference.create_region(actor(), data)


@blp.route("/regions/<string:code>")
class RegionItem(MethodView):
    @blp.arguments(RegionUpdateSchema)
    @blp.response(200, RegionSchema)
    @error_responses(blp, 403)
    def patch(self, data, code):
        return reference.update_region(actor(), code, data)
