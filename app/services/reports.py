"""Automated test reports: parse Cucumber JSON, Cucumber Messages and JUnit XML, match cases
to a run's scenarios.

Cucumber JSON as written by pytest-bdd (`--cucumberjson`), behave (`-f json`) and cucumber-js
(`--format json`); Cucumber Messages (NDJSON) as written by cucumber-js and cucumber-jvm
(`--format message`), where a pickle carries its uri and line (an outline row's own line);
JUnit XML as written by pytest (`--junitxml`), behave (`--junit`) and cucumber-js
(`--format junit`). Names alone are ambiguous for Scenario Outline rows, so each
tool's conventions are used to tell rows apart:

* behave names a row "<outline> -- @<table>.<row> <examples name>" and gives the row's line;
* cucumber-js gives the row's line (JSON) or names it "<outline> - <examples name> - #<table>.<row>" (JUnit);
* pytest-bdd gives the outline's line, and the row's values in the test id "test_<name>[v1-v2]";
* failing all of those, the row's substituted step texts.
"""
from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import Any

from app.services.errors import DomainError, Msg
from app.services.results import derive_status
from app.utils import safe_text

STATUS_MAP = {
    "passed": "passed",
    "failed": "failed",
    "error": "failed",
    "skipped": "skipped",
    "untested": "skipped",
    "pending": "blocked",
    "undefined": "blocked",
    "ambiguous": "blocked",
    "unknown": "blocked",
}

# numbers of at most 9 digits: a longer one is no table, row or line of a real file (and would not fit
# the database's integers)
BEHAVE_ROW = re.compile(r"^(?P<name>.*?) -- @(?P<table>\d{1,9})\.(?P<row>\d{1,9})(?: .*)?$")
CUCUMBER_JS_ROW = re.compile(r"^(?P<name>.*?) - (?P<examples>.*) - #(?P<table>\d{1,9})\.(?P<row>\d{1,9})$")
PYTEST_ID = re.compile(r"^(?P<func>[^\[]*)(?:\[(?P<params>.*)\])?$")
UNICODE_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})|\\U([0-9a-fA-F]{8})|\\x([0-9a-fA-F]{2})")
BEHAVE_STEP = re.compile(r"^\s*(?P<keyword>\S+) (?P<text>.*?) \.\.\. (?P<status>[a-z]+)\b")
CUCUMBER_JS_STEP = re.compile(r"^(?P<keyword>\S+) (?P<text>.*?)\.{3,}(?P<status>[a-z]+)$")


class MalformedReport(DomainError):
    status = 400
    code = "malformed_report"

    def __init__(self, message: str):
        super().__init__(message, {"report": [message]})


@dataclass
class ReportStep:
    keyword: str
    text: str
    status: str
    error: str = ""


@dataclass
class ReportCase:
    name: str  # as the tool wrote it
    base_name: str  # tool decorations removed
    uri: str = ""
    feature_name: str = ""
    classname: str = ""
    line: int | None = None
    table: int | None = None
    row: int | None = None
    params: str | None = None
    python_name: str | None = None
    steps: list[ReportStep] = field(default_factory=list)
    status: str = "untested"
    error: str = ""

    @property
    def label(self) -> str:
        where = self.uri or self.classname or self.feature_name
        return f"{where}: {self.name}" if where else self.name


def _unescape(text: str) -> str:
    """The tools' escapes read back; one naming no character (`\\U00110000`, a lone surrogate) stays
    as written, and no character a page cannot show is kept."""

    def char(match: re.Match) -> str:
        code = int(match.group(1) or match.group(2) or match.group(3), 16)
        if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            return match.group(0)
        return chr(code)

    return safe_text(UNICODE_ESCAPE.sub(char, text))


def python_name(name: str) -> str:
    """pytest-bdd's test function name for a scenario name (make_python_name)."""
    slug = re.sub(r"\W", "", name.replace(" ", "_"))
    return re.sub(r"^\d+_*", "", slug).lower()


# --- parsing -----------------------------------------------------------------------------


def parse(body: bytes, content_type: str = "") -> tuple[str, list[ReportCase]]:
    """(format, cases) from a report body; MalformedReport (400) says what is wrong."""
    if not body or not body.strip():
        raise MalformedReport(Msg("The report is empty."))
    # the content decides (a report may come as application/octet-stream or with the tool's
    # own type, e.g. application/junit+xml); the declared type only where the content does not
    head = body.lstrip().removeprefix(b"\xef\xbb\xbf").lstrip()[:1]
    if head == b"<":
        content_type = "xml"
    if head == b"{" and (_is_messages(body) or "ndjson" in content_type):
        return "cucumber-messages", parse_cucumber_messages(body)
    if head in (b"[", b"{") or (head != b"<" and "json" in content_type):
        try:
            text = body.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise MalformedReport(Msg("The report is not UTF-8 text.")) from None
        try:
            data = _json(text)
        except json.JSONDecodeError as error:
            # the parser's own wording is English for programmers: say where, in the reader's words
            raise MalformedReport(Msg("The report is not valid JSON (line %(line)s, column %(column)s).",
                                      line=error.lineno, column=error.colno)) from None
        return "cucumber-json", parse_cucumber_json(data)
    if head == b"<" or "xml" in content_type:
        try:
            root = ET.fromstring(body)
        except ET.ParseError as error:
            line, column = getattr(error, "position", (1, 0))
            raise MalformedReport(Msg("The report is not valid XML (line %(line)s, column %(column)s).",
                                      line=line, column=column + 1)) from None  # expat counts columns from 0
        return "junit", parse_junit(root)
    raise MalformedReport(Msg("The report is neither Cucumber JSON nor JUnit XML."))


def _json(text: str | bytes) -> Any:
    """JSON text to Python for a report: what the parser cannot take (nested too deep, a number of
    thousands of digits) is invalid JSON too, and text keeps no character a page cannot show."""
    try:
        return _clean(json.loads(text))
    except json.JSONDecodeError:
        raise
    except (RecursionError, ValueError) as error:
        raise json.JSONDecodeError(str(error), "<report>", 0) from None


def _clean(data: Any) -> Any:
    if isinstance(data, str):
        return safe_text(data)
    if isinstance(data, int) and not isinstance(data, bool) and not -(2**63) <= data < 2**63:
        raise ValueError("a number beyond 64 bits")
    if isinstance(data, list):
        return [_clean(item) for item in data]
    if isinstance(data, dict):
        return {safe_text(key): _clean(value) for key, value in data.items()}
    return data


# the envelopes of the Cucumber Messages protocol (one JSON object a line, each with one of these keys)
MESSAGE_TYPES = frozenset({
    "meta", "source", "gherkinDocument", "pickle", "stepDefinition", "hook", "parameterType",
    "parseError", "undefinedParameterType", "testRunStarted", "testRunHookStarted", "testRunHookFinished",
    "testCase", "testCaseStarted", "testStepStarted", "testStepFinished", "testCaseFinished", "attachment",
    "externalAttachment", "suggestion", "testRunFinished",
})


def _is_messages(body: bytes) -> bool:
    """Whether the body is Cucumber Messages (NDJSON): its first line an envelope."""
    first = body.lstrip().removeprefix(b"\xef\xbb\xbf").lstrip().split(b"\n", 1)[0]
    try:
        envelope = _json(first)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return False
    return isinstance(envelope, dict) and len(envelope) == 1 and next(iter(envelope)) in MESSAGE_TYPES


def _envelopes(body: bytes):
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise MalformedReport(Msg("The report is not UTF-8 text.")) from None
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            envelope = _json(line)
        except json.JSONDecodeError as error:
            raise MalformedReport(Msg("The report is not valid JSON (line %(line)s, column %(column)s).",
                                      line=number, column=error.colno)) from None
        if not isinstance(envelope, dict) or len(envelope) != 1 or not isinstance(next(iter(envelope.values())), dict):
            raise MalformedReport(Msg("Line %(line)s of the report is not a Cucumber message.", line=number))
        yield number, *next(iter(envelope.items()))


def _ast_keywords(document: dict[str, Any]) -> dict[str, str]:
    """{AST step id: its keyword} over a gherkinDocument's backgrounds, scenarios and rules."""
    keywords: dict[str, str] = {}

    def walk(children: list) -> None:
        for child in children or []:
            for kind in ("background", "scenario"):
                for step in (child.get(kind) or {}).get("steps", []):
                    keywords[step.get("id", "")] = str(step.get("keyword", "")).strip()
            if child.get("rule"):
                walk(child["rule"].get("children", []))

    walk((document.get("feature") or {}).get("children", []))
    return keywords


def parse_cucumber_messages(body: bytes) -> list[ReportCase]:
    """Cases from Cucumber Messages (NDJSON, `--format message` of cucumber-js and cucumber-jvm).

    A pickle is a scenario as run (an outline row is its own pickle, located at the row's
    line, like cucumber-js's JSON); a test case runs a pickle, its test steps the pickle's steps
    and hooks; the last attempt of a test case (one not to be retried) is its result. A hook
    that failed fails the case; steps never run are untested."""
    features: dict[str, str] = {}  # uri -> feature name
    keywords: dict[str, str] = {}
    pickles: dict[str, dict[str, Any]] = {}
    test_cases: dict[str, dict[str, Any]] = {}
    started: dict[str, str] = {}  # testCaseStarted id -> testCase id
    results: dict[str, dict[str, dict[str, Any]]] = {}  # testCaseStarted id -> {testStep id: result}
    final: dict[str, str] = {}  # testCase id -> its last testCaseStarted id not retried
    for number, kind, message in _envelopes(body):
        if kind == "gherkinDocument":
            features[str(message.get("uri", ""))] = str((message.get("feature") or {}).get("name", ""))
            keywords.update(_ast_keywords(message))
        elif kind == "pickle":
            pickles[str(message.get("id"))] = message
        elif kind == "testCase":
            if str(message.get("pickleId")) not in pickles:
                raise MalformedReport(Msg("Line %(line)s of the report names a pickle it does not have.", line=number))
            test_cases[str(message.get("id"))] = message
        elif kind == "testCaseStarted":
            if str(message.get("testCaseId")) not in test_cases:
                raise MalformedReport(Msg("Line %(line)s of the report names a test case it does not have.", line=number))
            started[str(message.get("id"))] = str(message["testCaseId"])
        elif kind == "testStepFinished":
            result = message.get("testStepResult")
            if str(message.get("testCaseStartedId")) not in started or not isinstance(result, dict):
                raise MalformedReport(Msg("Line %(line)s of the report is a step result of no test case.", line=number))
            results.setdefault(str(message["testCaseStartedId"]), {})[str(message.get("testStepId"))] = result
        elif kind == "testCaseFinished":
            attempt = str(message.get("testCaseStartedId"))
            if attempt not in started:
                raise MalformedReport(Msg("Line %(line)s of the report ends a test case it did not start.", line=number))
            if not message.get("willBeRetried"):
                final[started[attempt]] = attempt
    cases: list[ReportCase] = []
    for case_id, test_case in test_cases.items():
        pickle = pickles[str(test_case["pickleId"])]
        step_of = {str(step.get("id")): step for step in pickle.get("steps", [])}
        marks = results.get(final.get(case_id, ""), {})
        steps: list[ReportStep] = []
        hook_error = ""
        for test_step in test_case.get("testSteps", []):
            result = marks.get(str(test_step.get("id")))
            status = STATUS_MAP.get(str(result.get("status", "")).lower(), "blocked") if result else "untested"
            error = str((result or {}).get("message") or "")[:2000]
            pickle_step = step_of.get(str(test_step.get("pickleStepId")))
            if pickle_step is None:  # a hook
                if status == "failed" and not hook_error:
                    hook_error = error or "hook failed"
                continue
            keyword = keywords.get(next(iter(pickle_step.get("astNodeIds") or []), ""), "")
            steps.append(ReportStep(keyword=keyword, text=str(pickle_step.get("text", "")), status=status,
                                    error=error if status == "failed" else ""))
        uri = str(pickle.get("uri", ""))
        name = str(pickle.get("name", ""))
        case = ReportCase(name=name, base_name=name.strip(), uri=uri, feature_name=features.get(uri, ""), steps=steps)
        line = (pickle.get("location") or {}).get("line")
        case.line = line if isinstance(line, int) else None
        case.status = "failed" if hook_error else (derive_status([s.status for s in steps]) if steps else "untested")
        case.error = hook_error or next((s.error for s in steps if s.error), "")
        cases.append(case)
    return cases


def _where(location: str) -> tuple[str, int | None]:
    match = re.match(r"^(.*?):(\d{1,9})$", location or "")
    return (match.group(1), int(match.group(2))) if match else (location or "", None)


def parse_cucumber_json(data: Any) -> list[ReportCase]:
    if not isinstance(data, list):
        raise MalformedReport(Msg("A Cucumber JSON report is a list of features; got %(type)s.",
                                  type=type(data).__name__))
    cases: list[ReportCase] = []
    for f_index, feature in enumerate(data):
        if not isinstance(feature, dict):
            raise MalformedReport(Msg("Feature %(index)s of the report is not an object.", index=f_index))
        uri = feature.get("uri") or _where(feature.get("location", ""))[0]
        elements = feature.get("elements", [])
        if not isinstance(elements, list):
            raise MalformedReport(Msg("'elements' of feature %(index)s is not a list.", index=f_index))
        for e_index, element in enumerate(elements):
            where = f"features[{f_index}].elements[{e_index}]"
            if not isinstance(element, dict) or not isinstance(element.get("name"), str):
                raise MalformedReport(Msg("%(where)s has no scenario name.", where=where))
            if element.get("type") == "background":
                continue
            steps_raw = element.get("steps", [])
            if not isinstance(steps_raw, list):
                raise MalformedReport(Msg("%(where)s.steps is not a list.", where=where))
            steps: list[ReportStep] = []
            ran = False
            for s_index, step in enumerate(steps_raw):
                if not isinstance(step, dict):
                    raise MalformedReport(Msg("%(where)s.steps[%(i)s] is not an object.", where=where, i=s_index))
                keyword = str(step.get("keyword", "")).strip()
                if step.get("hidden") or (keyword in ("Before", "After") and not step.get("name")):
                    continue  # cucumber-js hooks
                result = step.get("result")
                if result is None:
                    # behave leaves `result` out for the steps it did not run after a failure
                    steps.append(ReportStep(keyword=keyword, text=str(step.get("name", "")), status="skipped"))
                    continue
                if not isinstance(result, dict) or not isinstance(result.get("status"), str):
                    raise MalformedReport(Msg("%(where)s.steps[%(i)s] has no result status.", where=where, i=s_index))
                ran = True
                steps.append(ReportStep(
                    keyword=keyword, text=str(step.get("name", "")),
                    status=STATUS_MAP.get(result["status"].lower(), "blocked"),
                    error=str(result.get("error_message") or "")[:2000],
                ))
            if not ran:
                for step in steps:  # nothing of the scenario ran: it was not tested
                    step.status = "untested"
            name = element["name"]
            case = ReportCase(name=name, base_name=name.strip(), uri=uri, feature_name=str(feature.get("name", "")),
                              steps=steps)
            line = element.get("line")
            if not isinstance(line, int):
                line = _where(element.get("location", ""))[1]
            case.line = line
            _decorations(case, str(element.get("id", "")))
            case.status = derive_status([s.status for s in steps]) if steps else "untested"
            case.error = next((s.error for s in steps if s.error), "")
            cases.append(case)
    return cases


def _decorations(case: ReportCase, test_id: str = "") -> None:
    """Read the tools' outline-row naming conventions."""
    if match := BEHAVE_ROW.match(case.name):
        case.base_name = match.group("name").strip()
        case.table, case.row = int(match.group("table")), int(match.group("row"))
    elif match := CUCUMBER_JS_ROW.match(case.name):
        case.base_name = match.group("name").strip()
        case.table, case.row = int(match.group("table")), int(match.group("row"))
    if test_id.startswith("test_") or case.name.startswith("test_"):
        match = PYTEST_ID.match(test_id if test_id.startswith("test_") else case.name)
        if match:
            case.python_name = _unescape(match.group("func"))[len("test_"):]
            if match.group("params") is not None:
                case.params = _unescape(match.group("params"))


def parse_junit(root: ET.Element) -> list[ReportCase]:
    if root.tag not in ("testsuites", "testsuite"):
        raise MalformedReport(Msg("A JUnit report starts with <testsuites> or <testsuite>; got <%(tag)s>.", tag=root.tag))
    cases: list[ReportCase] = []
    for index, testcase in enumerate(root.iter("testcase")):
        name = testcase.get("name")
        if not name:
            raise MalformedReport(Msg("testcase %(index)s has no name.", index=index))
        classname = testcase.get("classname", "")
        case = ReportCase(name=name, base_name=name.strip(), classname=classname)
        _decorations(case)
        failure = testcase.find("failure")
        error = testcase.find("error")
        skipped = testcase.find("skipped")
        if failure is not None or error is not None:
            node = failure if failure is not None else error
            case.status = "failed"
            case.error = ((node.get("message") or "") + "\n" + (node.text or "")).strip()[:2000]
        elif skipped is not None:
            case.status = "skipped"
        else:
            case.status = "passed"
        out = testcase.find("system-out")
        if out is not None and out.text:
            case.steps = _steps_from_output(out.text)
        cases.append(case)
    return cases


def _steps_from_output(text: str) -> list[ReportStep]:
    """Per-step results from behave's and cucumber-js's JUnit system-out, when present."""
    steps: list[ReportStep] = []
    for line in text.splitlines():
        match = BEHAVE_STEP.match(line) or CUCUMBER_JS_STEP.match(line.strip())
        if match and match.group("status") in STATUS_MAP:
            steps.append(ReportStep(match.group("keyword"), match.group("text").strip(),
                                    STATUS_MAP[match.group("status")]))
    return steps


# --- matching ----------------------------------------------------------------------------


@dataclass
class Candidate:
    """What matching needs of a run's scenario (as frozen in the run)."""

    scenario_id: int
    feature_path: str
    feature_name: str
    name: str
    key_name: str
    line: int
    example_line: int | None
    examples_index: int | None
    row_index: int | None
    example: dict[str, str] | None
    step_texts: list[str]


def _common_suffix(uri: str, path: str) -> int:
    """How many trailing path segments `uri` and `path` share (0: not even the file name).

    Tools write the uri relative to where they ran: cucumber-js and behave from the project
    ("features/payments/correction.feature"), pytest-bdd from its features base directory
    ("payments/correction.feature"); a library path may have either form, or a folder more."""
    a = [part for part in uri.replace("\\", "/").split("/") if part not in ("", ".")]
    b = [part for part in path.replace("\\", "/").split("/") if part not in ("", ".")]
    count = 0
    while count < min(len(a), len(b)) and a[-1 - count] == b[-1 - count]:
        count += 1
    return count


def _narrow(candidates: list[Candidate], test) -> list[Candidate]:
    subset = [c for c in candidates if test(c)]
    return subset or candidates


class Index:
    """A run's candidates grouped by feature path, so matching a case looks at one feature."""

    def __init__(self, candidates: list[Candidate]):
        self.candidates = candidates
        self.by_path: dict[str, list[Candidate]] = {}
        for c in candidates:
            self.by_path.setdefault(c.feature_path, []).append(c)
        self._uri_cache: dict[str, list[Candidate]] = {}

    def for_uri(self, uri: str, feature_name: str = "") -> list[Candidate]:
        """The candidates of the feature(s) sharing the longest path suffix with `uri` (at least
        the file name); failing that, of the features named `feature_name`."""
        key = (uri, feature_name)
        if key not in self._uri_cache:
            scores = {p: _common_suffix(uri, p) for p in self.by_path}
            best = max(scores.values(), default=0)
            if best:
                found = [c for p, score in scores.items() if score == best for c in self.by_path[p]]
            else:
                found = [c for c in self.candidates if feature_name and c.feature_name == feature_name.strip()]
            self._uri_cache[key] = found
        return self._uri_cache[key]


def match(case: ReportCase, candidates: list[Candidate] | Index) -> Candidate | None:
    index = candidates if isinstance(candidates, Index) else Index(candidates)
    pool = index.candidates
    if case.uri:
        pool = index.for_uri(case.uri, case.feature_name)
    elif case.classname:
        dotted = lambda c: c.feature_path.removesuffix(".feature").replace("/", ".")  # noqa: E731
        by_class = [c for c in pool if case.classname in (c.feature_name, f"{dotted(c)}.{c.feature_name}")
                    or case.classname.endswith("." + c.feature_name)]
        pool = by_class or pool
    if not pool:
        return None
    named = [c for c in pool if case.base_name in (c.name, c.key_name)]
    if not named and case.python_name is not None:
        named = [c for c in pool if python_name(c.key_name) == case.python_name or python_name(c.name) == case.python_name]
    if not named:
        return None
    if len(named) == 1:
        return named[0]
    tests = []
    if case.line is not None:
        tests.append(lambda c: (c.example_line if c.example_line is not None else c.line) == case.line)
    if case.table is not None:
        tests.append(lambda c: (c.examples_index, c.row_index) == (case.table, case.row))
    if case.params is not None:
        tests.append(lambda c: c.example is not None and "-".join(c.example.values()) == case.params)
    if case.steps:
        texts = [s.text for s in case.steps]
        tests.append(lambda c: c.step_texts == texts or c.step_texts[-len(texts):] == texts)
    for test in tests:
        named = _narrow(named, test)
        if len(named) == 1:
            return named[0]
    return None


def step_results(case: ReportCase, frozen_steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The report's step results laid over the run's frozen steps (by position, else by text)."""
    results = [{"status": "untested"} for _ in frozen_steps]
    if not case.steps:
        if case.status == "passed":
            return [{"status": "passed"} for _ in frozen_steps]
        return results
    if len(case.steps) == len(frozen_steps):
        pairs = list(enumerate(case.steps))
    else:
        pairs, start = [], 0
        for step in case.steps:
            for index in range(start, len(frozen_steps)):
                if frozen_steps[index]["text"] == step.text:
                    pairs.append((index, step))
                    start = index + 1
                    break
    for index, step in pairs:
        entry: dict[str, Any] = {"status": step.status}
        if step.error:
            entry["error"] = step.error
        results[index] = entry
    return results
