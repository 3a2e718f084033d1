"""The rollout board and the versions page (issue 9): the grid by city with statuses written
out, counts, overdue first, actions via htmx only for those allowed, read-only for the task force."""
from __future__ import annotations

import re

import pytest

from tests.release_kit import record
from tests.rollout_kit import keep_only, patch, scheduled_release, smoke_scenarios, targets, window

HX = {"HX-Request": "true"}


@pytest.fixture
def manager(api):
    return api("manager", "440000")


@pytest.fixture
def scheduled(manager, api, filed):
    return scheduled_release(manager, api("reviewer", "440000"), filed)["id"]


def test_board_groups_cities_and_counties_with_counts_and_actions(scheduled, manager, signed_in):
    manager.post(f"/api/v1/releases/{scheduled}/rollout", json={"region": "445202"})
    client = signed_in("web_manager", "manager", "440000")
    html = client.get(f"/releases/{scheduled}/rollout").get_data(as_text=True)
    assert "V2026.12 升级执行监控" in html
    assert html.count('class="rollout-target ') == 22
    assert '<li class="rollout-pending" data-status="pending">未开始 <strong>22</strong></li>' in html
    city = html.index('data-city="445200"')
    assert city < html.index('data-region="445202"') < html.index('data-city="445300"')
    assert 'data-status="pending">未开始</span>' in html  # the status in words, not colour only
    assert "开始升级" in html and "移除升级对象" in html and 'id="rollout-add"' in html
    assert 'hx-target="#rollout-board"' in html
    # the release page links the board
    assert f'href="/releases/{scheduled}/rollout"' in client.get(f"/releases/{scheduled}").get_data(as_text=True)


def test_actions_via_htmx_answer_the_board_and_errors_in_place(scheduled, manager, signed_in):
    t = targets(manager, scheduled)
    client = signed_in("web_engineer", "engineer", "445200")
    html = client.get(f"/releases/{scheduled}/rollout").get_data(as_text=True)
    assert html.count('class="rollout-target ') == 1 and "移除升级对象" not in html  # their city only
    url = f"/releases/{scheduled}/rollout/{t['445200']['id']}/move"
    answer = client.post(url, data={"status": "in_progress", "notes": "升级包已部署"}, headers=HX)
    assert answer.status_code == 200
    board = answer.get_data(as_text=True)
    assert "<html" not in board and board.lstrip().startswith('<div id="rollout-board">')
    assert 'data-status="in_progress">升级中</span>' in board and "升级包已部署" in board
    assert 'id="release-status" class="badge release-rolling_out"' in board
    refused = client.post(url, data={"status": "rolled_back"}, headers=HX)
    assert refused.status_code == 409 and 'role="alert"' in refused.get_data(as_text=True)
    bad = client.post(url, data={"status": "whatever"}, headers=HX)
    assert bad.status_code == 422 and "请选择升级状态" in bad.get_data(as_text=True)
    outside = client.post(f"/releases/{scheduled}/rollout/{t['441300']['id']}/move", data={"status": "in_progress"},
                          headers=HX)
    assert outside.status_code == 404
    notes = client.post(url, data={"notes": "等待数据库备份"}, headers=HX)  # no move: the notes alone
    assert notes.status_code == 200 and "等待数据库备份" in notes.get_data(as_text=True)
    assert targets(manager, scheduled)["445200"]["status"] == "in_progress"
    plain = client.post(url, data={"status": "failed"})
    assert plain.status_code == 303 and plain.headers["Location"].endswith(f"/releases/{scheduled}/rollout")
    # the release page's timeline and rollout card tell the same
    page = client.get(f"/releases/{scheduled}").get_data(as_text=True)
    assert "揭阳市：未开始 → 升级中；备注：升级包已部署" in page and "揭阳市：升级中 → 升级失败；备注：等待数据库备份" in page
    card = page.split('id="release-rollout"')[1].split("</section>")[0]
    assert 'data-status="failed">升级失败 <strong>1</strong>' in card


def test_smoke_run_from_the_board_blocks_done_until_passed(scheduled, manager, signed_in):
    ids = smoke_scenarios(manager)
    t = targets(manager, scheduled)["445200"]["id"]
    client = signed_in("web_engineer", "engineer", "445200")
    client.post(f"/releases/{scheduled}/rollout/{t}/move", data={"status": "in_progress"}, headers=HX)
    bad = client.post(f"/releases/{scheduled}/rollout/{t}/smoke-run", data={"tags": "@smoke and"}, headers=HX)
    assert bad.status_code == 422 and "标签表达式" in bad.get_data(as_text=True)
    board = client.post(f"/releases/{scheduled}/rollout/{t}/smoke-run", data={"tags": ""}, headers=HX)
    assert board.status_code == 200 and 'data-passed="no"' in board.get_data(as_text=True)
    run_id = targets(manager, scheduled)["445200"]["smoke_run_id"]
    refused = client.post(f"/releases/{scheduled}/rollout/{t}/move", data={"status": "done"}, headers=HX)
    assert refused.status_code == 409 and "冒烟验证" in refused.get_data(as_text=True)
    record(manager, run_id, {ids["支付冒烟"]: "passed", ids["指标冒烟"]: "passed"})
    html = client.get(f"/releases/{scheduled}/rollout").get_data(as_text=True)
    assert 'data-passed="yes"' in html and f'href="/runs/{run_id}"' in html


def test_task_force_reads_only_and_overdue_comes_first(scheduled, manager, signed_in):
    manager.put(f"/api/v1/releases/{scheduled}/window", json=window(start_in_hours=-10, hours=9))
    client = signed_in("web_tf", "taskforce", "440000")
    html = client.get(f"/releases/{scheduled}/rollout").get_data(as_text=True)
    assert html.count('class="rollout-target ') == 21 and "<form" not in html.split('id="rollout-board"')[1]
    assert 'id="rollout-overdue"' in html and html.count("rollout-target rollout-pending overdue") == 21
    assert '<li class="overdue-count" data-status="overdue">已逾期 <strong>21</strong></li>' in html
    t = targets(manager, scheduled)
    assert client.post(f"/releases/{scheduled}/rollout/{t['445200']['id']}/move",
                       data={"status": "in_progress"}).status_code == 403


def test_remove_and_add_targets_from_the_board(scheduled, manager, signed_in):
    client = signed_in("web_manager", "manager", "440000")
    t = targets(manager, scheduled)
    board = client.post(f"/releases/{scheduled}/rollout/{t['440100']['id']}/remove", headers=HX)
    assert board.status_code == 200 and 'data-region="440100"' not in board.get_data(as_text=True).split("rollout-grid")[1].split('id="rollout-add"')[0]
    added = client.post(f"/releases/{scheduled}/rollout/targets", data={"region": "445202"}, headers=HX)
    assert added.status_code == 200 and 'data-region="445202"' in added.get_data(as_text=True)
    again = client.post(f"/releases/{scheduled}/rollout/targets", data={"region": "445202"}, headers=HX)
    assert again.status_code == 409 and "已是升级对象" in again.get_data(as_text=True)


def test_versions_page_flags_regions_behind(scheduled, manager, signed_in):
    keep_only(manager, scheduled, ("445200",))
    target = targets(manager, scheduled)["445200"]["id"]
    patch(manager, scheduled, target, status="in_progress")
    patch(manager, scheduled, target, status="done")
    client = signed_in("web_tf", "taskforce", "440000")
    html = client.get("/regions/versions").get_data(as_text=True)
    assert "各地运行版本" in html and 'id="latest-release"' in html and "V2026.12" in html
    row = re.search(r'<tr data-region="445200"[^>]*>.*?</tr>', html, re.S).group(0)
    assert "V2026.12" in row and "已是最新" in row
    row = re.search(r'<tr data-region="441300"[^>]*>.*?</tr>', html, re.S).group(0)
    assert 'class="behind' in row and "版本落后" in row and "未记录" in row
    county = re.search(r'<tr data-region="445202"[^>]*>.*?</tr>', html, re.S).group(0)
    assert "随地市" in county
    only = client.get("/regions/versions?behind=true", headers=HX).get_data(as_text=True)
    assert "<html" not in only and 'data-region="445200"' not in only and 'data-region="441300"' in only
    assert 'href="/regions/versions"' in client.get("/releases").get_data(as_text=True)  # the top bar
