"""Gherkin parsing with the Cucumber project's own parser (gherkin-official).

Walks the AST rather than the pickles so keywords (假如/当/那么/而且, Given/When/Then/And) and
line numbers are kept: a Scenario Outline becomes one scenario per Examples row, with the
row's values substituted in the name, step texts, data tables and doc strings, and kept.
Background steps (the feature's, then the rule's) come first, flagged `background`.
Tags are inherited feature → rule → scenario → examples.
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any

from gherkin.errors import (
    AstBuilderException,
    CompositeParserException,
    NoSuchLanguageException,
    ParserException,
    UnexpectedEOFException,
    UnexpectedTokenException,
)
from gherkin.parser import Parser

from app.services.errors import DomainError, Msg

_PLACEHOLDER = re.compile(r"<([^<>]+)>")


class FeatureSyntaxError(DomainError):
    """A .feature file that does not parse: 400 naming the file, line and column."""

    status = 400
    code = "gherkin_syntax_error"

    def __init__(self, path: str, line: int | None, column: int | None, detail: Msg | str):
        self.path, self.line, self.column, self.detail = path, line, column, detail
        location = f"{path}:{line or 0}:{column or 0}"
        message = Msg(
            "Gherkin syntax error in %(path)s at line %(line)s, column %(column)s: %(detail)s",
            path=path, line=line or 0, column=column or 0, detail=detail,
        )
        super().__init__(message, {"text": [message], "location": [location]})


@dataclass
class ParsedScenario:
    key_name: str
    example_key: str
    name: str
    keyword: str
    rule: str
    description: str
    example: dict[str, str] | None
    examples_name: str
    examples_index: int | None
    row_index: int | None
    steps: list[dict[str, Any]]
    tags: list[str]
    line: int
    example_line: int | None
    position: int = 0

    @property
    def steps_hash(self) -> str:
        return steps_hash(self.steps)

    @property
    def content_hash(self) -> str:
        return _hash([self.name, self.keyword, self.rule, self.description, self.example, self.steps, self.tags])


@dataclass
class ParsedFeature:
    path: str
    name: str
    language: str
    description: str
    tags: list[str]
    scenarios: list[ParsedScenario] = field(default_factory=list)


def _hash(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


def steps_hash(steps: list[dict[str, Any]]) -> str:
    """What a scenario does, independent of its name and line numbers (rename detection)."""
    return _hash([[s["keyword"], s["text"], s.get("data_table"), (s.get("doc_string") or {}).get("content")]
                  for s in steps])


def _substitute(text: str | None, values: dict[str, str]) -> str | None:
    if text is None or not values:
        return text
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def _step(node: dict, values: dict[str, str], background: bool) -> dict[str, Any]:
    step: dict[str, Any] = {
        "keyword": node["keyword"].strip(),
        "keyword_type": node.get("keywordType", ""),
        "text": _substitute(node["text"], values),
        "line": node["location"]["line"],
        "background": background,
        "data_table": None,
        "doc_string": None,
    }
    if node.get("dataTable"):
        step["data_table"] = [
            [_substitute(cell["value"], values) for cell in row["cells"]] for row in node["dataTable"]["rows"]
        ]
    if node.get("docString"):
        doc = node["docString"]
        step["doc_string"] = {
            "content": _substitute(doc["content"], values),
            "media_type": _substitute(doc.get("mediaType") or "", values),
        }
    return step


def _tags(node: dict) -> list[str]:
    return [t["name"] for t in node.get("tags", [])]


def _description(node: dict) -> str:
    lines = (node.get("description") or "").splitlines()
    return "\n".join(line.strip() for line in lines).strip()


def parse(path: str, text: str) -> ParsedFeature:
    """Parse one feature file; FeatureSyntaxError (400) names the file, line and column."""
    try:
        document = Parser().parse(text)
    except CompositeParserException as error:
        first = error.errors[0]
        location = getattr(first, "location", None) or {}
        raise FeatureSyntaxError(path, location.get("line"), location.get("column"), _detail(first)) from None
    except ParserException as error:
        location = getattr(error, "location", None) or {}
        raise FeatureSyntaxError(path, location.get("line"), location.get("column"), _detail(error)) from None
    node = document.get("feature")
    if not node:
        raise FeatureSyntaxError(path, 1, 1, Msg("the file has no Feature (功能) line"))
    feature = ParsedFeature(
        path=path,
        name=node["name"].strip(),
        language=node.get("language", "en"),
        description=_description(node),
        tags=_tags(node),
    )
    feature_background: list[dict] = []
    for child in node.get("children", []):
        if "background" in child:
            feature_background = child["background"]["steps"]
        elif "rule" in child:
            rule = child["rule"]
            rule_background: list[dict] = []
            for rule_child in rule.get("children", []):
                if "background" in rule_child:
                    rule_background = rule_child["background"]["steps"]
                elif "scenario" in rule_child:
                    _add_scenario(feature, rule_child["scenario"], feature_background + rule_background,
                                  rule["name"].strip(), feature.tags + _tags(rule))
        elif "scenario" in child:
            _add_scenario(feature, child["scenario"], feature_background, "", feature.tags)
    _deduplicate(feature)
    for position, scenario in enumerate(feature.scenarios):
        scenario.position = position
    return feature


def _detail(error: Exception) -> Msg | str:
    """What is wrong, in the reader's words. The parser's own text ("expected: #EOF, #TableRow,
    …, got '…'") is for programmers and English: each kind of error it raises gets a message of
    ours (translated on pages); the location is reported separately."""
    text = re.sub(r"^\(\d+:\d+\):\s*", "", str(error))
    expected = re.search(r"expected: (.*?)(?:, got '|$)", text)
    expected_tokens = expected.group(1) if expected else ""
    if isinstance(error, UnexpectedTokenException):
        got = re.search(r"got '(.*)'$", text, re.S)
        return Msg("'%(text)s' is not valid here (expected: %(expected)s)",
                   text=got.group(1) if got else "", expected=expected_tokens)
    if isinstance(error, UnexpectedEOFException):
        return Msg("the file ends too early (expected: %(expected)s)", expected=expected_tokens)
    if isinstance(error, NoSuchLanguageException):
        return Msg("unknown language '%(language)s'", language=text.rsplit(": ", 1)[-1])
    if isinstance(error, AstBuilderException) and "inconsistent cell count" in text:
        return Msg("the rows of this table have different numbers of cells")
    if "tag may not contain whitespace" in text:
        return Msg("a tag may not contain spaces")
    return text  # a kind this module does not know yet: the parser's words, inside translated framing


def _unique(tags: list[str]) -> list[str]:
    return list(dict.fromkeys(tags))


def _add_scenario(feature: ParsedFeature, node: dict, background: list[dict], rule: str, inherited: list[str]):
    tags = inherited + _tags(node)
    background_steps = [_step(s, {}, True) for s in background]
    examples = node.get("examples") or []
    common = dict(keyword=node["keyword"].strip(), rule=rule, description=_description(node), line=node["location"]["line"])
    if not examples:
        feature.scenarios.append(ParsedScenario(
            key_name=node["name"].strip(), example_key="", name=node["name"].strip(), example=None,
            examples_name="", examples_index=None, row_index=None,
            steps=background_steps + [_step(s, {}, False) for s in node["steps"]],
            tags=_unique(tags), example_line=None, **common,
        ))
        return
    for table_index, table in enumerate(examples, start=1):
        header = [cell["value"] for cell in (table.get("tableHeader") or {}).get("cells", [])]
        for row_index, row in enumerate(table.get("tableBody") or [], start=1):
            values = dict(zip(header, (cell["value"] for cell in row["cells"]), strict=False))
            feature.scenarios.append(ParsedScenario(
                key_name=node["name"].strip(),
                example_key=_hash([[h, values.get(h)] for h in header])[:40],
                name=(_substitute(node["name"], values) or "").strip(),
                example=values,
                examples_name=table["name"].strip(),
                examples_index=table_index,
                row_index=row_index,
                steps=background_steps + [_step(s, values, False) for s in node["steps"]],
                tags=_unique(tags + _tags(table)),
                example_line=row["location"]["line"],
                **common,
            ))


def _deduplicate(feature: ParsedFeature) -> None:
    """Two scenarios with one name (or two identical Examples rows) get distinct identities."""
    seen: dict[tuple[str, str], int] = {}
    for scenario in feature.scenarios:
        key = (scenario.key_name, scenario.example_key)
        if key in seen:
            seen[key] += 1
            scenario.example_key = f"{scenario.example_key or 'dup'}#{seen[key]}"[:64]
        else:
            seen[key] = 1
