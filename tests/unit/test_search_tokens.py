"""The search tokenizer and query parser (app.services.search): CJK bigrams, ASCII words,
punctuation, full-width characters, lone characters, FTS syntax kept out, highlighting."""
from __future__ import annotations

from app.services import search


def test_cjk_runs_become_bigrams_and_ascii_words_lowercase():
    assert search.tokens("申请退款失败") == ["申请", "请退", "退款", "款失", "失败"]
    assert search.tokens("REQ-2026-0001 TAPD同步") == ["req", "2026", "0001", "tapd", "同步"]
    assert search.tokens("指标") == ["指标"]
    assert search.tokens("年") == ["年"]  # a lone character stays a unigram


def test_fullwidth_letters_and_digits_fold_to_ascii():
    assert search.tokens("ＲＥＱ－２０２６") == ["req", "2026"]


def test_punctuation_and_spaces_separate_runs():
    assert search.tokens("预算，指标！工资 (退款)") == ["预算", "指标", "工资", "退款"]


def test_query_is_and_of_phrases_with_ascii_prefix():
    q = search.parse("跨年退款 tapd")
    assert q.phrases == ((("跨年", "年退", "退款"), False), (("tapd",), True))
    assert q.scans == ()
    assert search.fts_expression(q) == '"跨年 年退 退款" AND "tapd"*'
    assert search.tsquery_expression(q) == "('跨年' <-> '年退' <-> '退款') & ('tapd':*)"


def test_lone_cjk_character_falls_back_to_a_scan():
    q = search.parse("税")
    assert q.phrases == () and q.scans == ("税",)
    q = search.parse("2026年q1")
    assert q.phrases == ((("2026",), False), (("q1",), True))
    assert q.scans == ("2026年q1",)


def test_fts_syntax_in_a_query_is_just_punctuation():
    q = search.parse('退款" OR * NEAR(指标) -预算:')
    assert search.fts_expression(q) == '"退款" AND "or"* AND "near"* AND "指标" AND "预算"'


def test_similarity_is_dice_over_token_sets():
    a = search.bigram_set("指标余额未回滚")
    assert search.similarity(a, a) == 1.0
    assert search.similarity(a, search.bigram_set("工资发放")) == 0.0
    assert 0 < search.similarity(a, search.bigram_set("指标余额没有恢复")) < 1


def test_highlight_escapes_html_and_marks_query_words():
    html = str(search.highlight("<b>跨年退款</b> & TAPD", "退款 tapd"))
    assert html == "&lt;b&gt;跨年<mark>退款</mark>&lt;/b&gt; &amp; <mark>TAPD</mark>"
    assert str(search.highlight("<i>x</i>", "")) == "&lt;i&gt;x&lt;/i&gt;"
    assert str(search.highlight("a<mark>", "<mark>")) == "a&lt;<mark>mark</mark>&gt;"


def test_excerpt_cuts_around_the_first_word_marks_it_and_escapes_html():
    text = "第一段说明文字。\n\n国库集中支付<跨年>退款时，系统提示凭证号重复，需要人工处理后才能继续。"
    html = str(search.excerpt(text, "退款", width=6))
    assert html == "…支付&lt;跨年&gt;<mark>退款</mark>时，系统提示…"  # six characters either side
    assert str(search.excerpt("退款失败", "退款")) == "<mark>退款</mark>失败"  # nothing cut, no "…"
    assert str(search.excerpt("说明\n  文字 退款", "退款")) == "说明 文字 <mark>退款</mark>"  # spaces as one
    assert str(search.excerpt("工资统发", "退款")) == ""
    assert str(search.excerpt("", "退款")) == "" and str(search.excerpt("退款", "")) == ""


def test_postgresql_tsvector_literal_keeps_positions_and_field_weights():
    doc = {"code": "req 2026 0001", "title": "跨年 年退 退款", "body": "国库", "comments": ""}
    literal = search._tsvector(doc)
    assert literal == ("'req':1A '2026':2A '0001':3A '跨年':5A '年退':6A '退款':7A '国库':9B")
    # a phrase never spans two fields: each field starts after a gap
    assert "'0001':3A '跨年':5A" in literal
