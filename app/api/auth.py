from __future__ import annotations

from flask import g
from flask.views import MethodView

from app.api import actor, make_blueprint
from app.schemas.auth import TokenRequestSchema, TokenSchema
from app.schemas.reference import UserSchema
from app.services import auth

blp = make_blueprint("auth", "Sign-in tokens for API clients")


@blp.route("/auth/token")
class Token(MethodView):
    @blp.arguments(TokenRequestSchema)
    @blp.response(201, TokenSchema)
    def post(self, data):
        """Exchange a username and password for a bearer token."""
        user = auth.authenticate(data["username"], data["password"])
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
