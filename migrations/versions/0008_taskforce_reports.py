"""notable cases and report support

Revision ID: 0008_taskforce_reports
Revises: 0007_search_proposers

- notable_case: requirements a requirement manager marked as 典型案例, with a write-up.
- requirement indexes the task force's figures read alone (counts grouped by region, status,
  domain, type, channel, priority and month; overdue / at-risk counts), and requirement_event (kind, at) for moves within a period
  (lead times, resolved counts).
"""
from alembic import op
import sqlalchemy as sa

revision = "0008_taskforce_reports"
down_revision = "0007_search_proposers"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "notable_case",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("requirement_id", sa.Integer(), nullable=False),
        sa.Column("write_up", sa.Text(), nullable=False),
        sa.Column("marked_by_id", sa.Integer(), nullable=False),
        sa.Column("marked_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["marked_by_id"], ["user_account.id"], name=op.f("fk_notable_case_marked_by_id_user_account")),
        sa.ForeignKeyConstraint(["requirement_id"], ["requirement.id"], name=op.f("fk_notable_case_requirement_id_requirement")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notable_case")),
        sa.UniqueConstraint("requirement_id", name=op.f("uq_notable_case_requirement_id")),
    )
    with op.batch_alter_table("notable_case", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notable_case_marked_at"), ["marked_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_notable_case_marked_by_id"), ["marked_by_id"], unique=False)
    with op.batch_alter_table("requirement", schema=None) as batch_op:
        batch_op.create_index("ix_requirement_stats", ["region_id", "status", "domain", "type", "channel", "priority",
                                                       "created_at"], unique=False)
        batch_op.create_index("ix_requirement_due_region_status", ["due_date", "region_id", "status"], unique=False)
    with op.batch_alter_table("requirement_event", schema=None) as batch_op:
        batch_op.create_index("ix_requirement_event_kind_at", ["kind", "at"], unique=False)


def downgrade():
    with op.batch_alter_table("requirement_event", schema=None) as batch_op:
        batch_op.drop_index("ix_requirement_event_kind_at")
    with op.batch_alter_table("requirement", schema=None) as batch_op:
        batch_op.drop_index("ix_requirement_due_region_status")
        batch_op.drop_index("ix_requirement_stats")
    with op.batch_alter_table("notable_case", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notable_case_marked_by_id"))
        batch_op.drop_index(batch_op.f("ix_notable_case_marked_at"))
    op.drop_table("notable_case")
