"""confirmation, not-satisfied opinions, follow-up calls, feedback drafts (issue 10)

Revision ID: 0015_confirmation
Revises: 0014_proposer_loop
"""
from alembic import op
import sqlalchemy as sa

revision = "0015_confirmation"
down_revision = "0014_proposer_loop"
branch_labels = None
depends_on = None


def upgrade():
    # user_opinion: why a proposer was not satisfied with the outcome (the reports' user opinions);
    # confirmations and follow-up calls are timeline events, feedback drafts are computed
    op.create_table(
        "user_opinion",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("requirement_id", sa.Integer(), nullable=False),
        sa.Column("region_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["user_account.id"],
                                name=op.f("fk_user_opinion_recorded_by_id_user_account")),
        sa.ForeignKeyConstraint(["region_id"], ["region.id"], name=op.f("fk_user_opinion_region_id_region")),
        sa.ForeignKeyConstraint(["requirement_id"], ["requirement.id"],
                                name=op.f("fk_user_opinion_requirement_id_requirement")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_opinion")),
    )
    with op.batch_alter_table("user_opinion", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_user_opinion_recorded_by_id"), ["recorded_by_id"], unique=False)
        batch_op.create_index("ix_user_opinion_region_at", ["region_id", "recorded_at"], unique=False)
        batch_op.create_index("ix_user_opinion_req", ["requirement_id", "id"], unique=False)


def downgrade():
    with op.batch_alter_table("user_opinion", schema=None) as batch_op:
        batch_op.drop_index("ix_user_opinion_req")
        batch_op.drop_index("ix_user_opinion_region_at")
        batch_op.drop_index(batch_op.f("ix_user_opinion_recorded_by_id"))
    op.drop_table("user_opinion")
