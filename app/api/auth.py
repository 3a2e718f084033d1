from __future__ import annotations

from flask import g, request
from flask.views import MethodView

from app.api import actor, make_blueprint
from app.api.contract import error_responses
from app.schemas.auth import ApiTokenSchema, TokenListQuerySchema, TokenRequestSchema, TokenSchema
from app.schemas.reference import UserSchema
from app.services import auth

blp = make_blueprint("auth", "Sign-in tokens for API clients")


@blp.route("/auth/token")
class Token(MethodView):
    @blp.doc(security=[])
    @blp.arguments(TokenRequestSchema)
    @blp.response(201, TokenSchema)
    @error_responses(blp, 401, 429, throttled="After repeated failures for the account or from the "
                     "address, every attempt answers 429 `too_many_attempts` until the lock ends, "
                     "even with the right password.")
    def post(self, data):
        """Exchange a username and password for a bearer token (valid API_TOKEN_DAYS, 30 by
        default). Repeated failures lock the account (and the address) for a while: 429
        `too_many_attempts`."""
        user = auth.authenticate(data["username"], data["password"], request.remote_addr or "")
        return {"token": auth.issue_token(user)}

    @blp.response(204)
    def delete(self):
        """Revoke the token used for this request."""
        auth.revoke_token(g.api_token)


@blp.route("/me")
class Me(MethodView):
    @blp.response(200, UserSchema)
    def get(self):
        """The user the token belongs to."""
        return actor()


@blp.route("/auth/tokens")
class Tokens(MethodView):
    @blp.arguments(TokenListQuerySchema, location="query")
    @blp.response(200, ApiTokenSchema(many=True))
    def get(self, args):
        """Your tokens (never their value), newest first; administrators may name a `user`."""
        return auth.tokens_of(actor(), args.get("user"))


@blp.route("/auth/tokens/<int:token_id>")
class TokenEntry(MethodView):
    @blp.response(204)
    def delete(self, token_id):
        """Revoke one of your tokens (administrators: anyone's in their region); 404 otherwise."""
        auth.revoke_token_id(actor(), token_id)
