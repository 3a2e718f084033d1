"""A release's upgrade window and the freeze periods (封网期) under /api/v1."""
from __future__ import annotations

from flask.views import MethodView

from app.api import actor, make_blueprint
from app.api.contract import error_responses
from app.schemas.upgrade import (
    FreezeCreateSchema,
    FreezePageSchema,
    FreezeQuerySchema,
    FreezeSchema,
    FreezeUpdateSchema,
    WindowSchema,
    WindowSetSchema,
)
from app.services import releases
from app.services.errors import Msg, NotFound
from app.services.releases import upgrade

blp = make_blueprint("upgrade", "Upgrade windows and freeze periods")


@blp.route("/releases/<int:release_id>/window")
class ReleaseWindowResource(MethodView):
    @blp.response(200, WindowSchema)
    def get(self, release_id):
        """The release's upgrade window; 404 while none is set."""
        window = upgrade.window_of(releases.get(actor(), release_id))
        if window is None:
            raise NotFound(Msg("No upgrade window is set."))
        return window

    @blp.arguments(WindowSetSchema)
    @blp.response(200, WindowSchema)
    @error_responses(blp, 403, 409, conflict="The window is set while the release is planned or in "
                     "acceptance; one overlapping a freeze period answers 409 naming it unless an override "
                     "reason is given.")
    def put(self, data, release_id):
        """Set the window (upgrade_requested or scheduled releases, managers). Times without an
        offset are Beijing time. Overlapping a freeze period answers 409 naming it unless
        `override_reason` is given; the override is kept and on the release's timeline."""
        release = releases.get(actor(), release_id)
        return upgrade.set_window(actor(), release, data["start"], data["end"], data["override_reason"])


@blp.route("/freeze-periods")
class FreezePeriods(MethodView):
    @blp.arguments(FreezeQuerySchema, location="query")
    @blp.response(200, FreezePageSchema)
    def get(self, query):
        """Freeze periods, latest first, paginated."""
        return upgrade.freeze_listing(actor(), query["page"], query["per_page"])

    @blp.arguments(FreezeCreateSchema)
    @blp.response(201, FreezeSchema)
    @error_responses(blp, 403)
    def post(self, data):
        """Declare a freeze period (admin)."""
        return upgrade.create_freeze(actor(), data)


@blp.route("/freeze-periods/<int:freeze_id>")
class FreezePeriodItem(MethodView):
    @blp.arguments(FreezeUpdateSchema)
    @blp.response(200, FreezeSchema)
    @error_responses(blp, 403)
    def put(self, data, freeze_id):
        """Change a freeze period (admin)."""
        return upgrade.update_freeze(actor(), freeze_id, data)

    @blp.response(204)
    @error_responses(blp, 403)
    def delete(self, freeze_id):
        """Remove a freeze period (admin)."""
        upgrade.delete_freeze(actor(), freeze_id)
