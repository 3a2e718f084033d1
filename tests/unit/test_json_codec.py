"""app.utils.json_loads / json_bytes: orjson's speed without losing what the standard library reads."""
import json

from app.utils import RawJSON, json_bytes, json_loads


def test_reads_what_orjson_reads_and_what_only_the_standard_library_reads():
    assert json_loads('{"步骤": [1, "通过"]}') == {"步骤": [1, "通过"]}
    assert json_loads(b'[true, null]') == [True, None]
    # stored before input was cleaned: a lone surrogate escape
    assert json_loads('["x\\ud800y"]') == ["x\ud800y"]
    # every 64-bit integer (the database's range) reads back exactly
    assert json_loads(f"[{2 ** 63 - 1}, {-(2 ** 63)}]") == [2 ** 63 - 1, -(2 ** 63)]


def test_writes_utf8_without_escapes_and_falls_back_for_what_orjson_refuses():
    assert json_bytes({"状态": "通过"}) == '{"状态":"通过"}'.encode()
    big = 2 ** 70
    assert json.loads(json_bytes([big])) == [big]
    assert json.loads(json_bytes(["x\ud800y"])) == ["x\ud800y"]


def test_stored_json_text_is_written_as_is_by_both_encoders():
    """A RawJSON (a result's stored steps) is placed in the answer without being decoded, and
    still when the standard library writes the answer (a lone surrogate elsewhere in it)."""
    steps = '[{"index":0,"text":"经办人已登录","status":"passed"}]'
    assert json_bytes({"steps": RawJSON(steps), "n": 1}) == ('{"steps":' + steps + ',"n":1}').encode()
    assert json.loads(json_bytes([{"steps": RawJSON(steps), "note": "x\ud800"}])) == [
        {"steps": json.loads(steps), "note": "x\ud800"}]
    try:
        json_bytes({"x": object()})
    except TypeError:
        raise AssertionError("an unknown object is written as its text by the fallback, as before")


def test_json_columns_are_read_back_through_it(app_ctx):
    from app.extensions import db

    assert db.engine.dialect._json_deserializer is json_loads
