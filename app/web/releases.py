"""A release's lifecycle pages: moves, requirements, waivers, sign-offs, the acceptance report.

The release list and page themselves are in app.web.verification (with the runs); every form
here posts to its own route, goes back to the release page when it succeeds (HX-Location), and
otherwise answers the page's `release_errors` block (409/422, swapped at the top of the page)."""
from __future__ import annotations

from flask import g, render_template, send_file, url_for
from flask_babel import lazy_gettext as _l
from htmx_flask import request

from app.schemas.release import ReleaseTransitionSchema, SignoffCreateSchema, WaiverCreateSchema
from app.services import releases
from app.services.releases import documents, lifecycle, report
from app.services.releases.timeline import describe, kind_label, role_name
from app.web import bp
from app.web.helpers import FormSubmission, htmx_redirect, render_page_or_block

RELEASE_TEMPLATE = "verification/release.html"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

VERDICT_LABELS = {
    "passed": _l("Passed"),
    "failed": _l("Failed"),
    "untested": _l("Not yet verified"),
    "no_scenario": _l("No scenario"),
}
KIND_OF_CHECK_LABELS = {
    "function": _l("Function check"),
    "process": _l("Process check"),
    "system_control": _l("System control check"),
}


@bp.app_template_global()
def release_status_label(status: str) -> str:
    return lifecycle.label(status)


@bp.app_template_global()
def verdict_label(verdict: str) -> str:
    return str(VERDICT_LABELS.get(verdict, verdict))


@bp.app_template_global()
def check_kind_label(kind: str) -> str:
    return str(KIND_OF_CHECK_LABELS.get(kind, kind))


@bp.app_template_global()
def signoff_role_label(role: str) -> str:
    return role_name(role)


@bp.app_template_global()
def report_zh() -> dict:
    """The Chinese names the printable report uses (the same as the .docx)."""
    from app.services import reference

    return {"verdict": documents.VERDICT_ZH, "status": documents.STATUS_ZH, "kind": documents.KIND_ZH,
            "role": documents.ROLE_ZH, "env": documents.ENV_ZH, "when": documents.cn_when,
            "domain": reference.all_labels(english=False).get("domain", {})}


@bp.app_template_global()
def open_releases_for_scheduling() -> list:
    """The releases a requirement can be scheduled into (the requirement page's choice)."""
    return releases.open_releases(g.user)


@bp.app_template_global()
def release_verdict_of(req):
    """(release, verdict) of the release carrying the requirement, or None (requirement page)."""
    return releases.verdict_of(g.user, req)


def release_page_context(release) -> dict:
    """What the release page shows beside its runs (app.web.verification builds the rest)."""
    from app.services.releases.gate import assess

    assessment = assess(release)
    from app.services.releases.rollout import manual_move_blocker

    # rolling_out / completed follow the rollout board when the release has targets
    moves = [m for m in lifecycle.allowed_targets(release.status) if manual_move_blocker(release, m) is None]
    return dict(
        verdicts=releases.requirement_verdicts(g.user, release, assessment),
        gate=releases.gate(g.user, release, assessment),
        scenario_states=assessment.scenarios,
        waivers=releases.waivers(release),
        signoff_rows=releases.signoffs(release),
        next_role=releases.next_signer_role(release),
        may_sign=releases.may_sign_now(g.user, release),
        release_moves=moves,
        # the service's own rule for `accepted`: the button is disabled while any stands
        accept_blockers=releases.acceptance_blockers(release, assessment) if "accepted" in moves else [],
        release_events=releases.events(release),
        describe_release_event=describe,
        release_kind_label=kind_label,
        candidates=_candidates(release),
    )


def _candidates(release) -> list:
    """Requirements that could be added (approved, or failed in an earlier release) in the reader's scope."""
    from sqlalchemy import select

    from app.extensions import db
    from app.models import Requirement
    from app.services import permissions

    if release.status not in lifecycle.BEFORE_ACCEPTANCE or not permissions.can(g.user, "manage_releases"):
        return []
    return list(db.session.scalars(
        select(Requirement).where(Requirement.status.in_(releases.ADDABLE),
                                  permissions.region_clause(g.user, Requirement.region_id))
        .order_by(Requirement.code).limit(200)))


def _answer(release, form: FormSubmission):
    if form.error is None:
        return htmx_redirect(url_for("web.release_detail", release_id=release.id))
    status = form.status if form.status in (409, 422) else 422
    return render_page_or_block(RELEASE_TEMPLATE, "release_errors", release=release, release_form_errors=form.errors,
                                errors={}), status


@bp.route("/releases/<int:release_id>/transitions", methods=["POST"])
def release_transition(release_id: int):
    release = releases.get(g.user, release_id)
    form = FormSubmission(ReleaseTransitionSchema())
    form.submit(lambda data: releases.transition(g.user, release, data["to"], data["reason"], data["build"]))
    return _answer(release, form)


@bp.route("/releases/<int:release_id>/requirements", methods=["POST"])
def release_add_requirements(release_id: int):
    release = releases.get(g.user, release_id)
    ids = [int(v) for v in request.form.getlist("requirement_ids") if v.isdigit()]
    form = FormSubmission()
    form.submit(lambda _data: releases.add_requirements(g.user, release, ids))
    return _answer(release, form)


@bp.route("/releases/<int:release_id>/requirements/<int:requirement_id>/remove", methods=["POST"])
def release_remove_requirement(release_id: int, requirement_id: int):
    release = releases.get(g.user, release_id)
    form = FormSubmission()
    form.submit(lambda _data: releases.remove_requirement(g.user, release, requirement_id,
                                                          request.form.get("reason")))
    return _answer(release, form)


@bp.route("/releases/<int:release_id>/waivers", methods=["POST"])
def release_waive(release_id: int):
    release = releases.get(g.user, release_id)
    form = FormSubmission(WaiverCreateSchema())
    form.submit(lambda data: releases.add_waiver(g.user, release, data["scenario_id"], data["reason"]))
    return _answer(release, form)


@bp.route("/releases/<int:release_id>/waivers/<int:waiver_id>/withdraw", methods=["POST"])
def release_withdraw_waiver(release_id: int, waiver_id: int):
    release = releases.get(g.user, release_id)
    form = FormSubmission()
    form.submit(lambda _data: releases.withdraw_waiver(g.user, release, waiver_id))
    return _answer(release, form)


@bp.route("/releases/<int:release_id>/signoffs", methods=["POST"])
def release_sign(release_id: int):
    release = releases.get(g.user, release_id)
    form = FormSubmission(SignoffCreateSchema())
    form.submit(lambda data: releases.sign(g.user, release, data["decision"], data["comment"]))
    return _answer(release, form)


@bp.route("/releases/<int:release_id>/report")
def release_report(release_id: int):
    """The printable acceptance report (as signed once accepted)."""
    release = releases.get(g.user, release_id)
    return render_template("verification/release_report.html", release=release, data=report.report_of(release))


@bp.route("/releases/<int:release_id>/report.docx")
def release_report_docx(release_id: int):
    release = releases.get(g.user, release_id)
    return send_file(documents.report_docx(report.report_of(release)), mimetype=DOCX, as_attachment=True,
                     download_name=documents.report_filename(release))


@bp.route("/releases/<int:release_id>/problems.xlsx")
def release_problems_xlsx(release_id: int):
    release = releases.get(g.user, release_id)
    return send_file(documents.problems_xlsx(release, report.problems(g.user, release)), mimetype=XLSX,
                     as_attachment=True, download_name=documents.problems_filename(release))


@bp.app_template_global()
def scenario_waivers(scenario_id: int) -> dict[int, str]:
    """{release id: reason} of the active waivers of a scenario (its rows on the scenario page)."""
    return releases.waivers_of_scenario(scenario_id)


@bp.route("/releases/<int:release_id>/signoff-roles", methods=["POST"])
def release_signoff_roles(release_id: int):
    """A manager sets the roles that sign, in order (one select per place; blanks are skipped)."""
    from app.schemas.release import ReleaseEditSchema

    release = releases.get(g.user, release_id)
    form = FormSubmission(ReleaseEditSchema(only=("signoff_roles",)))
    form.submit(lambda data: releases.edit(g.user, release, {"signoff_roles": data.get("signoff_roles") or []}))
    return _answer(release, form)
