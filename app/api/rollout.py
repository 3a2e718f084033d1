"""A release's rollout per region and the version each region runs, under /api/v1 (issue 9)."""
from __future__ import annotations

from flask.views import MethodView

from app.api import actor, make_blueprint
from app.api.contract import error_responses
from app.schemas.rollout import (
    BoardSchema,
    SmokeRunSchema,
    TargetAddSchema,
    TargetMoveSchema,
    TargetSchema,
    VersionsQuerySchema,
    VersionsSchema,
)
from app.services import releases
from app.services.releases import rollout

blp = make_blueprint("rollout", "Rollout per region and the version each region runs")


@blp.route("/releases/<int:release_id>/rollout")
class Rollout(MethodView):
    @blp.response(200, BoardSchema)
    def get(self, release_id):
        """The release's rollout targets in your region (overdue first), counts per status, the
        overdue target ids and the window's end."""
        return rollout.board(actor(), releases.get(actor(), release_id))

    @blp.arguments(TargetAddSchema)
    @blp.response(201, TargetSchema)
    @error_responses(blp, 403, 409, conflict="Targets are added while the release is scheduled and before "
                     "its upgrade window starts; a region is a target once.")
    def post(self, data, release_id):
        """Add a region (a county, or a city removed earlier) as a target: managers, while the
        release is scheduled and its window has not started (409 otherwise)."""
        release = releases.get(actor(), release_id)
        target = rollout.add_target(actor(), release, data["region"])
        return rollout.view(release, target)


@blp.route("/releases/<int:release_id>/rollout/<int:target_id>")
class RolloutTarget(MethodView):
    @blp.response(200, TargetSchema)
    def get(self, release_id, target_id):
        """One target (404 outside your region)."""
        release = releases.get(actor(), release_id)
        return rollout.view(release, rollout.get_target(actor(), release, target_id))

    @blp.arguments(TargetMoveSchema)
    @blp.response(200, TargetSchema)
    @error_responses(blp, 403, 409, conflict="Targets move only while the release is scheduled or rolling "
                     "out, along the rollout states; `done` needs a passed smoke run.")
    def patch(self, data, release_id, target_id):
        """Move a target (`pending` → `in_progress` → `done` | `failed`; `failed` → `in_progress` |
        `rolled_back`) and/or set its notes. Illegal moves answer 409, so does `done` while its
        smoke run has not passed. The first start moves the release to `rolling_out`, the last
        `done` to `completed`."""
        release = releases.get(actor(), release_id)
        if data.get("status"):
            target = rollout.move(actor(), release, target_id, data["status"], data.get("notes"))
        else:
            target = rollout.edit_notes(actor(), release, target_id, data["notes"])
        return rollout.view(release, target)

    @blp.response(204)
    @error_responses(blp, 403, 409, conflict="Not once the region's upgrade has started.")
    def delete(self, release_id, target_id):
        """Remove a pending target: managers, before the window starts."""
        rollout.remove_target(actor(), releases.get(actor(), release_id), target_id)


@blp.route("/releases/<int:release_id>/rollout/<int:target_id>/smoke-run")
class RolloutSmokeRun(MethodView):
    @blp.arguments(SmokeRunSchema)
    @blp.response(201, TargetSchema)
    @error_responses(blp, 403, 409, conflict="A smoke run starts only while the region's upgrade is under "
                     "way.")
    def post(self, data, release_id, target_id):
        """Start a `production` verification run for the target's region over `tags` (default
        `@smoke or @冒烟`); the target can then be `done` only once that run passed."""
        release = releases.get(actor(), release_id)
        target = rollout.smoke_run(actor(), release, target_id, data.get("tags"))
        return rollout.view(release, target)


@blp.route("/regions/versions")
class RegionVersions(MethodView):
    @blp.arguments(VersionsQuerySchema, location="query")
    @blp.response(200, VersionsSchema)
    def get(self, query):
        """Each city and county in your region with the release it runs (its latest done
        target; a county without one runs its city's), flagged `behind` the latest completed
        release; `behind=true` lists only those."""
        return rollout.versions(actor(), behind_only=query["behind"])
