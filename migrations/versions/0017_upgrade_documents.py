"""upgrade application with emergency plan, announcement (issue 9)

Revision ID: 0017_upgrade_documents
Revises: 0016_audit_log
"""
from alembic import op
import sqlalchemy as sa

revision = "0017_upgrade_documents"
down_revision = "0016_audit_log"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "upgrade_application",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("release_id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.Text(), nullable=False),
        sa.Column("risks", sa.Text(), nullable=False),
        sa.Column("criteria", sa.Text(), nullable=False),
        sa.Column("method", sa.Text(), nullable=False),
        sa.Column("rollback", sa.Text(), nullable=False),
        sa.Column("tracking", sa.Text(), nullable=False),
        sa.Column("contacts", sa.Text(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["release_id"], ["release.id"], name=op.f("fk_upgrade_application_release_id_release")),
        sa.ForeignKeyConstraint(["updated_by_id"], ["user_account.id"],
                                name=op.f("fk_upgrade_application_updated_by_id_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_upgrade_application")),
        sa.UniqueConstraint("release_id", name=op.f("uq_upgrade_application_release_id")),
    )
    op.create_table(
        "announcement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("release_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("published_at", sa.DateTime(), nullable=True),
        sa.Column("published_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["release_id"], ["release.id"], name=op.f("fk_announcement_release_id_release")),
        sa.ForeignKeyConstraint(["published_by_id"], ["user_account.id"],
                                name=op.f("fk_announcement_published_by_id_user_account")),
        sa.ForeignKeyConstraint(["updated_by_id"], ["user_account.id"],
                                name=op.f("fk_announcement_updated_by_id_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_announcement")),
        sa.UniqueConstraint("release_id", name=op.f("uq_announcement_release_id")),
    )
    op.create_index("ix_announcement_published", "announcement", ["published_at", "id"], unique=False)


def downgrade():
    op.drop_index("ix_announcement_published", table_name="announcement")
    op.drop_table("announcement")
    op.drop_table("upgrade_application")
