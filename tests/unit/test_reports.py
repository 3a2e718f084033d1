"""Report parsing and outline-row matching conventions of pytest-bdd, behave and cucumber-js."""
from __future__ import annotations

import pytest

from app.services import reports
from app.services.reports import Candidate, MalformedReport, python_name


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


# --- audit fixes -------------------------------------------------------------------------

import json  # noqa: E402
import os  # noqa: E402
import re  # noqa: E402

REPORTS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "fixtures", "reports")


def test_behave_steps_without_result_after_a_middle_failure_are_skipped():
    """behave -f json leaves `result` out for the steps it did not run (generate.sh made it)."""
    with open(os.path.join(REPORTS, "behave-middle-failure.json"), "rb") as fh:
        body = fh.read()
    failing = json.loads(body)[0]["elements"][1]
    assert [("result" in step) for step in failing["steps"]] == [True, True, False, False]  # the real output
    fmt, cases = reports.parse(body, "application/json")
    assert fmt == "cucumber-json"
    passed, failed = cases
    assert passed.status == "passed" and [s.status for s in passed.steps] == ["passed"] * 3
    assert failed.status == "failed"
    assert [s.status for s in failed.steps] == ["passed", "failed", "skipped", "skipped"]
    assert "步骤未通过" in failed.error


def test_a_scenario_none_of_whose_steps_ran_is_untested():
    data = [{"uri": "a.feature", "name": "A", "elements": [
        {"name": "x", "type": "scenario", "steps": [{"keyword": "Given ", "name": "s"}, {"keyword": "When ", "name": "t"}]}]}]
    _, (case,) = reports.parse(json.dumps(data).encode(), "application/json")
    assert case.status == "untested" and [s.status for s in case.steps] == ["untested", "untested"]


@pytest.mark.parametrize(
    ("uri", "expected"),
    [
        ("payments/correction.feature", 2),  # pytest-bdd: relative to its features base dir
        ("features/payments/correction.feature", 3),  # behave, cucumber-js: relative to the project
        ("/ci/build/features/payments/correction.feature", 3),
        ("features\\payments\\correction.feature", 3),
        ("other/correction.feature", 1),
        ("payments/refund.feature", 0),
    ],
)
def test_common_path_suffix(uri, expected):
    assert reports._common_suffix(uri, "features/payments/correction.feature") == expected


def _candidate(scenario_id, path, feature_name="支付更正", name="直接支出更正成功"):
    return Candidate(scenario_id=scenario_id, feature_path=path, feature_name=feature_name, name=name, key_name=name,
                     line=9, example_line=None, examples_index=None, row_index=None, example=None, step_texts=[])


def test_uri_matching_prefers_the_longest_common_suffix_then_the_feature_name():
    candidates = [_candidate(1, "features/payments/correction.feature"),
                  _candidate(2, "archive/correction.feature"),
                  _candidate(3, "treasury/adjust.feature", feature_name="更正调库")]
    case = reports.ReportCase(name="直接支出更正成功", base_name="直接支出更正成功", uri="payments/correction.feature")
    assert reports.match(case, candidates).scenario_id == 1
    case.uri = "archive/correction.feature"
    assert reports.match(case, candidates).scenario_id == 2
    # a uri sharing not even the file name: the feature of that name, if the report names it
    renamed = reports.ReportCase(name="直接支出更正成功", base_name="直接支出更正成功", uri="ci/adjust_v2.feature",
                                 feature_name="更正调库")
    candidates[2].name = candidates[2].key_name = "直接支出更正成功"
    assert reports.match(renamed, candidates).scenario_id == 3
    renamed.feature_name = ""
    assert reports.match(renamed, candidates) is None


def test_report_format_is_detected_from_the_content():
    assert reports.parse(b'\xef\xbb\xbf[]', "application/octet-stream") == ("cucumber-json", [])
    assert reports.parse(b"<testsuites/>", "application/json")[0] == "junit"
    assert reports.parse(b"  <testsuite name='x'/>", "application/octet-stream")[0] == "junit"


def test_generate_sh_names_only_test_files_that_exist():
    with open(os.path.join(REPORTS, "generate.sh"), encoding="utf-8") as fh:
        text = fh.read()
    root = os.path.dirname(os.path.dirname(os.path.dirname(REPORTS)))
    named = re.findall(r"tests/[\w/.-]+\.py", text)
    assert named, "generate.sh says which tests use the reports"
    for path in named:
        assert os.path.exists(os.path.join(root, path)), path
    for output in re.findall(r'"\$HERE/([\w.-]+\.(?:json|xml))"', text):
        assert os.path.exists(os.path.join(REPORTS, output)), output


# --- issue 7: every message a user reads is in the catalogue ------------------------------

import ast  # noqa: E402

from babel.messages.pofile import read_po  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CATALOGUE = os.path.join(ROOT, "app", "translations", "zh_Hans_CN", "LC_MESSAGES", "messages.po")
VERIFICATION_MODULES = ("reports", "feature_parser", "verification", "scenarios", "results")


def _msg_templates(module: str) -> list[str]:
    """The Msg templates of a service module, or of every module of a service package."""
    path = os.path.join(ROOT, "app", "services", module)
    files = ([os.path.join(path, name) for name in sorted(os.listdir(path)) if name.endswith(".py")]
             if os.path.isdir(path) else [path + ".py"])
    templates = []
    for file in files:
        with open(file, encoding="utf-8") as fh:
            tree = ast.parse(fh.read())
        templates += [node.args[0].value for node in ast.walk(tree)
                      if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Msg"
                      and node.args and isinstance(node.args[0], ast.Constant)]
    assert files and (templates or module == "results"), module
    return templates


def test_every_message_of_the_verification_services_is_translated():
    """A report import, a .feature upload or a run's tag expression that goes wrong is read on a
    page: each message the services raise has its Chinese in the catalogue."""
    with open(CATALOGUE, "rb") as fh:
        catalogue = read_po(fh)
    templates = [t for module in VERIFICATION_MODULES for t in _msg_templates(module)]
    assert len(templates) > 30
    missing = [t for t in templates if t not in catalogue or not catalogue[t].string]
    assert missing == []


@pytest.mark.parametrize(
    ("body", "content_type", "template", "where"),
    [
        (b"{not json", "application/json", "The report is not valid JSON (line %(line)s, column %(column)s).", (1, 2)),
        (b"[1,\n\n  ]", "application/json", "The report is not valid JSON (line %(line)s, column %(column)s).", (3, 3)),
        (b"<testsuite>\n<x></y>", "application/xml", "The report is not valid XML (line %(line)s, column %(column)s).",
         (2, 6)),
    ],
)
def test_parse_errors_say_line_and_column_not_the_parsers_words(body, content_type, template, where):
    with pytest.raises(MalformedReport) as error:
        reports.parse(body, content_type)
    message = error.value.message
    assert message.template == template and (message.params["line"], message.params["column"]) == where


# --- Cucumber Messages (NDJSON, `--format message`) --------------------------------------


def _messages() -> list[dict]:
    with open(os.path.join(REPORTS, "cucumber-js.ndjson"), encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _ndjson(envelopes: list[dict]) -> bytes:
    return "\n".join(json.dumps(e, ensure_ascii=False) for e in envelopes).encode()


def _summary(cases):
    return [(c.uri, c.name, c.line, c.status, [(s.keyword, s.text, s.status) for s in c.steps]) for c in cases]


def test_cucumber_messages_read_like_the_same_runs_cucumber_json():
    """cucumber-js wrote both files from one run of the fixture feature: the pickles (outline
    rows at their own lines, background steps included, hooks left out) give the same cases."""
    with open(os.path.join(REPORTS, "cucumber-js.ndjson"), "rb") as fh:
        fmt, cases = reports.parse(fh.read(), "application/octet-stream")
    with open(os.path.join(REPORTS, "cucumber-js.json"), "rb") as fh:
        _, json_cases = reports.parse(fh.read(), "application/json")
    assert fmt == "cucumber-messages" and len(cases) == 6
    assert _summary(cases) == _summary(json_cases)
    failed = [c for c in cases if c.status == "failed"]
    assert [c.line for c in failed] == [19, 35] and "不通过" in failed[1].error
    assert failed[1].steps[-1].error and not failed[1].steps[0].error


def test_cucumber_messages_take_the_last_attempt_and_fail_on_a_failed_hook():
    envelopes = _messages()
    first_case = next(e["testCase"] for e in envelopes if "testCase" in e)
    # a first attempt that failed and will be retried, then the retry that passed (kept)
    started = next(e for e in envelopes if "testCaseStarted" in e and e["testCaseStarted"]["testCaseId"] == first_case["id"])
    retry_id = "retry-" + started["testCaseStarted"]["id"]
    original = [e for e in envelopes if started["testCaseStarted"]["id"] in json.dumps(e)]
    failing_first = []
    for e in original:
        e = json.loads(json.dumps(e).replace(started["testCaseStarted"]["id"], "first-attempt"))
        if "testStepFinished" in e:
            e["testStepFinished"]["testStepResult"]["status"] = "FAILED"
        if "testCaseFinished" in e:
            e["testCaseFinished"]["willBeRetried"] = True
        failing_first.append(e)
    at = envelopes.index(started)
    retried = envelopes[:at] + failing_first + [
        json.loads(json.dumps(e).replace(started["testCaseStarted"]["id"], retry_id)) for e in original
    ] + [e for e in envelopes[at:] if e not in original]
    cases = reports.parse_cucumber_messages(_ndjson(retried))
    assert cases[0].status == "passed" and [s.status for s in cases[0].steps] == ["passed"] * 4

    # a Before hook that failed: the steps were skipped, the case failed with the hook's message
    hooked = json.loads(json.dumps(envelopes))
    case = next(e["testCase"] for e in hooked if "testCase" in e)
    case["testSteps"].insert(0, {"id": "hook-step", "hookId": "h1"})
    started = next(e["testCaseStarted"]["id"] for e in hooked if "testCaseStarted" in e
                   and e["testCaseStarted"]["testCaseId"] == case["id"])
    for e in hooked:
        if "testStepFinished" in e and e["testStepFinished"]["testCaseStartedId"] == started:
            e["testStepFinished"]["testStepResult"]["status"] = "SKIPPED"
    at = next(i for i, e in enumerate(hooked) if "testCaseStarted" in e and e["testCaseStarted"]["id"] == started)
    hooked.insert(at + 1, {"testStepFinished": {"testCaseStartedId": started, "testStepId": "hook-step",
                                                "testStepResult": {"status": "FAILED", "message": "数据库连接失败"}}})
    cases = reports.parse_cucumber_messages(_ndjson(hooked))
    assert cases[0].status == "failed" and cases[0].error == "数据库连接失败"
    assert [s.status for s in cases[0].steps] == ["skipped"] * 4

    # a test case never started: its steps are untested
    unstarted = [e for e in envelopes if not ("testCaseStarted" in e and e["testCaseStarted"]["testCaseId"] == first_case["id"])
                 and not any(k in e for k in ("testStepStarted", "testStepFinished", "testCaseFinished"))]
    cases = reports.parse_cucumber_messages(_ndjson(unstarted))
    assert cases[0].status == "untested" and {s.status for s in cases[0].steps} == {"untested"}


@pytest.mark.parametrize(
    ("body", "template", "line"),
    [
        (b'{"meta": {}}\n{"source": {}\n', "The report is not valid JSON (line %(line)s, column %(column)s).", 2),
        (b'{"meta": {}}\n[1, 2]\n', "Line %(line)s of the report is not a Cucumber message.", 2),
        (b'{"meta": {}}\n{"testCase": {"id": "t", "pickleId": "nope"}}\n',
         "Line %(line)s of the report names a pickle it does not have.", 2),
        (b'{"meta": {}}\n\n{"testCaseStarted": {"id": "s", "testCaseId": "nope"}}\n',
         "Line %(line)s of the report names a test case it does not have.", 3),
        (b'{"meta": {}}\n{"testStepFinished": {"testCaseStartedId": "x", "testStepId": "y", "testStepResult": {}}}\n',
         "Line %(line)s of the report is a step result of no test case.", 2),
        (b'{"meta": {}}\n{"testCaseFinished": {"testCaseStartedId": "x"}}\n',
         "Line %(line)s of the report ends a test case it did not start.", 2),
    ],
)
def test_malformed_cucumber_messages_say_which_line(body, template, line):
    with pytest.raises(MalformedReport) as error:
        reports.parse(body, "application/x-ndjson")
    assert error.value.message.template == template and error.value.message.params["line"] == line
