"""Gherkin parsing (gherkin-official): Chinese and English, Background, Rule, outlines with
several Examples tables, data tables, doc strings, inherited tags, syntax errors."""
from __future__ import annotations

import pytest

from app.services.feature_parser import FeatureSyntaxError, parse

CHINESE = """# language: zh-CN
@执行域
功能: 跨年退款
  年初办理上年度支付的退款。

  背景:
    假如 经办人已登录执行域
      | 区划   | 单位         |
      | 445200 | 揭阳市教育局 |

  规则: 退款金额不得超过原支付金额

    背景:
      假如 已选择原支付凭证

    @REQ-2026-0007
    场景大纲: 退款 <金额> 元
      当 经办人申请退款 <金额> 元
      那么 退款结果为"<结果>"
        \"\"\"json
        {"amount": <金额>}
        \"\"\"

      @本年度
      例子: 本年度
        | 金额 | 结果 |
        | 100  | 成功 |
        | 0    | 失败 |

      例子: 跨年度
        | 金额 | 结果 |
        | 500  | 成功 |

  场景: 退款撤销
    描述也会保留。
    当 经办人撤销退款
    但是 原凭证状态不变
"""

ENGLISH = """Feature: Payment correction
  Background:
    Given an agent bank is connected

  @regression
  Scenario: Correct a direct payment
    When the clerk submits a correction
      | voucher | amount |
      | ZF0001  | 1200   |
    Then the correction succeeds
    And the notice reads:
      ```
      Voucher ZF0001 corrected
      ```
"""


def test_chinese_outline_rule_background_tables_docstrings_and_tags():
    feature = parse("refunds/cross_year.feature", CHINESE)
    assert (feature.name, feature.language, feature.tags) == ("跨年退款", "zh-CN", ["@执行域"])
    assert feature.description == "年初办理上年度支付的退款。"
    assert [s.name for s in feature.scenarios] == ["退款 100 元", "退款 0 元", "退款 500 元", "退款撤销"]

    first, second, third, plain = feature.scenarios
    assert first.key_name == "退款 <金额> 元" and first.keyword == "场景大纲" and first.rule == "退款金额不得超过原支付金额"
    assert first.example == {"金额": "100", "结果": "成功"} and second.example == {"金额": "0", "结果": "失败"}
    assert (first.examples_name, first.examples_index, first.row_index) == ("本年度", 1, 1)
    assert (third.examples_name, third.examples_index, third.row_index) == ("跨年度", 2, 1)
    assert first.example_line == 27 and third.example_line == 32 and first.line == 17
    # tags: feature -> rule -> scenario -> examples
    assert first.tags == ["@执行域", "@REQ-2026-0007", "@本年度"]
    assert third.tags == ["@执行域", "@REQ-2026-0007"]
    # feature background, then rule background, then the scenario's own steps, values substituted
    assert [(s["keyword"], s["text"], s["background"]) for s in first.steps] == [
        ("假如", "经办人已登录执行域", True),
        ("假如", "已选择原支付凭证", True),
        ("当", "经办人申请退款 100 元", False),
        ("那么", '退款结果为"成功"', False),
    ]
    assert first.steps[0]["data_table"] == [["区划", "单位"], ["445200", "揭阳市教育局"]]
    assert first.steps[3]["doc_string"] == {"content": '{"amount": 100}', "media_type": "json"}
    assert third.steps[3]["doc_string"]["content"] == '{"amount": 500}'
    # a scenario after a Rule belongs to it (Gherkin has no way out of a rule): both backgrounds
    assert plain.example is None and plain.example_key == "" and plain.rule == "退款金额不得超过原支付金额"
    assert [s["keyword"] for s in plain.steps] == ["假如", "假如", "当", "但是"]
    assert plain.description == "描述也会保留。"
    # every row has its own identity
    assert len({(s.key_name, s.example_key) for s in feature.scenarios}) == 4


def test_english_feature_with_table_and_doc_string():
    feature = parse("payments/correction.feature", ENGLISH)
    (scenario,) = feature.scenarios
    assert feature.language == "en" and scenario.keyword == "Scenario" and scenario.tags == ["@regression"]
    assert [(s["keyword"], s["text"]) for s in scenario.steps] == [
        ("Given", "an agent bank is connected"),
        ("When", "the clerk submits a correction"),
        ("Then", "the correction succeeds"),
        ("And", "the notice reads:"),
    ]
    assert scenario.steps[1]["data_table"] == [["voucher", "amount"], ["ZF0001", "1200"]]
    assert scenario.steps[3]["doc_string"]["content"] == "Voucher ZF0001 corrected"


def test_steps_hash_ignores_name_but_not_steps():
    a = parse("a.feature", "Feature: f\n  Scenario: one\n    Given x\n").scenarios[0]
    b = parse("a.feature", "Feature: f\n  Scenario: two\n    Given x\n").scenarios[0]
    c = parse("a.feature", "Feature: f\n  Scenario: one\n    Given y\n").scenarios[0]
    assert a.steps_hash == b.steps_hash != c.steps_hash
    assert a.content_hash != b.content_hash


def test_duplicate_names_get_distinct_identities():
    feature = parse("d.feature", "Feature: f\n  Scenario: same\n    Given a\n  Scenario: same\n    Given b\n")
    assert len({(s.key_name, s.example_key) for s in feature.scenarios}) == 2


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [
        ("# language: zh-CN\n功能: x\n  场景: a\n    假如 b\n  乱写一行\n", 5, 3),
        ("Feature: a\n  Scenario: b\n    Given c\n    \"\"\"\n", 5, 0),
        ("# language: xx\nFeature: a\n", 1, 1),
        ("", 1, 1),
        ("just words\n", 1, 1),
    ],
)
def test_syntax_errors_name_file_line_and_column(text, line, column):
    with pytest.raises(FeatureSyntaxError) as caught:
        parse("bad/file.feature", text)
    error = caught.value
    assert error.status == 400 and error.path == "bad/file.feature"
    assert (error.line, error.column or 0) == (line, column)
    assert f"bad/file.feature:{line}:{column}" in error.errors["location"][0]


def test_outline_values_are_substituted_inside_data_tables():
    text = """# language: zh-CN
功能: 更正调库
  场景大纲: 调库 <金额> 元
    当 经办人提交调库申请:
      | 原凭证号 | 调库金额 | 备注     |
      | <凭证>   | <金额>   | 不变     |
    那么 调库结果为"<结果>"

    例子:
      | 凭证   | 金额 | 结果 |
      | ZF0001 | 300  | 成功 |
      | ZF0002 | -5   | 失败 |
"""
    first, second = parse("treasury/adjust.feature", text).scenarios
    assert first.steps[0]["data_table"] == [["原凭证号", "调库金额", "备注"], ["ZF0001", "300", "不变"]]
    assert second.steps[0]["data_table"] == [["原凭证号", "调库金额", "备注"], ["ZF0002", "-5", "不变"]]
    assert first.steps[0]["data_table"] != second.steps[0]["data_table"]
    assert first.steps_hash != second.steps_hash  # the table is part of what the row does


# --- issue 7: the parser's English stays out of pages ----------------------------------------


@pytest.mark.parametrize(
    ("text", "where", "template", "params"),
    [
        ("Feature: x\n  Scenario: y\n    Given z\n  oops\n", (4, 3),
         "'%(text)s' is not valid here (expected: %(expected)s)", {"text": "oops"}),
        ('Feature: a\n  Scenario: b\n    Given c\n      """\n      x\n', (6, None),
         "the file ends too early (expected: %(expected)s)", {"expected": "#DocStringSeparator, #Other"}),
        ("# language: xx\nFeature: a\n", (1, 1), "unknown language '%(language)s'", {"language": "xx"}),
        ("Feature: a\n  Scenario: b\n    Given c\n      | a | b |\n      | 1 |\n", (5, 7),
         "the rows of this table have different numbers of cells", {}),
        ("# just a comment\n", (1, 1), "the file has no Feature (功能) line", {}),
    ],
)
def test_syntax_errors_are_told_in_messages_of_ours(text, where, template, params):
    """Each kind of error the Gherkin parser raises is a message of ours (a msgid, translated on
    pages); the file, line and column stay, and the API's English keeps the parser's expectations."""
    with pytest.raises(FeatureSyntaxError) as error:
        parse("a/x.feature", text)
    assert (error.value.line, error.value.column) == where
    detail = error.value.detail
    assert detail.template == template and params.items() <= detail.params.items()
    assert error.value.message.params["detail"] is detail
    assert error.value.errors["location"] == [f"a/x.feature:{where[0]}:{where[1] or 0}"]
