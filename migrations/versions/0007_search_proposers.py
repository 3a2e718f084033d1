"""search index, proposers, merge

Revision ID: 0007_search_proposers
Revises: 0006_release_lifecycle

- requirement_proposer: every proposer of a requirement; each existing requirement's
  proposer_* fields become its first proposer (the columns stay, mirroring that proposer).
- requirement_feedback: also records a merge (no meeting; the proposer and the original).
- requirement_search: the full-text index, an FTS5 table on SQLite, a tsvector table with a
  GIN index on PostgreSQL (app.models.search_index), filled here from the existing rows.
"""
from alembic import op
import sqlalchemy as sa

revision = "0007_search_proposers"
down_revision = "0006_release_lifecycle"
branch_labels = None
depends_on = None


def _fill_index(bind):
    """Tokens for every existing requirement (the same tokenizer as the app)."""
    from app.models import search_index
    from app.services.search import tokens

    rows = bind.execute(sa.text("SELECT id, code, title, description, module, proposer_unit FROM requirement")).all()
    comments: dict[int, list[str]] = {}
    for rid, data in bind.execute(
        sa.text("SELECT requirement_id, data FROM requirement_event WHERE kind = 'comment'")
    ):
        import json

        body = (json.loads(data) if isinstance(data, str) else data or {}).get("body", "")
        comments.setdefault(rid, []).append(body)
    docs = [
        {
            "id": rid,
            "code": " ".join(tokens(code)),
            "title": " ".join(tokens(title)),
            "body": " ".join(tokens(" ".join([description or "", module or "", unit or ""]))),
            "comments": " ".join(tokens(" ".join(comments.get(rid, [])))),
        }
        for rid, code, title, description, module, unit in rows
    ]
    if not docs:
        return
    if bind.dialect.name == "sqlite":
        bind.execute(
            sa.text(f"INSERT INTO {search_index.TABLE} (rowid, code, title, body, comments) "
                    "VALUES (:id, :code, :title, :body, :comments)"),
            docs,
        )
    elif bind.dialect.name == "postgresql":
        from app.services.search import _tsvector

        bind.execute(
            sa.text(f"INSERT INTO {search_index.TABLE} (requirement_id, document) VALUES (:id, CAST(:doc AS tsvector))"),
            [{"id": d["id"], "doc": _tsvector(d)} for d in docs],
        )


def upgrade():
    op.create_table(
        "requirement_proposer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("requirement_id", sa.Integer(), nullable=False),
        sa.Column("origin_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("unit", sa.String(length=200), nullable=False),
        sa.Column("contact", sa.String(length=100), nullable=False),
        sa.Column("region_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=40), nullable=False),
        sa.Column("raised_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["origin_id"], ["requirement.id"], name=op.f("fk_requirement_proposer_origin_id_requirement")),
        sa.ForeignKeyConstraint(["region_id"], ["region.id"], name=op.f("fk_requirement_proposer_region_id_region")),
        sa.ForeignKeyConstraint(["requirement_id"], ["requirement.id"],
                                name=op.f("fk_requirement_proposer_requirement_id_requirement")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_requirement_proposer")),
    )
    with op.batch_alter_table("requirement_proposer", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_requirement_proposer_origin_id"), ["origin_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_requirement_proposer_region_id"), ["region_id"], unique=False)
        batch_op.create_index("ix_requirement_proposer_req", ["requirement_id", "id"], unique=False)
    op.execute(
        "INSERT INTO requirement_proposer (requirement_id, origin_id, name, unit, contact, region_id, channel, raised_at) "
        "SELECT id, id, proposer_name, proposer_unit, proposer_contact, region_id, channel, created_at FROM requirement"
    )

    with op.batch_alter_table("requirement_feedback", schema=None) as batch_op:
        batch_op.add_column(sa.Column("proposer_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("original_id", sa.Integer(), nullable=True))
        batch_op.alter_column("meeting_id", existing_type=sa.Integer(), nullable=True)
        batch_op.create_index(batch_op.f("ix_requirement_feedback_original_id"), ["original_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_requirement_feedback_proposer_id"), ["proposer_id"], unique=False)
        batch_op.create_foreign_key(batch_op.f("fk_requirement_feedback_proposer_id_requirement_proposer"),
                                    "requirement_proposer", ["proposer_id"], ["id"])
        batch_op.create_foreign_key(batch_op.f("fk_requirement_feedback_original_id_requirement"),
                                    "requirement", ["original_id"], ["id"])

    from app.models import search_index

    bind = op.get_bind()
    search_index.create(bind)
    _fill_index(bind)


def downgrade():
    from app.models import search_index

    search_index.drop(op.get_bind())
    # merge feedback has no meeting: it cannot live in the older table
    op.execute("DELETE FROM requirement_feedback WHERE meeting_id IS NULL")
    with op.batch_alter_table("requirement_feedback", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_requirement_feedback_original_id_requirement"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_requirement_feedback_proposer_id_requirement_proposer"),
                                 type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_requirement_feedback_proposer_id"))
        batch_op.drop_index(batch_op.f("ix_requirement_feedback_original_id"))
        batch_op.alter_column("meeting_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column("original_id")
        batch_op.drop_column("proposer_id")
    with op.batch_alter_table("requirement_proposer", schema=None) as batch_op:
        batch_op.drop_index("ix_requirement_proposer_req")
        batch_op.drop_index(batch_op.f("ix_requirement_proposer_region_id"))
        batch_op.drop_index(batch_op.f("ix_requirement_proposer_origin_id"))
    op.drop_table("requirement_proposer")
