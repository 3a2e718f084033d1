"""Report parsing and outline-row matching conventions of pytest-bdd, behave and cucumber-js."""
from __future__ import annotations

import pytest

from app.services import reports
from app.services.reports import Candidate, MalformedReport, derive_status, python_name


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        (["passed", "passed"], "passed"),
        (["passed", "failed", "blocked"], "failed"),
        (["passed", "blocked", "untested"], "blocked"),
        (["passed", "untested"], "untested"),
        (["skipped", "skipped"], "skipped"),
        (["passed", "skipped"], "passed"),
        ([], "untested"),
    ],
)
def test_scenario_status_follows_steps(statuses, expected):
    assert derive_status(statuses) == expected


def test_pytest_bdd_python_names():
    assert python_name("跨年退款按金额校验") == "跨年退款按金额校验"
    assert python_name("Correct a direct payment!") == "correct_a_direct_payment"


def rows(*examples):
    return [
        Candidate(scenario_id=i, feature_path="payments/correction.feature", feature_name="支付更正",
                  name="退款", key_name="退款", line=10, example_line=20 + i, examples_index=1 + i // 2,
                  row_index=1 + i % 2, example={"金额": amount, "结果": "成功"},
                  step_texts=["已登录", f"申请退款 {amount} 元"])
        for i, amount in enumerate(examples)
    ]


def test_names_alone_are_ambiguous_for_outline_rows():
    candidates = rows("100", "0", "500")
    by_name = reports.ReportCase(name="退款", base_name="退款")
    assert reports.match(by_name, candidates) is None  # three rows share the name
    behave = reports.ReportCase(name="退款 -- @2.1 跨年度", base_name="退款")
    reports._decorations(behave)
    assert reports.match(behave, candidates).example["金额"] == "500"
    cucumber_js = reports.ReportCase(name="退款 - 本年度 - #1.2", base_name="退款")
    reports._decorations(cucumber_js)
    assert reports.match(cucumber_js, candidates).example["金额"] == "0"
    pytest_bdd = reports.ReportCase(name="退款", base_name="退款", line=10)
    reports._decorations(pytest_bdd, "test_退款[0-\\u6210\\u529f]")
    assert reports.match(pytest_bdd, candidates).example["金额"] == "0"
    by_line = reports.ReportCase(name="退款", base_name="退款", uri="features/payments/correction.feature", line=22)
    assert reports.match(by_line, candidates).example["金额"] == "500"
    by_steps = reports.ReportCase(name="退款", base_name="退款", steps=[
        reports.ReportStep("假如", "已登录", "passed"), reports.ReportStep("当", "申请退款 100 元", "passed")])
    assert reports.match(by_steps, candidates).example["金额"] == "100"
    elsewhere = reports.ReportCase(name="退款", base_name="退款", uri="other/refund.feature", line=22)
    assert reports.match(elsewhere, candidates) is None


def test_unknown_format_is_malformed():
    with pytest.raises(MalformedReport):
        reports.parse(b"hello", "text/plain")
