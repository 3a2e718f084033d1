"""Pages of issue 12: matched words highlighted in the list, the similar-requirements panel of
the new form, proposers and "raised by" on list and detail, undo on the page, the managers'
possible-duplicates page with its one-click merge."""
from __future__ import annotations

import pytest

HX = {"HX-Request": "true"}


@pytest.fixture
def signed_in(make_user, login):
    make_user("eng_jy", "engineer", "445200")
    make_user("mgr_jy", "manager", "445200")
    return login


def test_list_highlights_matched_words_and_escapes_html(signed_in, filed):
    filed(title="<script>跨年退款</script>无法生成通知书")
    page = signed_in("eng_jy").get("/requirements?q=退款").get_data(as_text=True)
    assert "&lt;script&gt;跨年<mark>退款</mark>&lt;/script&gt;无法生成通知书" in page
    assert "<script>跨年" not in page


def test_list_shows_where_a_match_outside_the_title_is(signed_in, filed):
    filed(title="凭证打印格式调整", description="预算单位反馈：打印<跨年>退款凭证时金额栏被截断。")
    filed(title="门户待办提醒不显示", description="统一门户首页", proposer_unit="揭阳市退款复核中心")
    filed(title="跨年退款无法生成通知书", description="退款流程卡住。")
    page = signed_in("eng_jy").get("/requirements?q=退款").get_data(as_text=True)
    assert '<div class="excerpt muted small">需求描述：预算单位反馈：打印&lt;跨年&gt;<mark>退款</mark>凭证时金额栏被截断。</div>' in page
    assert '<div class="excerpt muted small">提出单位：揭阳市<mark>退款</mark>复核中心</div>' in page
    assert page.count('class="excerpt') == 2  # the title shows the word: no excerpt
    assert 'class="excerpt' not in signed_in("eng_jy").get("/requirements").get_data(as_text=True)


def test_new_form_asks_for_similar_requirements_while_typing(signed_in, filed):
    existing = filed(title="直接支出更正后指标余额未回滚")
    client = signed_in("eng_jy")
    form = client.get("/requirements/new").get_data(as_text=True)
    assert 'id="similar"' in form and "/requirements/similar" in form and "delay:400ms" in form
    panel = client.get("/requirements/similar", query_string={"title": "直接支出更正后余额没有回滚"}, headers=HX)
    text = panel.get_data(as_text=True)
    assert panel.status_code == 200 and "<html" not in text
    assert existing["code"] in text and "相似度" in text and "已登记" in text and "揭阳市" in text
    assert client.get("/requirements/similar", query_string={"title": "工资统发"}, headers=HX).get_data(
        as_text=True).count("similar-item") == 0
    assert client.get("/requirements/similar", headers=HX).get_data(as_text=True).strip() == ""


def test_merge_on_the_duplicates_page_then_reach_on_list_and_detail_then_undo(signed_in, filed):
    original = filed(title="直接支出更正后指标余额未回滚", proposer_unit="揭阳市财政局国库科")
    dup = filed(title="直接支出更正后指标余额未回滚问题", proposer_name="陈志强", proposer_unit="榕城区财政局",
                region="445202")
    filed(title="工资统发文件导入失败")
    manager = signed_in("mgr_jy")
    assert signed_in("eng_jy").get("/requirements/duplicates").status_code == 403

    page = manager.get("/requirements/duplicates").get_data(as_text=True)
    assert f'data-original="{original["code"]}"' in page and f'data-code="{dup["code"]}"' in page
    assert "工资统发" not in page

    # a reason is required
    refused = manager.post("/requirements/duplicates/merge", headers=HX,
                           data={"duplicate_id": dup["id"], "duplicate_of": original["code"], "reason": ""})
    assert refused.status_code == 422 and "原因" in refused.get_data(as_text=True)

    merged = manager.post("/requirements/duplicates/merge", headers=HX,
                          data={"duplicate_id": dup["id"], "duplicate_of": original["code"], "reason": "同一问题"})
    text = merged.get_data(as_text=True)
    assert merged.status_code == 200 and f"{dup['code']} 已合并到 {original['code']}" in text
    assert "没有疑似重复" in text

    listing = manager.get("/requirements").get_data(as_text=True)
    assert "1 个地市的 2 个单位提出" in listing
    detail = manager.get(f"/requirements/{original['id']}").get_data(as_text=True)
    assert "1 个地市的 2 个单位提出" in detail and "陈志强" in detail and "榕城区财政局" in detail
    assert "合并重复需求" in detail  # the original's timeline
    dup_page = manager.get(f"/requirements/{dup['id']}").get_data(as_text=True)
    assert "撤销合并" in dup_page and "已合并到" in dup_page  # feedback and undo

    undone = manager.post(f"/requirements/{dup['id']}/undo-merge", data={"reason": "不是同一问题"}, headers=HX)
    assert undone.status_code == 200 and undone.headers["HX-Location"].endswith(f"/requirements/{dup['id']}")
    assert "个单位提出" not in manager.get("/requirements").get_data(as_text=True)
    again = manager.post(f"/requirements/{dup['id']}/undo-merge", data={}, headers=HX)
    assert again.status_code == 409 and "没有合并到其他需求" in again.get_data(as_text=True)


def test_duplicates_page_offers_no_merge_past_scheduling(signed_in, filed, api):
    original = filed(title="直接支出更正后指标余额未回滚")
    late = filed(title="直接支出更正后指标余额未回滚问题")
    manager = api("manager", "445200")
    for to in ("assessing", "awaiting_review", "approved", "scheduled"):
        assert manager.post(f"/api/v1/requirements/{late['id']}/transitions",
                            json={"to": to, "reason": "推进"}).status_code == 200
    page = signed_in("mgr_jy").get("/requirements/duplicates").get_data(as_text=True)
    assert f'data-original="{original["code"]}"' in page and f'data-code="{late["code"]}"' in page
    assert "已过排期阶段，不能再合并" in page and 'name="duplicate_id"' not in page
