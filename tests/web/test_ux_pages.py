"""What a new user tripped over (issue 7), page by page, on the demo data a new user sees first:
feature names in the scenario list, labelled run results, the run filter that follows the
checklist, sorting in the address bar, the edit form opened as a page, the region tree, dates
typed as yyyy-mm-dd, and demo requirements that name their own region. The phone width of every
page is checked in a real browser: tests/e2e/test_phone_width.py."""
from __future__ import annotations

import re

import pytest

from app.extensions import db
from app.models import Region, Requirement, Run
from app.seed import demo, demo_meetings, demo_verification

HX = {"HX-Request": "true"}


@pytest.fixture
def demo_site(seed_once):
    """The demo data of `flask seed-demo`: requirements, meetings, scenarios and a run (built once
    per worker, copied)."""

    def load():
        demo.load()
        demo_meetings.load()
        demo_verification.load()
        return {"run_id": db.session.scalar(db.select(Run.id))}

    return seed_once("demo-site", load)


@pytest.fixture
def signed_in(app, demo_site):
    def sign_in(username: str = "manager"):
        client = app.test_client()
        response = client.post("/login", data={"username": username, "password": demo.DEMO_PASSWORD})
        assert response.status_code == 302
        return client

    return sign_in


def _requirement_id(app, **where) -> int:
    with app.app_context():
        stmt = db.select(Requirement.id).order_by(Requirement.id)
        for key, value in where.items():
            stmt = stmt.where(getattr(Requirement, key) == value)
        return db.session.scalar(stmt)


# --- 2. the scenario list names the feature, the path is secondary ------------------------


def test_scenario_list_shows_the_feature_name_with_its_path_secondary(signed_in):
    html = signed_in().get("/scenarios").get_data(as_text=True)
    cells = re.findall(r'<td class="feature-cell"[^>]*>(.*?)</td>', html, re.S)
    assert cells, "no feature cell in the scenario list"
    for cell in cells:
        name = re.search(r'class="feature-name"[^>]*title="([^"]+)">([^<]+)</a>', cell)
        assert name, cell
        path, shown = name.groups()
        assert shown != path and not shown.endswith(".feature")  # the name, e.g. 跨年退款
        assert f'class="feature-path code muted small">{path}</span>' in cell
    assert ">跨年退款</a>" in html
    # the feature filter offers names too
    assert re.search(r"<option value=\"\d+\"[^>]*>跨年退款（execution/cross_year_refund.feature）</option>", html)


# --- 3. a release's runs say what each count is --------------------------------------------


def test_release_run_counts_are_labelled(signed_in, demo_site):
    client = signed_in()
    with client.application.app_context():
        release_id = db.session.get(Run, demo_site["run_id"]).release_id
    html = client.get(f"/releases/{release_id}").get_data(as_text=True)
    cell = re.search(r'<td class="run-counts[^"]*"[^>]*>(.*?)</td>', html, re.S).group(1)
    text = re.sub(r"<[^>]+>", "", cell)
    text = re.sub(r"\s+", " ", text).strip()
    # the demo run: 4 passed, 1 failed, 1 blocked, 4 not run of 10
    assert text == "通过 4 不通过 1 阻塞 1 未执行 4 共 10 个", text
    assert "<th>场景结果</th>" in html


# --- 4. the run filter highlights the active filter ----------------------------------------


def test_run_filter_highlight_follows_the_chosen_filter(signed_in, demo_site):
    client = signed_in()
    run_id = demo_site["run_id"]

    def active(html: str) -> list[str]:
        return re.findall(r'class="button primary" data-show="(\w+)" aria-current="true"', html)

    assert active(client.get(f"/runs/{run_id}").get_data(as_text=True)) == ["all"]
    # a reload of the pushed address highlights that filter
    assert active(client.get(f"/runs/{run_id}?show=failures").get_data(as_text=True)) == ["failures"]
    # the htmx swap of the checklist (what a filter link asks for) carries the links out of band
    page = client.get(f"/runs/{run_id}").get_data(as_text=True)
    links = dict((key, url.replace("&amp;", "&")) for url, key in re.findall(
        r'hx-get="([^"]+)" hx-target="#checklist"\s+class="[^"]*" data-show="(\w+)"', page))
    assert set(links) == {"all", "failures", "untested"}
    swap = client.get(links["failures"], headers={**HX, "HX-Target": "checklist"})
    html = swap.get_data(as_text=True)
    assert "<html" not in html and swap.headers["HX-Push-Url"].endswith("show=failures")
    assert '<div id="show-filter" hx-swap-oob="innerHTML">' in html
    assert active(html) == ["failures"]
    assert active(client.get(links["untested"], headers={**HX, "HX-Target": "checklist"})
                  .get_data(as_text=True)) == ["untested"]


def test_meeting_tabs_follow_the_shown_list(signed_in):
    client = signed_in()
    partial = client.get("/meetings?when=past", headers=HX).get_data(as_text=True)
    assert "<html" not in partial
    assert re.search(r'id="tab-past"[^>]*class="active" aria-current="page"', partial)
    assert not re.search(r'id="tab-upcoming"[^>]*aria-current', partial)
    page = client.get("/meetings").get_data(as_text=True)
    assert re.search(r'id="tab-upcoming"[^>]*class="active" aria-current="page"', page)


# --- 5. sorting goes into the address and shows its direction ------------------------------


def _sort_headers(html: str) -> dict[str, tuple[str | None, str]]:
    """{column key: (aria-sort or None, the header's inner HTML)}"""
    result = {}
    for key, attrs, inner in re.findall(r'<th data-sort="([^"]+)"([^>]*)>(.*?)</th>', html, re.S):
        aria = re.search(r'aria-sort="(\w+)"', attrs)
        result[key] = (aria.group(1) if aria else None, inner)
    return result


def test_sorting_shows_the_direction_and_lives_in_the_address(signed_in):
    client = signed_in()
    default = _sort_headers(client.get("/requirements").get_data(as_text=True))
    assert default["created"][0] == "descending" and "↓" in default["created"][1]
    assert default["code"][0] is None and "↓" not in default["code"][1] and "↑" not in default["code"][1]

    page = client.get("/requirements?sort=-priority&status=submitted").get_data(as_text=True)
    headers = _sort_headers(page)
    assert headers["priority"][0] == "descending" and '<span class="sort-dir" aria-hidden="true">↓</span>' in headers["priority"][1]
    assert headers["created"][0] is None
    # the next click on the column reverses it, keeps the filters, and pushes the address
    link = re.search(r'href="([^"]+)" hx-get="\1" hx-target="#results" hx-push-url="true"', headers["priority"][1])
    assert link and "sort=priority" in link.group(1) and "status=submitted" in link.group(1)
    # the filter form sends the sort along, so changing a filter keeps it
    assert '<input type="hidden" name="sort" value="-priority" form="filters">' in page

    swap = client.get("/requirements?sort=code&status=submitted", headers=HX)
    html = swap.get_data(as_text=True)
    assert "<html" not in html and swap.headers["HX-Push-Url"] == "/requirements?sort=code&status=submitted"
    assert _sort_headers(html)["code"][0] == "ascending" and "↑" in _sort_headers(html)["code"][1]


# --- 6. /requirements/<id>/edit opened directly is a page -----------------------------------


def test_edit_opened_directly_is_a_full_page_and_htmx_still_gets_the_fragment(signed_in, app):
    client = signed_in()
    rid = _requirement_id(app, status="submitted")
    page = client.get(f"/requirements/{rid}/edit")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert html.lstrip().startswith("<!doctype html>") and "css/app.css" in html
    assert f'<form id="fields-panel" class="edit-form" method="post" action="/requirements/{rid}/edit"' in html
    assert 'id="actions-card"' in html and 'id="timeline"' in html  # the rest of the requirement page

    fragment = client.get(f"/requirements/{rid}/edit", headers=HX).get_data(as_text=True)
    assert "<html" not in fragment and fragment.lstrip().startswith('<form id="fields-panel"')

    # the page's form also works as a plain form: invalid -> the page again, saved -> the requirement
    with app.app_context():
        req = db.session.get(Requirement, rid)
        data = {"version": str(req.version), "title": req.title, "domain": req.domain, "type": req.type,
                "priority": req.priority, "channel": req.channel, "region": req.region.code,
                "proposer_name": req.proposer_name}
    invalid = client.post(f"/requirements/{rid}/edit", data={**data, "title": "长" * 201})
    assert invalid.status_code == 422 and "<!doctype html>" in invalid.get_data(as_text=True)
    assert 'data-field="title"' in invalid.get_data(as_text=True)
    saved = client.post(f"/requirements/{rid}/edit", data={**data, "title": "直接打开编辑页保存的标题"})
    assert saved.status_code == 303 and saved.headers["Location"].endswith(f"/requirements/{rid}")
    assert "直接打开编辑页保存的标题" in client.get(f"/requirements/{rid}").get_data(as_text=True)


# --- 7. the region tree keeps its columns ----------------------------------------------------


def test_admin_region_rows_indent_the_name_and_keep_every_column(signed_in, app):
    html = signed_in("admin").get("/admin/reference").get_data(as_text=True)
    table = re.search(r'<table class="[^"]*region-tree[^"]*" id="region-table">(.*?)</table>', html, re.S).group(1)
    rows = re.findall(r'<tr data-depth="(\d)" data-level="(\w+)" data-code="([^"]+)">(.*?)</tr>', table, re.S)
    with app.app_context():
        regions = {r.code: r for r in db.session.scalars(db.select(Region))}
    assert len(rows) == len(regions)
    for depth, level, code, cells in rows:
        assert int(depth) == regions[code].path.count("/") - 2
        assert cells.count("<td") == 5, code  # name, code, level, active, save: no cell spills over
        assert f'class="field-cell region-name depth-{depth}"' in cells
        assert "　" not in cells  # no full-width spaces pushing the input onto its own line
    depths = {code: int(depth) for depth, _level, code, _cells in rows}
    assert depths["440000"] == 0 and depths["445200"] == 1 and depths["445202"] == 2


# --- 8. demo requirements name their own region ----------------------------------------------


def _short(name: str) -> str:
    return name[:-1] if name[-1:] in "省市区县" and len(name) > 2 else name


def test_demo_requirements_name_only_their_own_region(app, demo_site):
    with app.app_context():
        regions = list(db.session.scalars(db.select(Region)))
        reqs = list(db.session.scalars(db.select(Requirement)))
        assert len(reqs) >= 50
        for req in reqs:
            own = req.region.name
            for field in ("title", "description", "proposer_unit"):
                text = (getattr(req, field) or "").replace(own, "")
                for other in regions:
                    if other.id == req.region_id:
                        continue
                    for name in {other.name, _short(other.name)}:
                        assert name not in text, f"{req.code} ({own}) {field} names {name}: {getattr(req, field)}"
        # the demo meetings still find their agenda in the manager's region
        assert demo_meetings.load() == {"meetings": 0}  # already made by demo_site
        assert db.session.scalar(db.select(db.func.count()).select_from(db.text("meeting"))) == 2


# --- 9. dates are typed yyyy-mm-dd whatever the browser's language ---------------------------


def test_no_page_uses_the_browsers_locale_dependent_date_inputs(signed_in, app, demo_site):
    client = signed_in()
    rid = _requirement_id(app, status="assessing")
    with app.app_context():
        meeting_id = db.session.scalar(db.text("select id from meeting where status = 'draft'"))
        release_id = db.session.get(Run, demo_site["run_id"]).release_id
    pages = ["/requirements/new", f"/requirements/{rid}/edit", "/meetings/new", f"/meetings/{meeting_id}",
             "/releases", f"/releases/{release_id}"]
    seen = set()
    for url in pages:
        html = client.get(url).get_data(as_text=True)
        assert not re.search(r'type="(date|datetime-local)"', html), url
        for tag in re.findall(r"<input [^>]*data-date=[^>]*>", html):
            kind = re.search(r'data-date="(\w+)"', tag).group(1)
            seen.add(kind)
            assert 'type="text"' in tag and 'inputmode="numeric"' in tag
            if kind == "date":
                assert 'placeholder="yyyy-mm-dd"' in tag and 'pattern="\\d{4}-\\d{2}-\\d{2}"' in tag
            else:
                assert 'placeholder="yyyy-mm-dd HH:MM"' in tag
    assert seen == {"date", "datetime"}


def test_the_server_takes_what_the_date_inputs_send(signed_in, app):
    client = signed_in()
    created = client.post("/meetings/new", headers=HX, data={
        "title": "日期格式评审会", "scheduled_at": "2099-06-18 14:30", "duration_minutes": "60"})
    assert created.status_code == 200, created.get_data(as_text=True)
    meeting_url = created.headers["HX-Location"]
    page = client.get(meeting_url).get_data(as_text=True)
    assert "2099-06-18 14:30" in page
    assert 'name="scheduled_at" value="2099-06-18 14:30"' in page  # the edit form shows it the same way
    bad = client.post("/meetings/new", headers=HX, data={"title": "x", "scheduled_at": "06/18/2099 2:30 PM"})
    assert bad.status_code == 422 and 'data-field="scheduled_at"' in bad.get_data(as_text=True)

    rid = _requirement_id(app, status="assessing")
    with app.app_context():
        req = db.session.get(Requirement, rid)
        data = {"version": str(req.version), "title": req.title, "domain": req.domain, "type": req.type,
                "priority": req.priority, "channel": req.channel, "region": req.region.code,
                "proposer_name": req.proposer_name, "due_date": "2026-12-07"}
    assert client.post(f"/requirements/{rid}/edit", data=data, headers=HX).status_code == 200
    assert "2026-12-07" in client.get(f"/requirements/{rid}").get_data(as_text=True)
