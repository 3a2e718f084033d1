"""rollout targets per region, smoke runs (issue 9)

Revision ID: 0018_rollout
Revises: 0017_upgrade_documents
"""
from alembic import op
import sqlalchemy as sa

revision = "0018_rollout"
down_revision = "0017_upgrade_documents"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "release_rollout_target",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("release_id", sa.Integer(), nullable=False),
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=True),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("started_by_id", sa.Integer(), nullable=True),
        sa.Column("finished_by_id", sa.Integer(), nullable=True),
        sa.Column("smoke_run_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["release_id"], ["release.id"],
                                name=op.f("fk_release_rollout_target_release_id_release")),
        sa.ForeignKeyConstraint(["region_code"], ["region.code"],
                                name=op.f("fk_release_rollout_target_region_code_region")),
        sa.ForeignKeyConstraint(["started_by_id"], ["user_account.id"],
                                name=op.f("fk_release_rollout_target_started_by_id_user_account")),
        sa.ForeignKeyConstraint(["finished_by_id"], ["user_account.id"],
                                name=op.f("fk_release_rollout_target_finished_by_id_user_account")),
        sa.ForeignKeyConstraint(["smoke_run_id"], ["verification_run.id"], ondelete="SET NULL",
                                name=op.f("fk_release_rollout_target_smoke_run_id_verification_run")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_release_rollout_target")),
        sa.UniqueConstraint("release_id", "region_code", name="uq_release_rollout_target_release_region"),
    )
    with op.batch_alter_table("release_rollout_target", schema=None) as batch_op:
        batch_op.create_index("ix_release_rollout_target_region_status", ["region_code", "status"], unique=False)
        batch_op.create_index(batch_op.f("ix_release_rollout_target_release_id"), ["release_id"], unique=False)


def downgrade():
    with op.batch_alter_table("release_rollout_target", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_release_rollout_target_release_id"))
        batch_op.drop_index("ix_release_rollout_target_region_status")
    op.drop_table("release_rollout_target")
