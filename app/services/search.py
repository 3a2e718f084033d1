"""Full-text search over requirements, Chinese included, and similar-requirement ranking.

Text becomes tokens here, the same way for documents and queries: runs of CJK characters give
their character bigrams (退款失败 -> 退款 款失 失败; a lone character stays a unigram), runs of
ASCII letters and digits give lowercased words (REQ-2026-0001 -> req 2026 0001), after NFKC
(full-width letters and digits become ASCII). A query is an AND of phrases, one per run of
tokens, so a two-character word is one token and a longer phrase matches only as written.
A lone CJK character cannot be a bigram: it is matched with LIKE (a scan), as the issue allows.

The index (app.models.search_index) is written by `index()` in the caller's transaction, by
every use case that changes what is searched: create, edit, comment, merge.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape
from sqlalchemy import bindparam, case, column, func, literal_column, or_, select, table, text

from app.extensions import db
from app.models import Event, Proposer, Requirement
from app.models import search_index
from app.models.search_index import COLUMNS, TABLE, WEIGHTS
from app.services import paging

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff"
_RUN = re.compile(rf"[{_CJK}]+|[0-9a-z]+")
_IS_CJK = re.compile(rf"[{_CJK}]")
# a document or a query longer than this is cut (a description is at most 20,000 characters)
MAX_TOKENS = 20000
PG_MAX_POSITION = 16383


def normalise(value: str) -> str:
    return unicodedata.normalize("NFKC", value or "").lower()


def runs(value: str) -> list[str]:
    """Runs of CJK characters or ASCII letters/digits, in order; everything else separates."""
    return _RUN.findall(normalise(value))


def _run_tokens(run: str) -> list[str]:
    if _IS_CJK.match(run):
        return [run] if len(run) == 1 else [run[i : i + 2] for i in range(len(run) - 1)]
    return [run]


def tokens(value: str) -> list[str]:
    """The token sequence of a text: CJK bigrams and ASCII words, in order."""
    out: list[str] = []
    for run in runs(value):
        out.extend(_run_tokens(run))
    return out[:MAX_TOKENS]


def bigram_set(value: str) -> set[str]:
    """The distinct tokens of a text, for similarity: bigrams and words."""
    return set(tokens(value))


# --- the index ---------------------------------------------------------------------------


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def document(req: Requirement, proposers: Iterable[Proposer] = (), comments: Iterable[str] = ()) -> dict[str, str]:
    """The searchable text of a requirement as token strings, per index column."""
    body = " ".join(
        [req.description or "", req.module or "", req.proposer_unit or ""]
        + [f"{p.unit} {p.name}" for p in proposers]
    )
    return {
        "code": " ".join(tokens(req.code)),
        "title": " ".join(tokens(req.title)),
        "body": " ".join(tokens(body)),
        "comments": " ".join(tokens(" ".join(comments))),
    }


def _comments(requirement_id: int) -> list[str]:
    return [
        (data or {}).get("body", "")
        for data in db.session.scalars(
            select(Event.data).where(Event.requirement_id == requirement_id, Event.kind == "comment")
        )
    ]


def _proposers(requirement_id: int) -> list[Proposer]:
    return list(db.session.scalars(select(Proposer).where(Proposer.requirement_id == requirement_id)))


def _tsvector(doc: dict[str, str]) -> str:
    """A PostgreSQL tsvector literal of the tokens with positions and weights (A code/title,
    B body, C comments); lexemes are CJK characters or [a-z0-9], so quoting is plain."""
    weights = {"code": "A", "title": "A", "body": "B", "comments": "C"}
    parts: list[str] = []
    position = 0
    for name in COLUMNS:
        for token in doc[name].split():
            position = min(position + 1, PG_MAX_POSITION)
            parts.append(f"'{token}':{position}{weights[name]}")
        position = min(position + 1, PG_MAX_POSITION)  # no phrase spans two fields
    return " ".join(parts)


def index(req: Requirement) -> None:
    """(Re)write one requirement's index entry in the current transaction."""
    db.session.flush()
    doc = document(req, _proposers(req.id), _comments(req.id))
    dialect = _dialect()
    if dialect == "sqlite":
        db.session.execute(text(f"DELETE FROM {TABLE} WHERE rowid = :id"), {"id": req.id})
        db.session.execute(
            text(f"INSERT INTO {TABLE} (rowid, {', '.join(COLUMNS)}) VALUES (:id, :code, :title, :body, :comments)"),
            {"id": req.id, **doc},
        )
    elif dialect == "postgresql":
        db.session.execute(
            text(
                f"INSERT INTO {TABLE} (requirement_id, document) VALUES (:id, CAST(:doc AS tsvector)) "
                "ON CONFLICT (requirement_id) DO UPDATE SET document = excluded.document"
            ),
            {"id": req.id, "doc": _tsvector(doc)},
        )


def reindex(batch: int = 2000) -> int:
    """Rebuild the whole index (`flask --app wsgi search reindex`); returns the count."""
    dialect = _dialect()
    search_index.create(db.session.connection())  # (IF NOT EXISTS) a database restored without it
    db.session.execute(text(f"DELETE FROM {TABLE}"))
    count = 0
    last = 0
    while True:
        reqs = list(db.session.scalars(select(Requirement).where(Requirement.id > last).order_by(Requirement.id).limit(batch)))
        if not reqs:
            break
        ids = [r.id for r in reqs]
        proposers: dict[int, list[Proposer]] = {}
        for p in db.session.scalars(select(Proposer).where(Proposer.requirement_id.in_(ids))):
            proposers.setdefault(p.requirement_id, []).append(p)
        comments: dict[int, list[str]] = {}
        for rid, data in db.session.execute(
            select(Event.requirement_id, Event.data).where(Event.requirement_id.in_(ids), Event.kind == "comment")
        ):
            comments.setdefault(rid, []).append((data or {}).get("body", ""))
        rows = [{"id": r.id, **document(r, proposers.get(r.id, ()), comments.get(r.id, ()))} for r in reqs]
        if dialect == "sqlite":
            db.session.execute(
                text(f"INSERT INTO {TABLE} (rowid, {', '.join(COLUMNS)}) VALUES (:id, :code, :title, :body, :comments)"),
                rows,
            )
        elif dialect == "postgresql":
            db.session.execute(
                text(f"INSERT INTO {TABLE} (requirement_id, document) VALUES (:id, CAST(:doc AS tsvector))"),
                [{"id": row["id"], "doc": _tsvector(row)} for row in rows],
            )
        count += len(reqs)
        last = ids[-1]
        db.session.expunge_all()
    return count


# --- queries -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Query:
    """A parsed search: phrases (token lists, the last ASCII token a prefix) all of which must
    match, and pieces (lone CJK characters with their neighbours) matched by LIKE."""

    phrases: tuple[tuple[tuple[str, ...], bool], ...]
    scans: tuple[str, ...]

    @property
    def empty(self) -> bool:
        return not self.phrases and not self.scans


def parse(q: str) -> Query:
    phrases: list[tuple[tuple[str, ...], bool]] = []
    scans: list[str] = []
    # whitespace and punctuation split the query into pieces; inside a piece runs are adjacent
    for piece in re.split(rf"[^{_CJK}0-9a-z]+", normalise(q)):
        if not piece:
            continue
        piece_runs = _RUN.findall(piece)
        current: list[str] = []
        lone = False
        for run in piece_runs:
            if _IS_CJK.match(run) and len(run) == 1:
                lone = True
                if current:
                    phrases.append((tuple(current), False))
                current = []
                continue
            current.extend(_run_tokens(run))
        if current:
            phrases.append((tuple(current), not _IS_CJK.match(current[-1])))
        if lone:
            scans.append(piece)
    return Query(tuple(dict.fromkeys(phrases)), tuple(dict.fromkeys(scans)))


def fts_expression(query: Query) -> str:
    """The FTS5 MATCH expression (tokens are CJK or [a-z0-9], quoted: no syntax leaks in)."""
    return " AND ".join('"' + " ".join(toks) + '"' + ("*" if prefix else "") for toks, prefix in query.phrases)


def tsquery_expression(query: Query, weight: str = "") -> str:
    """The tsquery; with `weight` ("A": code and title) only lexemes of that weight match."""
    return " & ".join(
        "(" + " <-> ".join(
            f"'{t}'" + (":" + ("*" if prefix and i == len(toks) - 1 else "") + weight
                        if weight or (prefix and i == len(toks) - 1) else "")
            for i, t in enumerate(toks)
        ) + ")"
        for toks, prefix in query.phrases
    )


def _title_expression(query: Query) -> str:
    """The FTS5 expression matching only in the code and title columns."""
    return "{code title}: (" + fts_expression(query) + ")"


def _like(value: str) -> str:
    return "%" + value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


_fts = table(TABLE, column("rowid"), column("requirement_id"), column("document"))
_SCANNED = (Requirement.title, Requirement.description, Requirement.module, Requirement.proposer_unit)


def _scan(stmt, piece: str):
    """Requirements whose title, description, module or unit contain `piece` (a scan). A piece
    without letters (a lone CJK character, "100%") has no case: SQLite then finds it with
    instr(), about half the cost of LIKE over lower()."""
    if _dialect() == "sqlite" and piece.lower() == piece.upper():
        return stmt.where(or_(*[func.instr(c, piece) > 0 for c in _SCANNED]))
    like = _like(piece)
    return stmt.where(or_(*[c.ilike(like, escape="\\") for c in _SCANNED]))


def _match(stmt, query: Query, title: bool = False):
    """`stmt` joined to the index where every phrase matches (`title`: in the code or title)."""
    if _dialect() == "sqlite":
        expression = _title_expression(query) if title else fts_expression(query)
        return stmt.join(_fts, _fts.c.rowid == Requirement.id).where(
            literal_column(TABLE).op("MATCH")(bindparam("fts_q", expression))
        )
    return stmt.join(_fts, _fts.c.requirement_id == Requirement.id).where(_fts.c.document.op("@@")(_tsquery(query, title)))


# a token in more requirements than this is "common": its exact count does not matter, and
# counting a doclist of 100,000 costs a millisecond where a capped count costs a tenth
COMMON = 2000


def _matching(stmt, query: Query, title: bool = False):
    """`stmt` cut to the requirements where every phrase matches, however many match. On SQLite
    a join reads the matches first and then each one's row: right for a few hundred, but a word
    in most of 100,000 requirements costs a row lookup each (20-30 ms) before any filter, sort or
    count. Such a word becomes a membership test SQLite cannot start from (`id + 0`): it walks the
    index serving the scope, the filters and the order and probes the set of matches (8 ms to
    build for 100,000), stopping after a page. Not with a scan (a lone character): scanning
    every row in scope costs more than looking up each match. (`title`: matches in the code or
    title only.)"""
    expression = _title_expression(query) if title else fts_expression(query)
    if _dialect() == "sqlite" and not query.scans and _common(expression):
        name = "fts_title" if title else "fts_q"
        return stmt.where((Requirement.id + 0).in_(
            select(_fts.c.rowid).where(literal_column(TABLE).op("MATCH")(bindparam(name, expression)))
        ))
    return _match(stmt, query, title)


def _common(expression: str) -> bool:
    """Whether more than COMMON requirements match the FTS5 `expression` (counted up to the cap)."""
    return (db.session.scalar(
        text(f"SELECT count(*) FROM (SELECT rowid FROM {TABLE} WHERE {TABLE} MATCH :q LIMIT {COMMON + 1})"),
        {"q": expression},
    ) or 0) > COMMON


def _tsquery(query: Query, title: bool = False):
    name = "ts_title" if title else "ts_q"
    return text(f"CAST(:{name} AS tsquery)").bindparams(**{name: tsquery_expression(query, "A" if title else "")})


def _in_title(query: Query):
    """A condition on a select already joined by `_match`: the match is in the code or title."""
    if _dialect() == "sqlite":
        return Requirement.id.in_(
            select(_fts.c.rowid).where(literal_column(TABLE).op("MATCH")(bindparam("fts_title", _title_expression(query))))
        )
    return _fts.c.document.op("@@")(_tsquery(query, title=True))


def _title_rank(query: Query):
    """Order by relevance in the code and title, for a select joined by `_match(title=True)`."""
    if _dialect() == "sqlite":
        return literal_column(f"bm25({TABLE}, {', '.join(str(w) for w in WEIGHTS)})")
    return func.ts_rank(_fts.c.document, _tsquery(query, title=True)).desc()


def _correlated_title_rank(query: Query):
    """The same relevance as a value per requirement row (NULL when not a code/title match)."""
    if _dialect() == "sqlite":
        return (
            select(_title_rank(query))
            .select_from(_fts)
            .where(
                literal_column(TABLE).op("MATCH")(bindparam("fts_title", _title_expression(query))),
                _fts.c.rowid == Requirement.id,
            )
            .scalar_subquery()
        )
    return case((_in_title(query), func.ts_rank(_fts.c.document, _tsquery(query, title=True))))


def _searchable(dialect: str) -> bool:
    return dialect in ("sqlite", "postgresql")


def _filtered(stmt, q: str) -> tuple[Any, Query]:
    """`stmt` cut to the requirements matching `q` (scans for lone characters and punctuation;
    index matches are left to the caller), with the parsed query."""
    query = parse(q)
    # punctuation only ("%", "100%"'s sign): a literal scan, as are lone CJK characters
    for piece in query.scans if not query.empty else (q.strip(),):
        stmt = _scan(stmt, piece)
    return stmt, query


def apply(stmt, q: str, rank: bool):
    """Filter a select of requirements by the query `q`; when `rank`, order by relevance first
    (the order `page` answers one page of at a time). Returns (stmt, ranked).

    Relevance comes in two tiers: requirements holding every word in their code or title
    first, best code/title match first (bm25 on SQLite, ts_rank on PostgreSQL); then those
    matching only in the description, module, units or comments, newest first. (Ranking every
    match by bm25 costs 60-70 ms for a word most of 100,000 requirements contain; the tiers
    rank only the title matches.)"""
    stmt, query = _filtered(stmt, q)
    if not query.phrases:
        return stmt, False
    dialect = _dialect()
    if not _searchable(dialect):  # other databases: a plain scan over title and description
        for toks, _prefix in query.phrases:
            like = _like("".join(toks))
            stmt = stmt.where(or_(Requirement.title.ilike(like, escape="\\"), Requirement.description.ilike(like, escape="\\")))
        return stmt, False
    if dialect == "sqlite" and rank:
        # a membership test, not a join: the title rank's subquery names the index table itself
        stmt = stmt.where(
            Requirement.id.in_(select(_fts.c.rowid).where(literal_column(TABLE).op("MATCH")(bindparam("fts_q", fts_expression(query)))))
        )
    else:
        stmt = _matching(stmt, query)
    if rank:
        title_rank = _correlated_title_rank(query)
        stmt = stmt.order_by(title_rank.is_(None), title_rank.desc() if dialect == "postgresql" else title_rank)
    return stmt, rank


def _count(stmt, query: Query, title: bool = False, matching=None) -> int:
    """How many requirements of `stmt` match (`title`: in the code or title). When `stmt` has
    no condition (a province's search without filters) SQLite counts the index's matches alone:
    it holds one row per requirement, written in the requirement's own transaction (2 ms for
    100,000 matches where counting their rows takes 20). `matching`: `_matching(stmt, query,
    title)` when the caller has it already."""
    if stmt.whereclause is None and _dialect() == "sqlite":
        return db.session.scalar(
            text(f"SELECT count(*) FROM {TABLE} WHERE {TABLE} MATCH :q"),
            {"q": _title_expression(query) if title else fts_expression(query)},
        ) or 0
    if matching is None:
        matching = _matching(stmt, query, title)
    return db.session.scalar(select(func.count()).select_from(matching.with_only_columns(Requirement.id).subquery())) or 0


def count(stmt, q: str) -> int | None:
    """How many requirements of `stmt` (a filtered select) match `q`, counted the way `page`
    counts; None where only a plain count of the searched select will do (scans only)."""
    stmt, query = _filtered(stmt, q)
    if not query.phrases or not _searchable(_dialect()):
        return None
    return _count(stmt, query)


def page(stmt, q: str, number: int, per_page: int) -> paging.Page | None:
    """One page of `stmt` (a filtered, unordered select of requirements) searched and ranked
    by `q`, in the order `apply` gives, in two steps: the code/title tier first (only its rows
    are ranked), then the rest newest first, read only when the page reaches past the tier.
    None when `q` does not rank (lone characters or punctuation only: a scan, newest first)."""
    stmt, query = _filtered(stmt, q)
    if not query.phrases or not _searchable(_dialect()):
        return None
    matching = _matching(stmt, query)  # asks once whether the word is common
    total = _count(stmt, query, matching=matching)
    offset = (number - 1) * per_page
    # page 1 reads the tier at once; a later page first asks how long the tier is, so that a
    # page past it never ranks it
    in_title = _count(stmt, query, title=True) if offset else None
    ids: list[int] = []
    if in_title is None or offset < in_title:
        ids = list(db.session.scalars(
            _match(stmt, query, title=True).with_only_columns(Requirement.id)
            .order_by(_title_rank(query), Requirement.id.desc()).limit(per_page).offset(offset)
        ))
    if len(ids) < per_page and offset + len(ids) < total:
        if in_title is None:  # page 1, the tier shorter than a page
            in_title = len(ids)
        ids += db.session.scalars(
            matching.where(~_in_title(query)).with_only_columns(Requirement.id)
            .order_by(Requirement.id.desc()).limit(per_page - len(ids)).offset(max(0, offset - in_title))
        )
    return paging.Page(items=paging.load(Requirement, ids), total=total, page=number, per_page=per_page)


# the similar-requirements query ORs this many of the text's tokens, the rarest in the index
RAREST = 8


def _rarest(distinct: list[str], keep: int) -> list[str]:
    """The `keep` tokens found in the fewest requirements (tokens found in none are dropped;
    common ones tie, in the text's order): they say most about a text, and an OR of common
    ones would rank half the index."""
    frequency: dict[str, int] = {}
    count = text(
        f"SELECT count(*) FROM (SELECT rowid FROM {TABLE} WHERE {TABLE} MATCH :token LIMIT {COMMON + 1})"
    )
    for token in distinct:
        frequency[token] = db.session.scalar(count, {"token": f'"{token}"'}) or 0
    found = [t for t in distinct if frequency[t]]
    return sorted(found, key=lambda t: frequency[t])[:keep]


def candidates(stmt, value: str, limit: int) -> list[Requirement]:
    """Up to `limit` requirements of `stmt` sharing the most tokens with `value`, best first
    (an OR query of its distinct tokens ranked by bm25 / ts_rank)."""
    distinct = list(dict.fromkeys(t for t in tokens(value) if len(t) > 1 or not _IS_CJK.match(t)))[:200]
    if not distinct:
        return []
    dialect = _dialect()
    if dialect == "sqlite":
        distinct = _rarest(distinct, RAREST)
        if not distinct:
            return []
        expr = " OR ".join(f'"{t}"' for t in distinct)
        stmt = (
            stmt.join(_fts, _fts.c.rowid == Requirement.id)
            .where(literal_column(TABLE).op("MATCH")(bindparam("fts_q", expr)))
            .order_by(literal_column(f"bm25({TABLE}, {', '.join(str(w) for w in WEIGHTS)})"))
        )
    elif dialect == "postgresql":
        tsq = text("CAST(:ts_q AS tsquery)").bindparams(ts_q=" | ".join(f"'{t}'" for t in distinct))
        stmt = (
            stmt.join(_fts, _fts.c.requirement_id == Requirement.id)
            .where(_fts.c.document.op("@@")(tsq))
            .order_by(func.ts_rank(_fts.c.document, tsq).desc())
        )
    else:  # pragma: no cover - other databases: newest first, scored below
        stmt = stmt.order_by(Requirement.id.desc())
    return list(db.session.scalars(stmt.limit(limit)).unique())


def similarity(a: set[str], b: set[str]) -> float:
    """Dice coefficient of two token sets, 0..1."""
    if not a or not b:
        return 0.0
    return 2 * len(a & b) / (len(a) + len(b))


def score(text_tokens: set[str], req: Requirement) -> float:
    """How alike a typed text and a requirement are: the better of the title alone and the
    title with the description (a short typed title against a long description scores low)."""
    title = bigram_set(req.title)
    return round(max(similarity(text_tokens, title), similarity(text_tokens, title | bigram_set(req.description))), 3)


# --- highlighting ------------------------------------------------------------------------


def _marked(q: str | None) -> re.Pattern | None:
    """The pattern of the query's words as a page marks them (longest first, case-insensitive)."""
    words = sorted(
        {w for w in re.split(rf"[^{_CJK}0-9A-Za-z\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]+", q or "") if w},
        key=len,
        reverse=True,
    )
    return re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE) if words else None


def highlight(value: str, q: str | None) -> Markup:
    """`value` HTML-escaped, with the query's words wrapped in <mark> (case-insensitive)."""
    value = value or ""
    pattern = _marked(q)
    if pattern is None:
        return escape(value)
    out: list[str] = []
    last = 0
    for match in pattern.finditer(value):
        out.append(str(escape(value[last : match.start()])))
        out.append(f"<mark>{escape(match.group(0))}</mark>")
        last = match.end()
    out.append(str(escape(value[last:])))
    return Markup("".join(out))


def excerpt(value: str, q: str | None, width: int = 24) -> Markup:
    """The part of `value` around the first of the query's words, marked like `highlight`, with
    "…" where it is cut, its line breaks and runs of spaces as one space; empty when none of the
    words is in it."""
    pattern = _marked(q)
    value = " ".join((value or "").split())
    match = pattern.search(value) if pattern is not None else None
    if match is None:
        return Markup("")
    start, end = max(0, match.start() - width), min(len(value), match.end() + width)
    return Markup(("…" if start else "") + highlight(value[start:end], q) + ("…" if end < len(value) else ""))
