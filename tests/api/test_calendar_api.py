"""GET /api/v1/calendar and the overrides (/api/v1/calendar/overrides) against issue 10."""
from __future__ import annotations

from sqlalchemy import func, select

from app.extensions import db
from app.models import CalendarOverride


def by_date(response) -> dict[str, dict]:
    assert response.status_code == 200, response.json
    return {d["date"]: d for d in response.json}


def test_days_say_whether_and_why(api):
    days = by_date(api("engineer").get("/api/v1/calendar?from=2026-02-13&to=2026-03-02"))
    assert len(days) == 18
    assert days["2026-02-13"] == {"date": "2026-02-13", "workday": True, "reason": "workday", "holiday": None,
                                  "holiday_label": None, "note": "", "official": True}
    assert days["2026-02-14"]["workday"] is True and days["2026-02-14"]["reason"] == "makeup_workday"
    assert days["2026-02-28"]["workday"] is True and days["2026-02-28"]["reason"] == "makeup_workday"
    festival = days["2026-02-17"]
    assert (festival["workday"], festival["reason"], festival["holiday"], festival["holiday_label"]) == (
        False, "holiday", "Spring Festival", "春节")
    assert days["2026-03-01"]["reason"] == "weekend" and days["2026-03-01"]["workday"] is False


def test_national_day_2025(api):
    days = by_date(api("taskforce").get("/api/v1/calendar?from=2025-09-28&to=2025-10-11"))
    assert all(days[f"2025-10-0{n}"]["reason"] == "holiday" for n in range(1, 9))
    assert days["2025-09-28"]["reason"] == days["2025-10-11"]["reason"] == "makeup_workday"


def test_bad_ranges_name_the_field(api):
    client = api("engineer")
    response = client.get("/api/v1/calendar?from=2026-03-01")
    assert response.status_code == 422 and "to" in response.json["errors"]
    response = client.get("/api/v1/calendar?from=2026-03-01&to=2026-02-01")
    assert response.status_code == 422 and "to" in response.json["errors"]
    response = client.get("/api/v1/calendar?from=2026-01-01&to=2027-06-01")
    assert response.status_code == 422 and "to" in response.json["errors"]
    response = client.get("/api/v1/calendar?from=2026-13-01&to=2026-12-01")
    assert response.status_code == 422 and "from" in response.json["errors"]


def test_calendar_needs_a_token(client):
    assert client.get("/api/v1/calendar?from=2026-03-01&to=2026-03-02").status_code == 401


def test_admin_adds_and_removes_overrides(api, app):
    admin = api("admin", "440000")
    response = admin.post("/api/v1/calendar/overrides", json={"date": "2027-02-08", "workday": False,
                                                               "note": "春节（2027年安排待公布）"})
    assert response.status_code == 201, response.json
    assert response.json["date"] == "2027-02-08" and response.json["workday"] is False
    admin.post("/api/v1/calendar/overrides", json={"date": "2027-02-20", "workday": True, "note": "调休上班"})
    days = by_date(admin.get("/api/v1/calendar?from=2027-02-05&to=2027-02-20"))
    assert days["2027-02-05"] == {"date": "2027-02-05", "workday": True, "reason": "workday", "holiday": None,
                                  "holiday_label": None, "note": "", "official": False}
    assert days["2027-02-06"]["reason"] == "weekend"
    assert (days["2027-02-08"]["workday"], days["2027-02-08"]["reason"], days["2027-02-08"]["note"]) == (
        False, "override", "春节（2027年安排待公布）")
    assert days["2027-02-20"]["workday"] is True and days["2027-02-20"]["reason"] == "override"
    listed = admin.get("/api/v1/calendar/overrides").json
    assert [o["date"] for o in listed] == ["2027-02-08", "2027-02-20"]

    duplicate = admin.post("/api/v1/calendar/overrides", json={"date": "2027-02-08", "workday": True})
    assert duplicate.status_code == 409 and "date" in duplicate.json["errors"]

    assert admin.delete("/api/v1/calendar/overrides/2027-02-08").status_code == 204
    assert admin.delete("/api/v1/calendar/overrides/2027-02-08").status_code == 404
    assert admin.delete("/api/v1/calendar/overrides/not-a-date").status_code == 404
    days = by_date(admin.get("/api/v1/calendar?from=2027-02-08&to=2027-02-08"))
    assert days["2027-02-08"]["reason"] == "workday"


def test_override_input_and_roles(api, app):
    admin, manager = api("admin", "440000"), api("manager", "445200")
    response = admin.post("/api/v1/calendar/overrides", json={"workday": True})
    assert response.status_code == 422 and "date" in response.json["errors"]
    response = admin.post("/api/v1/calendar/overrides", json={"date": "2027-01-01"})
    assert response.status_code == 422 and "workday" in response.json["errors"]
    response = admin.post("/api/v1/calendar/overrides", json={"date": "2027-01-01", "workday": "maybe"})
    assert response.status_code == 422 and "workday" in response.json["errors"]
    response = admin.post("/api/v1/calendar/overrides", json={"date": "2027-01-01", "workday": False, "note": "x" * 201})
    assert response.status_code == 422 and "note" in response.json["errors"]
    assert manager.post("/api/v1/calendar/overrides", json={"date": "2027-01-01", "workday": False}).status_code == 403
    assert api("admin", "440000").post("/api/v1/calendar/overrides",
                                       json={"date": "2027-01-01", "workday": False}).status_code == 201
    assert manager.delete("/api/v1/calendar/overrides/2027-01-01").status_code == 403
    assert manager.get("/api/v1/calendar/overrides").status_code == 200
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(CalendarOverride)) == 1
