"""The requirement search index: not a model but a per-dialect table the search service fills.

SQLite: an FTS5 table `requirement_search` (rowid = requirement id) over tokens the service makes
itself (CJK character bigrams, lowercased ASCII words), ranked with bm25. The `ascii` tokenizer
keeps every non-ASCII character inside a token, so a stored bigram stays one token.
PostgreSQL: a table `requirement_search(requirement_id, document tsvector)` with a GIN index,
the same tokens written as a tsvector literal (no text-search parser in between).

`create_all` builds it through the DDL hook below (tests); the Alembic revision
0007_search_proposers builds it on a migrated database. Autogenerate leaves it alone
(`include_object`).
"""
from __future__ import annotations

from sqlalchemy import event, text

from app.extensions import db

TABLE = "requirement_search"
# the FTS5 columns, in order; weights for bm25 (code and title count most)
COLUMNS = ("code", "title", "body", "comments")
WEIGHTS = (10.0, 5.0, 1.0, 0.5)

SQLITE_CREATE = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {TABLE} USING fts5("
    + ", ".join(COLUMNS)
    + ", tokenize = 'ascii', detail = 'full')"
)
# an fts5vocab table databases built before 0022_drop_search_vocab may still hold (dropped with
# the index); the similar-requirements query counts token frequency with capped MATCH counts now
VOCAB = TABLE + "_vocab"
POSTGRES_CREATE = (
    f"CREATE TABLE IF NOT EXISTS {TABLE} ("
    "requirement_id INTEGER PRIMARY KEY REFERENCES requirement(id) ON DELETE CASCADE, "
    "document TSVECTOR NOT NULL)",
    f"CREATE INDEX IF NOT EXISTS ix_{TABLE}_document ON {TABLE} USING GIN (document)",
)


def create(connection) -> None:
    dialect = connection.dialect.name
    if dialect == "sqlite":
        connection.execute(text(SQLITE_CREATE))
    elif dialect == "postgresql":
        for statement in POSTGRES_CREATE:
            connection.execute(text(statement))


def drop(connection) -> None:
    if connection.dialect.name == "sqlite":
        connection.execute(text(f"DROP TABLE IF EXISTS {VOCAB}"))
    if connection.dialect.name in ("sqlite", "postgresql"):
        connection.execute(text(f"DROP TABLE IF EXISTS {TABLE}"))


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """For Alembic's comparison: the index and FTS5's shadow tables are not models."""
    return not (type_ == "table" and name and (name == TABLE or name.startswith(TABLE + "_")))


@event.listens_for(db.metadata, "after_create")
def _after_create(target, connection, **kw):
    create(connection)


@event.listens_for(db.metadata, "before_drop")
def _before_drop(target, connection, **kw):
    drop(connection)
