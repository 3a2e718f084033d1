"""Proposer status links (issue 10): the public status page (`/p/<token>`, no sign-in, its own
minimal layout) and the requirement page's card to create or revoke the link."""
from __future__ import annotations

from flask import Blueprint, g, make_response, render_template, url_for
from htmx_flask import make_response as htmx_response
from jinja2_fragments.flask import render_block

from app.services import share_links
from app.services.errors import NotFound
from app.services.requirements import get_for
from app.web import bp

public_bp = Blueprint("web_public", __name__)

CARD_TEMPLATE = "requirements/_share_link.html"
PUBLIC_TEMPLATE = "public/share.html"


def _public_headers(response):
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


@public_bp.route("/p/<path:token>")
def share_page(token: str):
    """What the proposer sees: code, title, status, public history and feedback. A garbled,
    revoked or expired token answers 404 with the same minimal page (nothing else revealed)."""
    try:
        req = share_links.resolve(token)
    except NotFound:
        return _public_headers(make_response(render_template(PUBLIC_TEMPLATE, page=None), 404))
    page = share_links.public_status(req)
    return _public_headers(make_response(render_template(PUBLIC_TEMPLATE, page=page)))


@bp.app_template_global("share_link_active")
def share_link_active(req):
    """The requirement's active status link (or None), for its card on the requirement page."""
    return share_links.active_link(req)


def _card(req_id: int, **context):
    req = get_for(g.user, req_id)
    # the feedback drafts' card (templates/requirements/_proposer_loop.html) says where the link goes
    return htmx_response(render_block(CARD_TEMPLATE, "card", req=req, **context), trigger="share-link-changed")


@bp.route("/requirements/<int:requirement_id>/share-link", methods=["POST"])
def requirement_share_link_create(requirement_id: int):
    link, token = share_links.create(g.user, requirement_id)
    url = url_for("web_public.share_page", token=token, _external=True)
    return _card(requirement_id, new_url=url)


@bp.route("/requirements/<int:requirement_id>/share-link/revoke", methods=["POST"])
def requirement_share_link_revoke(requirement_id: int):
    share_links.revoke(g.user, requirement_id)
    return _card(requirement_id, revoked=True)
