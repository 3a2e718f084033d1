"""Building blocks for tests of merged duplicates across cities."""
from __future__ import annotations


def merged_across_cities(api, filed, payload) -> dict:
    """A 揭阳 need raised again by 汕头 and by 榕城区, both merged into the 揭阳 original by the
    province's manager: the original (answered) has three proposers in two cities."""
    province = api("manager", "440000")
    original = filed(title="直接支出更正后指标余额未回滚", proposer_unit="揭阳市财政局国库科")
    shantou = api("engineer", "440500").post("/api/v1/requirements", json=payload(
        title="支付更正后原指标可用余额没有恢复", region="440500", proposer_unit="汕头市财政局", channel="yuezhengyi"))
    assert shantou.status_code == 201, shantou.json
    county = filed(title="更正后指标余额未恢复", region="445202", proposer_unit="榕城区财政局")
    for dup in (shantou.json, county):
        answer = province.post(f"/api/v1/requirements/{dup['id']}/transitions",
                               json={"to": "duplicate", "duplicate_of": original["code"], "reason": "同一问题"})
        assert answer.status_code == 200, answer.json
    return province.get(f"/api/v1/requirements/{original['id']}").json
