"""Small helpers shared by every layer."""
from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from typing import Any

import orjson
from werkzeug.routing import IntegerConverter


# characters no text of the app may hold: not in XML 1.0 (so not in a page, .docx or .xlsx) or
# refused by a database (NUL on PostgreSQL): C0 controls but tab and line breaks, unpaired
# surrogates, U+FFFE/U+FFFF
UNSAFE_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def safe_text(text: str) -> str:
    """`text` without the characters of UNSAFE_TEXT (for names the app does not choose: uploads)."""
    return UNSAFE_TEXT.sub("", text)


class DatabaseIntConverter(IntegerConverter):
    """`<int:...>` in every route: ids beyond the database's INTEGER (2**31 - 1, PostgreSQL) match no
    route, so they answer 404 like any unknown id instead of reaching a query that overflows."""

    def __init__(self, url_map, fixed_digits=0, min=None, max=2**31 - 1, signed=False):
        super().__init__(url_map, fixed_digits, min, max, signed)


def utcnow() -> datetime:
    """Naive UTC now: the database stores UTC without an offset (portable across SQLite and PG)."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def as_utc(value: datetime | None) -> datetime | None:
    """A stored naive-UTC datetime as an aware one, for ISO 8601 output with an offset."""
    if value is None:
        return None
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value


def iso_utc(value: datetime | None) -> str | None:
    """The one way a timestamp leaves the API: ISO 8601 with its UTC offset."""
    return as_utc(value).isoformat() if value is not None else None


def json_loads(text: str | bytes) -> Any:
    """JSON text to Python, fast (orjson); what orjson refuses and the standard library reads (a
    lone surrogate escape stored before input was cleaned) still reads. 64-bit integers read back
    exactly (input beyond the database's integer range is refused before it is stored)."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


class RawJSON:
    """JSON text already encoded (an answer stored with its row), placed as is in what
    `json_bytes` writes: nothing decoded and encoded again."""

    __slots__ = ("text",)

    def __init__(self, text: str | bytes):
        self.text = text


def _as_fragment(value: Any) -> Any:
    if isinstance(value, RawJSON):
        return orjson.Fragment(value.text)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _as_plain(value: Any) -> Any:
    return json_loads(value.text) if isinstance(value, RawJSON) else str(value)


def json_bytes(value: Any) -> bytes:
    """Python to UTF-8 JSON bytes, fast (orjson, no `\\uXXXX` escapes), for large answers; a
    `RawJSON` is written as the JSON text it holds."""
    try:
        return orjson.dumps(value, default=_as_fragment)
    except TypeError:  # what orjson refuses (an integer beyond 64 bits, a lone surrogate): escaped
        return json.dumps(value, separators=(",", ":"), default=_as_plain).encode()
