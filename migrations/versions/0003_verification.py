"""scenario library, releases and verification runs

Revision ID: 0003_verification
Revises: 0002_meetings
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

revision = "0003_verification"
down_revision = "0002_meetings"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
