"""A result's steps as they are answered (app.services.results.step_items): stored with every
attempt, and the migration that filled in the attempts written before it builds the same text."""
from __future__ import annotations

import importlib.util
import json
import os

import pytest

from app.services.results import step_items, steps_answer

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

STEPS = [
    {"keyword": "假如", "text": "经办人已登录执行域", "background": True},
    {"keyword": "当", "text": "经办人录入支付凭证", "data_table": [["金额", "科目"], ["100.00", "2010101"]]},
    {"keyword": "那么", "text": "凭证校验通过", "doc_string": {"content": "退款成功", "media_type": ""}},
    {"keyword": "并且", "text": "指标余额减少"},
]


@pytest.mark.parametrize("marks, statuses", [
    (None, ["untested"] * 4),
    ([], ["untested"] * 4),
    ([{"status": "passed"}, {"status": "failed", "error": "金额不符"}], ["passed", "failed", "untested", "untested"]),
    ([{"status": "passed"}, {}, {"status": "skipped", "error": ""}, {"status": "blocked"}],
     ["passed", "untested", "skipped", "blocked"]),
])
def test_steps_carry_their_marks_and_only_the_parts_they_have(marks, statuses):
    items = step_items(STEPS, marks)
    assert [i["status"] for i in items] == statuses
    assert [i["index"] for i in items] == [0, 1, 2, 3]
    assert [i["background"] for i in items] == [True, False, False, False]
    assert "data_table" in items[1] and "doc_string" in items[2]
    assert not any(key in items[0] for key in ("data_table", "doc_string"))
    errors = {i["index"]: i["error"] for i in items if "error" in i}
    assert errors == ({1: "金额不符"} if marks and marks[1].get("error") else {})
    # stored as UTF-8 JSON text without escapes, read back the same
    text = steps_answer(STEPS, marks)
    assert json.loads(text) == items and "经办人" in text and "\\u" not in text


def _migration():
    path = os.path.join(ROOT, "migrations", "versions", "0021_steps_answer.py")
    spec = importlib.util.spec_from_file_location("steps_answer_migration", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("marks", [None, [], [{"status": "passed"}, {"status": "failed", "error": "金额不符"}],
                                   [{"status": "passed"}] * 4])
def test_the_migration_fills_in_what_the_app_writes(marks):
    migration = _migration()
    assert json.loads(migration.as_text(migration.step_items(STEPS, marks))) == json.loads(steps_answer(STEPS, marks))
    assert migration.as_text(migration.step_items(STEPS, marks)) == steps_answer(STEPS, marks)
    # a lone surrogate stored before input was cleaned stays an escape: the text is still storable
    odd = [{"keyword": "当", "text": "x\ud800"}]
    assert json.loads(migration.as_text(migration.step_items(odd, None)))[0]["text"] == "x\ud800"
