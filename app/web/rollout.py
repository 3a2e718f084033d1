"""The rollout board of a release and the versions regions run (issue 9).

Every action on the board posts to its own route; htmx swaps the answered `board` block in
place (409/422 answer the block with the message at the target acted on); a plain form goes
back to the board (303)."""
from __future__ import annotations

from flask import g, url_for
from flask_babel import lazy_gettext as _l
from htmx_flask import request

from app.schemas.rollout import SmokeRunSchema, TargetAddSchema, TargetMoveSchema
from app.services import permissions, releases
from app.services.releases import rollout, rollout_states
from app.web import bp
from app.web.helpers import FormSubmission, htmx_redirect, load_query, render_page_or_block

BOARD = "rollout/board.html"

# the button that makes each move, in the reader's words
MOVE_LABELS = {
    "in_progress": _l("Start upgrade"),
    "done": _l("Mark upgraded"),
    "failed": _l("Mark failed"),
    "rolled_back": _l("Mark rolled back"),
}


@bp.app_template_global()
def rollout_status_label(status: str) -> str:
    return rollout_states.label(status)


@bp.app_template_global()
def rollout_counts(release) -> dict[str, int] | None:
    """Counts per status of the release's targets in the reader's scope (the release page's
    card), None before it is scheduled."""
    if release.status not in ("scheduled", "rolling_out", "completed", "rolled_back"):
        return None
    return rollout.board(g.user, release).counts


def _context(release, errors=None, acted_on=None, values=None) -> dict:
    board = rollout.board(g.user, release)
    may_act = permissions.can(g.user, "record_results") and release.status in rollout.ACTIVE
    may_edit = permissions.can(g.user, "manage_releases") and rollout.targets_editable(release)
    return dict(release=release, board=board, groups=board.groups(), views={v.id: v for v in board.views()},
                may_act=may_act, may_edit=may_edit, moves=rollout_states.allowed_targets,
                addable=rollout.addable_regions(g.user, release) if may_edit else [],
                move_labels=MOVE_LABELS, errors=errors or {}, acted_on=acted_on, values=values or {},
                default_tags=rollout.DEFAULT_SMOKE_TAGS)


@bp.route("/releases/<int:release_id>/rollout")
def release_rollout(release_id: int):
    release = releases.get(g.user, release_id)
    return render_page_or_block(BOARD, "board", **_context(release))


def _answer(release, form: FormSubmission, acted_on=None):
    if form.error is None and not request.htmx:
        return htmx_redirect(url_for("web.release_rollout", release_id=release.id))
    db_reset()
    status = 200 if form.error is None else (form.status if form.status in (409, 422) else 422)
    return render_page_or_block(BOARD, "board", **_context(release, form.errors, acted_on,
                                                           form.values if form.error else None)), status


def db_reset() -> None:
    """Read the board afresh after a use case (its objects may be stale after a rollback)."""
    from app.extensions import db

    db.session.expire_all()


@bp.route("/releases/<int:release_id>/rollout/<int:target_id>/move", methods=["POST"])
def rollout_move(release_id: int, target_id: int):
    release = releases.get(g.user, release_id)
    form = FormSubmission(TargetMoveSchema())

    def call(data):
        if data.get("status"):
            return rollout.move(g.user, release, target_id, data["status"], data.get("notes"))
        return rollout.edit_notes(g.user, release, target_id, data["notes"])

    form.submit(call)
    return _answer(release, form, target_id)


@bp.route("/releases/<int:release_id>/rollout/<int:target_id>/smoke-run", methods=["POST"])
def rollout_smoke_run(release_id: int, target_id: int):
    release = releases.get(g.user, release_id)
    form = FormSubmission(SmokeRunSchema())
    form.submit(lambda data: rollout.smoke_run(g.user, release, target_id, data.get("tags")))
    return _answer(release, form, target_id)


@bp.route("/releases/<int:release_id>/rollout/targets", methods=["POST"])
def rollout_add(release_id: int):
    release = releases.get(g.user, release_id)
    form = FormSubmission(TargetAddSchema())
    form.submit(lambda data: rollout.add_target(g.user, release, data["region"]))
    return _answer(release, form, "add")


@bp.route("/releases/<int:release_id>/rollout/<int:target_id>/remove", methods=["POST"])
def rollout_remove(release_id: int, target_id: int):
    release = releases.get(g.user, release_id)
    form = FormSubmission()
    form.submit(lambda _data: rollout.remove_target(g.user, release, target_id))
    return _answer(release, form, target_id)


@bp.route("/regions/versions")
def region_versions():
    from app.schemas.rollout import VersionsQuerySchema

    args, raw, errors = load_query(VersionsQuerySchema())
    versions = rollout.versions(g.user, behind_only=args["behind"])
    return render_page_or_block("rollout/versions.html", "rows", versions=versions, behind_only=args["behind"],
                                query_errors=errors)
