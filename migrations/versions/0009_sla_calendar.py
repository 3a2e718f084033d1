"""working calendar and service-level targets

Revision ID: 0009_sla_calendar
Revises: 0008_taskforce_reports
"""
import sqlalchemy as sa
from alembic import op

revision = "0009_sla_calendar"
down_revision = "0008_taskforce_reports"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "calendar_override",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("workday", sa.Boolean(), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_override")),
        sa.UniqueConstraint("day", name=op.f("uq_calendar_override_day")),
    )
    op.create_table(
        "sla_target",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("clock", sa.String(length=20), nullable=False),
        sa.Column("type", sa.String(length=40), nullable=False),
        sa.Column("priority", sa.String(length=20), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sla_target")),
        sa.UniqueConstraint("clock", "type", "priority", name=op.f("uq_sla_target_clock")),
    )
    op.create_table(
        "sla_state",
        sa.Column("requirement_id", sa.Integer(), nullable=False),
        sa.Column("clock", sa.String(length=20), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("used_minutes", sa.Integer(), nullable=False),
        sa.Column("target_minutes", sa.Integer(), nullable=False),
        sa.Column("at_risk_at", sa.DateTime(), nullable=True),
        sa.Column("due_at", sa.DateTime(), nullable=True),
        sa.Column("evaluated_at", sa.DateTime(), nullable=False),
        sa.Column("breach_recorded_for", sa.DateTime(), nullable=True),
        sa.Column("started_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["requirement_id"], ["requirement.id"],
                                name=op.f("fk_sla_state_requirement_id_requirement")),
        sa.PrimaryKeyConstraint("requirement_id", "clock", name=op.f("pk_sla_state")),
    )
    with op.batch_alter_table("sla_state", schema=None) as batch_op:
        batch_op.create_index("ix_sla_state_due_at", ["due_at"], unique=False)
        batch_op.create_index("ix_sla_state_at_risk_at", ["at_risk_at"], unique=False)
        batch_op.create_index("ix_sla_state_state", ["state"], unique=False)
    op.create_table(
        "feedback_delivery",
        sa.Column("feedback_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("delivered_at", sa.DateTime(), nullable=False),
        sa.Column("delivered_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["delivered_by_id"], ["user_account.id"],
                                name=op.f("fk_feedback_delivery_delivered_by_id_user_account")),
        sa.ForeignKeyConstraint(["feedback_id"], ["requirement_feedback.id"],
                                name=op.f("fk_feedback_delivery_feedback_id_requirement_feedback")),
        sa.PrimaryKeyConstraint("feedback_id", name=op.f("pk_feedback_delivery")),
    )


def downgrade():
    op.drop_table("feedback_delivery")
    with op.batch_alter_table("sla_state", schema=None) as batch_op:
        batch_op.drop_index("ix_sla_state_state")
        batch_op.drop_index("ix_sla_state_at_risk_at")
        batch_op.drop_index("ix_sla_state_due_at")
    op.drop_table("sla_state")
    op.drop_table("sla_target")
    op.drop_table("calendar_override")
