"""Duplicates (issue 12): similar open requirements while filing, merging keeps every proposer
(and attachments), feedback per merged proposer, undo restores everything, possible-duplicate
groups for managers, "raised by N units in M cities"."""
from __future__ import annotations

import io

import pytest

BASE = "/api/v1/requirements"


def merge(client, dup: dict, original: dict, reason: str | None = "同一问题"):
    body = {"to": "duplicate", "duplicate_of": original["code"]}
    if reason is not None:
        body["reason"] = reason
    return client.post(f"{BASE}/{dup['id']}/transitions", json=body)


@pytest.fixture
def known(filed):
    """A small known set for ranking."""
    return {
        "exact": filed(title="直接支出更正后指标余额未回滚", description="更正后原指标可用余额没有恢复。"),
        "close": filed(title="支付更正后指标余额没有回滚", description="支付更正完成后指标余额未释放。"),
        "far": filed(title="工资统发文件导入失败", description="人社局工资数据格式校验报错。"),
        "closed": filed(title="直接支出更正后指标余额未回滚（旧）", description="已处理。"),
    }


def similar(client, text, **extra):
    response = client.get(f"{BASE}/similar", query_string={"text": text, **extra})
    assert response.status_code == 200, response.json
    return response.json


def test_similar_ranks_a_known_set_and_skips_closed_ones(api, known):
    manager = api("manager", "445200")
    # close the "旧" one: withdrawn is not open any more
    assert manager.post(f"{BASE}/{known['closed']['id']}/transitions",
                        json={"to": "withdrawn", "reason": "重复登记"}).status_code == 200
    items = similar(api("engineer", "445200"), "直接支出更正后指标余额未回滚")
    codes = [i["code"] for i in items]
    assert codes[:2] == [known["exact"]["code"], known["close"]["code"]]
    assert known["far"]["code"] not in codes and known["closed"]["code"] not in codes
    top = items[0]
    assert top["score"] == 1.0 and 0 < items[1]["score"] < 1
    assert set(top) >= {"id", "code", "title", "status", "status_label", "region", "region_name", "score"}
    assert top["region"] == "445200" and top["status"] == "submitted"


def test_similar_respects_limit_scope_and_title_description_fields(api, known):
    engineer = api("engineer", "445200")
    assert len(similar(engineer, "指标余额", limit=1)) == 1
    by_fields = similar(engineer, "", title="直接支出更正", description="指标余额未回滚")
    assert by_fields[0]["code"] == known["exact"]["code"]
    assert similar(api("engineer", "440100"), "直接支出更正后指标余额未回滚") == []
    assert similar(engineer, "") == []
    assert similar(engineer, "！？") == []
    assert engineer.get(f"{BASE}/similar", query_string={"limit": 0}).status_code == 422
    others = [i["code"] for i in similar(engineer, "直接支出更正后指标余额未回滚", exclude=known["exact"]["id"])]
    assert known["exact"]["code"] not in others and others[0] == known["closed"]["code"]


def test_merge_keeps_every_proposer_attachment_and_feedback_and_undo_restores(api, filed):
    engineer, manager = api("engineer", "445200"), api("manager", "445200")
    original = filed(title="直接支出更正后指标余额未回滚", proposer_name="李秀英", proposer_unit="揭阳市财政局国库科")
    dup = filed(title="支付更正后原指标可用余额没有恢复", proposer_name="陈志强", proposer_unit="榕城区财政局",
                region="445202", description="榕城区反馈")
    upload = engineer.post(f"{BASE}/{dup['id']}/attachments", data={"file": (io.BytesIO(b"log"), "log.txt")},
                           content_type="multipart/form-data")
    assert upload.status_code == 201

    assert merge(manager, dup, original, reason=None).status_code == 422
    assert engineer.get(f"{BASE}/{original['id']}/proposers").json["proposers"] == 1

    response = merge(manager, dup, original)
    assert response.status_code == 200 and response.json["status"] == "duplicate"
    after = manager.get(f"{BASE}/{original['id']}/proposers").json
    assert [p["name"] for p in after["items"]] == ["李秀英", "陈志强"]
    assert after["units"] == 2 and after["cities"] == 1
    assert [a["filename"] for a in manager.get(f"{BASE}/{original['id']}/attachments").json] == ["log.txt"]
    assert manager.get(f"{BASE}/{dup['id']}/attachments").json == []
    # the requirement answer keeps its own first proposer (API compatibility)
    assert manager.get(f"{BASE}/{dup['id']}").json["proposer_name"] == "陈志强"
    # both timelines say so
    kinds = [e["kind"] for e in manager.get(f"{BASE}/{original['id']}/timeline").json]
    assert kinds[-1] == "merged_in"
    last_dup = manager.get(f"{BASE}/{dup['id']}/timeline").json[-1]
    assert last_dup["details"]["duplicate_of"] == original["code"]
    # one feedback record per merged proposer, naming the original
    feedback = manager.get(f"{BASE}/{dup['id']}/feedback").json
    assert len(feedback) == 1
    assert feedback[0]["decision"] == "duplicate" and feedback[0]["original"] == original["code"]
    assert feedback[0]["meeting_id"] is None and feedback[0]["reason"] == "同一问题"
    # the merged proposer's unit is found on the original now
    assert original["code"] in [i["code"] for i in manager.get(BASE, query_string={"q": "榕城区财政局"}).json["items"]]

    # engineers may not undo; managers may
    assert engineer.post(f"{BASE}/{dup['id']}/undo-merge", json={}).status_code == 403
    undone = manager.post(f"{BASE}/{dup['id']}/undo-merge", json={"reason": "不是同一问题"})
    assert undone.status_code == 200, undone.json
    assert undone.json["status"] == "submitted" and undone.json["duplicate_of"] is None
    assert [p["name"] for p in manager.get(f"{BASE}/{original['id']}/proposers").json["items"]] == ["李秀英"]
    assert [p["name"] for p in manager.get(f"{BASE}/{dup['id']}/proposers").json["items"]] == ["陈志强"]
    assert [a["filename"] for a in manager.get(f"{BASE}/{dup['id']}/attachments").json] == ["log.txt"]
    assert manager.get(f"{BASE}/{original['id']}/timeline").json[-1]["kind"] == "merge_undone"
    last_dup = manager.get(f"{BASE}/{dup['id']}/timeline").json[-1]
    assert last_dup["details"]["merge_undone"] == original["code"] and last_dup["details"]["to"] == "submitted"
    assert [i["code"] for i in manager.get(BASE, query_string={"q": "榕城区财政局"}).json["items"]] == [dup["code"]]
    assert manager.get(f"{BASE}/{dup['id']}").json["version"] > dup["version"]
    # undoing again: not merged any more
    assert manager.post(f"{BASE}/{dup['id']}/undo-merge", json={}).status_code == 409


def test_merge_chain_and_undo_in_order_keep_every_proposer(api, filed):
    manager = api("manager", "445200")
    a = filed(title="甲需求", proposer_name="甲", proposer_unit="甲单位")
    b = filed(title="乙需求", proposer_name="乙", proposer_unit="乙单位")
    c = filed(title="丙需求", proposer_name="丙", proposer_unit="丙单位", region="445202")
    assert merge(manager, b, a).status_code == 200
    assert merge(manager, a, c).status_code == 200
    names = lambda r: sorted(p["name"] for p in manager.get(f"{BASE}/{r['id']}/proposers").json["items"])  # noqa: E731
    assert names(c) == ["丙", "乙", "甲"] and names(a) == [] and names(b) == []
    assert manager.post(f"{BASE}/{b['id']}/undo-merge", json={}).status_code == 409  # a is merged itself
    assert manager.post(f"{BASE}/{a['id']}/undo-merge", json={}).status_code == 200
    assert names(c) == ["丙"] and names(a) == ["乙", "甲"]
    assert manager.post(f"{BASE}/{b['id']}/undo-merge", json={}).status_code == 200
    assert names(a) == ["甲"] and names(b) == ["乙"] and names(c) == ["丙"]


def test_possible_duplicates_groups_alike_open_requirements(api, known, filed):
    filed(title="直接支出更正后指标余额未回滚问题")
    manager = api("manager", "445200")
    groups = manager.get(f"{BASE}/possible-duplicates").json
    assert len(groups) == 1
    group = groups[0]
    assert group["original"]["code"] == known["exact"]["code"]
    codes = {d["code"] for d in group["duplicates"]}
    assert known["far"]["code"] not in codes and len(codes) >= 2
    assert all(0.5 <= d["score"] <= 1 for d in group["duplicates"])
    assert api("engineer", "445200").get(f"{BASE}/possible-duplicates").status_code == 403


def test_editing_the_proposer_updates_the_first_proposer(api, filed):
    engineer = api("engineer", "445200")
    req = filed(proposer_name="李秀英")
    response = engineer.patch(f"{BASE}/{req['id']}", json={"version": req["version"], "proposer_name": "李秀梅",
                                                           "proposer_unit": "揭阳市财政局预算科"})
    assert response.status_code == 200 and response.json["proposer_name"] == "李秀梅"
    items = engineer.get(f"{BASE}/{req['id']}/proposers").json["items"]
    assert [(p["name"], p["unit"], p["region"]) for p in items] == [("李秀梅", "揭阳市财政局预算科", "445200")]
    response = engineer.patch(f"{BASE}/{req['id']}", json={"version": response.json["version"], "region": "445202"})
    assert response.status_code == 200
    assert [p["region"] for p in engineer.get(f"{BASE}/{req['id']}/proposers").json["items"]] == ["445202"]


def test_proposer_figures_count_proposers_of_the_filtered_list_in_scope(api, filed):
    manager = api("manager", "445200")
    a = filed(title="甲需求", proposer_name="甲", proposer_unit="甲单位")
    b = filed(title="乙需求", proposer_name="乙", proposer_unit="乙单位", region="445202")
    filed(title="丙需求", proposer_name="丙", proposer_unit="甲单位", domain="budget")
    assert merge(manager, b, a).status_code == 200
    figures = manager.get(f"{BASE}/proposer-figures").json
    assert figures == {"requirements": 3, "proposers": 3, "units": 2, "cities": 1}
    assert manager.get(f"{BASE}/proposer-figures", query_string={"domain": "budget"}).json == {
        "requirements": 1, "proposers": 1, "units": 1, "cities": 1}
    assert manager.get(f"{BASE}/proposer-figures", query_string={"status": "duplicate"}).json["proposers"] == 0
    assert api("engineer", "440100").get(f"{BASE}/proposer-figures").json == {
        "requirements": 0, "proposers": 0, "units": 0, "cities": 0}


def test_similar_asks_the_index_for_the_rarest_tokens_of_the_text(app, known, monkeypatch):
    """The OR query takes the tokens found in the fewest requirements; tokens in none are
    dropped; tokens past the "common" cap tie and keep the text's order."""
    from app.extensions import db
    from app.services import search

    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("the rarest tokens are picked on SQLite; PostgreSQL ORs all of them")
        # 回滚 is in the two open look-alikes and the closed one, 直接 in two, 人社 in one
        assert search._rarest(["回滚", "直接", "人社", "无此"], 2) == ["人社", "直接"]
        monkeypatch.setattr(search, "COMMON", 1)
        # counted up to 2: 回滚 and 直接 tie, in the text's order
        assert search._rarest(["回滚", "直接", "人社", "无此"], 3) == ["人社", "回滚", "直接"]
