"""The working calendar: days with the reason they are (not) working days, and the overrides."""
from __future__ import annotations

from flask.views import MethodView

from app.api import actor, make_blueprint
from app.api.contract import error_responses
from app.schemas.calendar import CalendarDaySchema, CalendarQuerySchema, OverrideCreateSchema, OverrideSchema
from app.services import calendar

blp = make_blueprint("calendar", "The working calendar (official holidays, make-up days, overrides)")


@blp.route("/calendar")
class CalendarDays(MethodView):
    @blp.arguments(CalendarQuerySchema, location="query")
    @blp.response(200, CalendarDaySchema(many=True))
    def get(self, query):
        """Each day from `from` to `to` (at most 366): `workday` and why (`reason`)."""
        actor()
        return calendar.calendar_range(query["from_"], query["to"])


@blp.route("/calendar/overrides")
class Overrides(MethodView):
    @blp.response(200, OverrideSchema(many=True))
    def get(self):
        """Every override, by date."""
        return calendar.overrides()

    @blp.arguments(OverrideCreateSchema)
    @blp.response(201, OverrideSchema)
    @error_responses(blp, 403, 409, conflict="The day already has an override; remove it first.")
    def post(self, data):
        """Declare a day a working day or a day off (admin); 409 if the day has one already."""
        return calendar.add_override(actor(), data)


@blp.route("/calendar/overrides/<string:day>")
class Override(MethodView):
    @blp.response(204)
    @error_responses(blp, 403)
    def delete(self, day):
        """Remove a day's override (admin)."""
        calendar.remove_override(actor(), calendar.parse_day(day))
