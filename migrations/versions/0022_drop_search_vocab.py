"""drop the search index's fts5vocab table (issue 12)

Revision ID: 0022_drop_search_vocab
Revises: 0021_steps_answer

The similar-requirements query picked the rarest tokens of a text through
`requirement_search_vocab` (an fts5vocab view over the SQLite index), which counts a token's
whole doclist: 16 ms for a typed title and description at 100,000 requirements. It now counts
each token's matches up to a cap (app.services.search._rarest), so the view goes. PostgreSQL
never had it.
"""
from alembic import op

revision = "0022_drop_search_vocab"
down_revision = "0021_steps_answer"
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS requirement_search_vocab")


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE IF NOT EXISTS requirement_search_vocab "
            "USING fts5vocab(requirement_search, 'row')"
        )
