"""share links, confirmation, follow-up calls (issue 10)

Revision ID: 0014_proposer_loop
Revises: 0013_notifications

- requirement_share_link: the proposer status links (only the token's SHA-256 is stored).
"""
from alembic import op
import sqlalchemy as sa

revision = "0014_proposer_loop"
down_revision = "0013_notifications"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "requirement_share_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("requirement_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["created_by_id"], ["user_account.id"],
                                name=op.f("fk_requirement_share_link_created_by_id_user_account")),
        sa.ForeignKeyConstraint(["requirement_id"], ["requirement.id"],
                                name=op.f("fk_requirement_share_link_requirement_id_requirement")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_requirement_share_link")),
    )
    with op.batch_alter_table("requirement_share_link", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_requirement_share_link_created_by_id"), ["created_by_id"], unique=False)
        batch_op.create_index("ix_requirement_share_link_req", ["requirement_id", "id"], unique=False)
        batch_op.create_index("ix_requirement_share_link_token_hash", ["token_hash"], unique=True)


def downgrade():
    with op.batch_alter_table("requirement_share_link", schema=None) as batch_op:
        batch_op.drop_index("ix_requirement_share_link_token_hash")
        batch_op.drop_index("ix_requirement_share_link_req")
        batch_op.drop_index(batch_op.f("ix_requirement_share_link_created_by_id"))
    op.drop_table("requirement_share_link")
