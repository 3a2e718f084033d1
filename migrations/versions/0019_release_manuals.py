"""operation manual updates per release; the scenario history index (issue 9)

Revision ID: 0019_release_manuals
Revises: 0018_rollout
"""
from alembic import op
import sqlalchemy as sa

revision = "0019_release_manuals"
down_revision = "0018_rollout"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "release_manual_update",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("release_id", sa.Integer(), nullable=False),
        sa.Column("requirement_id", sa.Integer(), nullable=False),
        sa.Column("domain", sa.String(length=40), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("done_at", sa.DateTime(), nullable=True),
        sa.Column("done_by_id", sa.Integer(), nullable=True),
        sa.Column("done_note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["release_id"], ["release.id"],
                                name=op.f("fk_release_manual_update_release_id_release")),
        sa.ForeignKeyConstraint(["requirement_id"], ["requirement.id"],
                                name=op.f("fk_release_manual_update_requirement_id_requirement")),
        sa.ForeignKeyConstraint(["created_by_id"], ["user_account.id"],
                                name=op.f("fk_release_manual_update_created_by_id_user_account")),
        sa.ForeignKeyConstraint(["done_by_id"], ["user_account.id"],
                                name=op.f("fk_release_manual_update_done_by_id_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_release_manual_update")),
        sa.UniqueConstraint("release_id", "requirement_id", "domain", name="uq_release_manual_update_item"),
    )
    op.create_index("ix_release_manual_update_release_done", "release_manual_update", ["release_id", "done_at"],
                    unique=False)
    op.create_index(op.f("ix_release_manual_update_requirement_id"), "release_manual_update", ["requirement_id"],
                    unique=False)
    # history across releases: each scenario's final status per release read from the index alone
    op.create_index("ix_run_scenario_history", "run_scenario", ["run_id", "scenario_id", "status"], unique=False)


def downgrade():
    op.drop_index("ix_run_scenario_history", table_name="run_scenario")
    op.drop_index(op.f("ix_release_manual_update_requirement_id"), table_name="release_manual_update")
    op.drop_index("ix_release_manual_update_release_done", table_name="release_manual_update")
    op.drop_table("release_manual_update")
