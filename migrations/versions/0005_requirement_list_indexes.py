"""indexes for the filtered requirement list, newest first

Revision ID: 0005_requirement_list_indexes
Revises: 0004_meeting_agenda_status
"""
from alembic import op

revision = "0005_requirement_list_indexes"
down_revision = "0004_meeting_agenda_status"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("requirement", schema=None) as batch_op:
        batch_op.create_index("ix_requirement_status_created", ["status", "created_at", "id"], unique=False)
        batch_op.create_index("ix_requirement_domain_created", ["domain", "created_at", "id"], unique=False)


def downgrade():
    with op.batch_alter_table("requirement", schema=None) as batch_op:
        batch_op.drop_index("ix_requirement_domain_created")
        batch_op.drop_index("ix_requirement_status_created")
