"""upgrade application, window, freeze periods, announcements (issue 9)

Revision ID: 0011_upgrade_application
Revises: 0010_signin_security
"""
from alembic import op
import sqlalchemy as sa

revision = "0011_upgrade_application"
down_revision = "0010_signin_security"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "freeze_period",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("starts_at", sa.DateTime(), nullable=False),
        sa.Column("ends_at", sa.DateTime(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["created_by_id"], ["user_account.id"],
                                name=op.f("fk_freeze_period_created_by_id_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_freeze_period")),
    )
    op.create_index("ix_freeze_period_span", "freeze_period", ["starts_at", "ends_at"], unique=False)
    op.create_table(
        "release_window",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("release_id", sa.Integer(), nullable=False),
        sa.Column("starts_at", sa.DateTime(), nullable=False),
        sa.Column("ends_at", sa.DateTime(), nullable=False),
        sa.Column("override_reason", sa.Text(), nullable=False),
        sa.Column("overridden_freeze_id", sa.Integer(), nullable=True),
        sa.Column("set_by_id", sa.Integer(), nullable=True),
        sa.Column("set_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["release_id"], ["release.id"], name=op.f("fk_release_window_release_id_release")),
        sa.ForeignKeyConstraint(["overridden_freeze_id"], ["freeze_period.id"], ondelete="SET NULL",
                                name=op.f("fk_release_window_overridden_freeze_id_freeze_period")),
        sa.ForeignKeyConstraint(["set_by_id"], ["user_account.id"],
                                name=op.f("fk_release_window_set_by_id_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_release_window")),
        sa.UniqueConstraint("release_id", name=op.f("uq_release_window_release_id")),
    )


def downgrade():
    op.drop_table("release_window")
    op.drop_index("ix_freeze_period_span", table_name="freeze_period")
    op.drop_table("freeze_period")
