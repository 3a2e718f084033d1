"""release lifecycle, requirements in releases, gate, waivers, sign-offs

Revision ID: 0006_release_lifecycle
Revises: 0005_requirement_list_indexes
"""
from alembic import op
import sqlalchemy as sa

revision = "0006_release_lifecycle"
down_revision = "0005_requirement_list_indexes"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("release", schema=None) as batch_op:
        batch_op.add_column(sa.Column("status", sa.String(length=20), nullable=False, server_default="planned"))
        batch_op.add_column(sa.Column("status_changed_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("build", sa.String(length=100), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("signoff_roles", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("signoff_round", sa.Integer(), nullable=False, server_default="1"))
        batch_op.add_column(sa.Column("report", sa.JSON(), nullable=True))
        batch_op.create_index(batch_op.f("ix_release_status"), ["status"], unique=False)
    # existing releases: planned, or in_acceptance when they have an acceptance run
    op.execute(
        "UPDATE release SET status = 'in_acceptance' WHERE id IN "
        "(SELECT release_id FROM verification_run WHERE environment = 'acceptance')"
    )
    op.execute("UPDATE release SET status_changed_at = created_at, signoff_roles = '[\"manager\", \"reviewer\"]'")
    with op.batch_alter_table("release", schema=None) as batch_op:
        batch_op.alter_column("status", server_default=None)
        batch_op.alter_column("build", server_default=None)
        batch_op.alter_column("signoff_round", server_default=None)
        batch_op.alter_column("status_changed_at", existing_type=sa.DateTime(), nullable=False)
        batch_op.alter_column("signoff_roles", existing_type=sa.JSON(), nullable=False)

    op.create_table(
        "release_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("release_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["actor_id"], ["user_account.id"], name=op.f("fk_release_event_actor_id_user_account")),
        sa.ForeignKeyConstraint(["release_id"], ["release.id"], name=op.f("fk_release_event_release_id_release")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_release_event")),
    )
    op.create_index("ix_release_event_release", "release_event", ["release_id", "id"], unique=False)
    op.create_table(
        "release_requirement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("release_id", sa.Integer(), nullable=False),
        sa.Column("requirement_id", sa.Integer(), nullable=False),
        sa.Column("added_by_id", sa.Integer(), nullable=True),
        sa.Column("added_at", sa.DateTime(), nullable=False),
        sa.Column("removed_at", sa.DateTime(), nullable=True),
        sa.Column("removed_reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["added_by_id"], ["user_account.id"],
                                name=op.f("fk_release_requirement_added_by_id_user_account")),
        sa.ForeignKeyConstraint(["release_id"], ["release.id"], name=op.f("fk_release_requirement_release_id_release")),
        sa.ForeignKeyConstraint(["requirement_id"], ["requirement.id"],
                                name=op.f("fk_release_requirement_requirement_id_requirement")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_release_requirement")),
    )
    op.create_index("ix_release_requirement_release", "release_requirement", ["release_id", "removed_at"], unique=False)
    op.create_index(op.f("ix_release_requirement_requirement_id"), "release_requirement", ["requirement_id"], unique=False)
    op.create_table(
        "release_waiver",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("release_id", sa.Integer(), nullable=False),
        sa.Column("scenario_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(), nullable=True),
        sa.Column("withdrawn_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["created_by_id"], ["user_account.id"],
                                name=op.f("fk_release_waiver_created_by_id_user_account")),
        sa.ForeignKeyConstraint(["release_id"], ["release.id"], name=op.f("fk_release_waiver_release_id_release")),
        sa.ForeignKeyConstraint(["scenario_id"], ["scenario.id"], name=op.f("fk_release_waiver_scenario_id_scenario")),
        sa.ForeignKeyConstraint(["withdrawn_by_id"], ["user_account.id"],
                                name=op.f("fk_release_waiver_withdrawn_by_id_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_release_waiver")),
    )
    op.create_index("ix_release_waiver_release", "release_waiver", ["release_id", "withdrawn_at"], unique=False)
    op.create_table(
        "release_signoff",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("release_id", sa.Integer(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("decision", sa.String(length=10), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["release_id"], ["release.id"], name=op.f("fk_release_signoff_release_id_release")),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], name=op.f("fk_release_signoff_user_id_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_release_signoff")),
    )
    op.create_index("ix_release_signoff_release", "release_signoff", ["release_id", "round"], unique=False)


def downgrade():
    op.drop_index("ix_release_signoff_release", table_name="release_signoff")
    op.drop_table("release_signoff")
    op.drop_index("ix_release_waiver_release", table_name="release_waiver")
    op.drop_table("release_waiver")
    op.drop_index(op.f("ix_release_requirement_requirement_id"), table_name="release_requirement")
    op.drop_index("ix_release_requirement_release", table_name="release_requirement")
    op.drop_table("release_requirement")
    op.drop_index("ix_release_event_release", table_name="release_event")
    op.drop_table("release_event")
    with op.batch_alter_table("release", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_release_status"))
        batch_op.drop_column("report")
        batch_op.drop_column("signoff_round")
        batch_op.drop_column("signoff_roles")
        batch_op.drop_column("build")
        batch_op.drop_column("status_changed_at")
        batch_op.drop_column("status")
