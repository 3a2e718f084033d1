from __future__ import annotations

from flask.views import MethodView

from app.api import actor, make_blueprint
from app.api.contract import error_responses
from app.schemas.reference import UserCreateSchema, UserSchema, UserUpdateSchema
from app.services import users

blp = make_blueprint("users", "User administration (admin)")


@blp.route("/users")
class Users(MethodView):
    @blp.response(200, UserSchema(many=True))
    def get(self):
        return users.list_users(actor())

    @blp.arguments(UserCreateSchema)
    @blp.response(201, UserSchema)
    @error_responses(blp, 403, 409, conflict="The username is taken.",
                     invalid="Passwords: at least the minimum length, not the username, not a common "
                     "password.")
    def post(self, data):
        return users.admin_create(actor(), data)


@blp.route("/users/<int:user_id>")
class UserItem(MethodView):
    @blp.arguments(UserUpdateSchema)
    @blp.response(200, UserSchema)
    @error_responses(blp, 403, 409, conflict="Administrators cannot remove their own administrator "
                     "rights or deactivate themselves.")
    def patch(self, data, user_id):
        return users.admin_update(actor(), user_id, data)
