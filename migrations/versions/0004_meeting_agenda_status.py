"""review meetings: the requirement's status when an agenda item was added and decided

Revision ID: 0004_meeting_agenda_status
Revises: 0003_verification
"""
from alembic import op
import sqlalchemy as sa

revision = "0004_meeting_agenda_status"
down_revision = "0003_verification"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("meeting_agenda_item", schema=None) as batch_op:
        batch_op.add_column(sa.Column("status_when_added", sa.String(length=24), nullable=True))
        batch_op.add_column(sa.Column("status_when_decided", sa.String(length=24), nullable=True))


def downgrade():
    with op.batch_alter_table("meeting_agenda_item", schema=None) as batch_op:
        batch_op.drop_column("status_when_decided")
        batch_op.drop_column("status_when_added")
