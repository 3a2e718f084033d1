"""review meetings

Revision ID: 0002_meetings
Revises: de1769ad2a9b
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

revision = "0002_meetings"
down_revision = "de1769ad2a9b"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
