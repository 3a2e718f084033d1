"""background export jobs; the reports' index on service-level clocks (issue 11)

Revision ID: 0020_export_jobs
Revises: 0019_release_manuals
"""
from alembic import op
import sqlalchemy as sa

revision = "0020_export_jobs"
down_revision = "0019_release_manuals"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "export_job",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("filters", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("processed", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("file_name", sa.String(length=100), nullable=False),
        sa.Column("download_name", sa.String(length=200), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=True),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["owner_id"], ["user_account.id"], name=op.f("fk_export_job_owner_id_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_export_job")),
    )
    op.create_index("ix_export_job_owner_created", "export_job", ["owner_id", "created_at"], unique=False)
    op.create_index("ix_export_job_created_at", "export_job", ["created_at"], unique=False)
    # the reports' service-level figures: clocks started in a period, per clock and state
    op.create_index("ix_sla_state_started", "sla_state", ["started_at", "clock", "state"], unique=False)


def downgrade():
    op.drop_index("ix_sla_state_started", table_name="sla_state")
    op.drop_index("ix_export_job_created_at", table_name="export_job")
    op.drop_index("ix_export_job_owner_created", table_name="export_job")
    op.drop_table("export_job")
