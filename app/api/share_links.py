"""Proposer status links (/api/v1/requirements/<id>/share-link): create (revoking the previous
one) and revoke. The public page itself is `web_public.share_page` (no sign-in)."""
from __future__ import annotations

from flask import url_for
from flask.views import MethodView

from app.api import actor, make_blueprint
from app.api.contract import error_responses
from app.schemas.share_link import ShareLinkSchema
from app.services import share_links

blp = make_blueprint("share_links", "Proposer status links: a read-only, expiring page for the proposer")


@blp.route("/requirements/<int:requirement_id>/share-link")
class ShareLink(MethodView):
    @blp.response(201, ShareLinkSchema)
    @error_responses(blp, 403)
    def post(self, requirement_id):
        """A new status link for the proposer (the previous one stops working). The URL is shown
        only now: the server keeps just a hash of its token."""
        link, token = share_links.create(actor(), requirement_id)
        return {"url": url_for("web_public.share_page", token=token, _external=True), "expires_at": link.expires_at}

    @blp.response(204)
    @error_responses(blp, 403)
    def delete(self, requirement_id):
        """Revoke the requirement's status link (404 when it has none)."""
        share_links.revoke(actor(), requirement_id)
