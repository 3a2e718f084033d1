"""The release page's upgrade window: shown, and set by managers (issue 9). The form posts
here, goes back to the release page when it succeeds, otherwise answers the page's
`release_errors` block (409 freeze overlap or wrong status, 422 bad times)."""
from __future__ import annotations

from flask import g

from app.schemas.upgrade import WindowSetSchema
from app.services import releases
from app.services.releases import upgrade
from app.web import bp
from app.web.helpers import FormSubmission


@bp.app_template_global()
def upgrade_window_of(release):
    return upgrade.window_of(release)


@bp.app_template_global()
def window_settable(release) -> bool:
    return release.status in upgrade.WINDOW_STATUSES


@bp.route("/releases/<int:release_id>/window", methods=["POST"])
def release_set_window(release_id: int):
    from app.web.releases import _answer

    release = releases.get(g.user, release_id)
    form = FormSubmission(WindowSetSchema())
    form.submit(lambda data: upgrade.set_window(g.user, release, data["start"], data["end"], data["override_reason"]))
    return _answer(release, form)
