"""In a real browser: a requirement whose response clock is at risk carries the marker on the
list, and the list's service-level filter keeps only such items."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.models import Event, User
from app.services import requirements, sla

pytestmark = pytest.mark.e2e


def bj(text: str) -> datetime:
    return datetime.fromisoformat(text) - timedelta(hours=8)


def test_at_risk_marker_on_the_list(live_server, page, sign_in, monkeypatch):
    base, app = live_server
    with app.app_context():
        engineer = db.session.scalar(select(User).where(User.username == "engineer"))
        fields = {"description": "", "domain": "execution", "module": "", "priority": "high", "channel": "phone",
                  "proposer_name": "李秀英", "region": "445200"}
        late = requirements.create(engineer, {**fields, "title": "指标余额未回滚（响应即将超时）", "type": "defect"})
        calm = requirements.create(engineer, {**fields, "title": "报表导出格式优化", "type": "optimization"})
        codes = late.code, calm.code
        for event in db.session.scalars(select(Event).where(Event.requirement_id.in_((late.id, calm.id)))):
            event.at = bj("2026-03-09T09:00")
        db.session.commit()
    # the service levels' clock reads Monday 9 March 2026, 09:25 Beijing time: 25 of 30 minutes used
    monkeypatch.setattr(sla, "utcnow", lambda: bj("2026-03-09T09:25"))
    with app.app_context():
        sla.tick()

    sign_in(page, base, "manager")
    late_row = page.locator("tr", has_text=codes[0])
    expect(late_row.locator(".sla-mark")).to_have_text("即将超时")
    expect(page.locator("tr", has_text=codes[1]).locator(".sla-mark")).to_have_count(0)

    page.select_option("select[name=sla]", "at_risk")
    expect(page.locator("tr", has_text=codes[1])).to_have_count(0)
    expect(page.locator("tr", has_text=codes[0]).locator(".sla-mark")).to_have_text("即将超时")
    expect(page).to_have_url(f"{base}/requirements?sla=at_risk")
