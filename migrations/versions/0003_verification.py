"""scenario library, releases and verification runs

Revision ID: 0003_verification
Revises: 0002_meetings
"""
from alembic import op
import sqlalchemy as sa

revision = "0003_verification"
down_revision = "0002_meetings"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('feature_file',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('path', sa.String(length=500), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('language', sa.String(length=16), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('scenario_count', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feature_file')),
    sa.UniqueConstraint('path', name=op.f('uq_feature_file_path'))
    )
    op.create_index(op.f('ix_feature_file_updated_at'), 'feature_file', ['updated_at'], unique=False)
    op.create_table('scenario',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('feature_id', sa.Integer(), nullable=False),
    sa.Column('key_name', sa.String(length=500), nullable=False),
    sa.Column('example_key', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=500), nullable=False),
    sa.Column('keyword', sa.String(length=40), nullable=False),
    sa.Column('rule', sa.String(length=300), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('example', sa.JSON(), nullable=True),
    sa.Column('examples_name', sa.String(length=300), nullable=False),
    sa.Column('examples_index', sa.Integer(), nullable=True),
    sa.Column('row_index', sa.Integer(), nullable=True),
    sa.Column('steps', sa.JSON(), nullable=False),
    sa.Column('tags', sa.JSON(), nullable=False),
    sa.Column('line', sa.Integer(), nullable=False),
    sa.Column('example_line', sa.Integer(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('steps_hash', sa.String(length=64), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('retired', sa.Boolean(), nullable=False),
    sa.Column('first_revision', sa.Integer(), nullable=False),
    sa.Column('last_revision', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['feature_id'], ['feature_file.id'], name=op.f('fk_scenario_feature_id_feature_file')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scenario')),
    sa.UniqueConstraint('feature_id', 'key_name', 'example_key', name='uq_scenario_identity')
    )
    op.create_index('ix_scenario_feature_position', 'scenario', ['feature_id', 'retired', 'position'], unique=False)
    op.create_index(op.f('ix_scenario_retired'), 'scenario', ['retired'], unique=False)
    op.create_index(op.f('ix_scenario_steps_hash'), 'scenario', ['steps_hash'], unique=False)
    op.create_table('feature_revision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('feature_id', sa.Integer(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('scenario_count', sa.Integer(), nullable=False),
    sa.Column('summary', sa.JSON(), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('uploaded_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['feature_id'], ['feature_file.id'], name=op.f('fk_feature_revision_feature_id_feature_file')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['user_account.id'], name=op.f('fk_feature_revision_uploaded_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feature_revision')),
    sa.UniqueConstraint('feature_id', 'revision', name='uq_feature_revision_feature_revision')
    )
    op.create_index(op.f('ix_feature_revision_feature_id'), 'feature_revision', ['feature_id'], unique=False)
    op.create_table('release',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('planned_date', sa.Date(), nullable=True),
    sa.Column('domains', sa.JSON(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_release_created_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_release')),
    sa.UniqueConstraint('version', name=op.f('uq_release_version'))
    )
    op.create_index(op.f('ix_release_created_at'), 'release', ['created_at'], unique=False)
    op.create_index(op.f('ix_release_planned_date'), 'release', ['planned_date'], unique=False)
    op.create_table('scenario_domain',
    sa.Column('scenario_id', sa.Integer(), nullable=False),
    sa.Column('domain', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['scenario_id'], ['scenario.id'], name=op.f('fk_scenario_domain_scenario_id_scenario')),
    sa.PrimaryKeyConstraint('scenario_id', 'domain', name=op.f('pk_scenario_domain'))
    )
    op.create_index(op.f('ix_scenario_domain_domain'), 'scenario_domain', ['domain'], unique=False)
    op.create_table('scenario_tag',
    sa.Column('scenario_id', sa.Integer(), nullable=False),
    sa.Column('tag', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['scenario_id'], ['scenario.id'], name=op.f('fk_scenario_tag_scenario_id_scenario')),
    sa.PrimaryKeyConstraint('scenario_id', 'tag', name=op.f('pk_scenario_tag'))
    )
    op.create_index(op.f('ix_scenario_tag_tag'), 'scenario_tag', ['tag'], unique=False)
    op.create_table('scenario_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scenario_id', sa.Integer(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('change', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=500), nullable=False),
    sa.Column('steps', sa.JSON(), nullable=False),
    sa.Column('tags', sa.JSON(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['scenario_id'], ['scenario.id'], name=op.f('fk_scenario_version_scenario_id_scenario')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scenario_version'))
    )
    op.create_index('ix_scenario_version_scenario', 'scenario_version', ['scenario_id', 'revision'], unique=False)
    op.create_table('scenario_requirement',
    sa.Column('scenario_id', sa.Integer(), nullable=False),
    sa.Column('requirement_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['requirement_id'], ['requirement.id'], name=op.f('fk_scenario_requirement_requirement_id_requirement')),
    sa.ForeignKeyConstraint(['scenario_id'], ['scenario.id'], name=op.f('fk_scenario_requirement_scenario_id_scenario')),
    sa.PrimaryKeyConstraint('scenario_id', 'requirement_id', name=op.f('pk_scenario_requirement'))
    )
    op.create_index(op.f('ix_scenario_requirement_requirement_id'), 'scenario_requirement', ['requirement_id'], unique=False)
    op.create_table('verification_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('release_id', sa.Integer(), nullable=False),
    sa.Column('environment', sa.String(length=16), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=True),
    sa.Column('selection', sa.JSON(), nullable=False),
    sa.Column('scenario_count', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_verification_run_created_by_id_user_account')),
    sa.ForeignKeyConstraint(['region_id'], ['region.id'], name=op.f('fk_verification_run_region_id_region')),
    sa.ForeignKeyConstraint(['release_id'], ['release.id'], name=op.f('fk_verification_run_release_id_release')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_verification_run'))
    )
    op.create_index(op.f('ix_verification_run_environment'), 'verification_run', ['environment'], unique=False)
    op.create_index(op.f('ix_verification_run_region_id'), 'verification_run', ['region_id'], unique=False)
    op.create_index('ix_verification_run_release', 'verification_run', ['release_id', 'id'], unique=False)
    op.create_table('run_scenario',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('scenario_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('feature_path', sa.String(length=500), nullable=False),
    sa.Column('feature_name', sa.String(length=300), nullable=False),
    sa.Column('feature_revision', sa.Integer(), nullable=False),
    sa.Column('key_name', sa.String(length=500), nullable=False),
    sa.Column('name', sa.String(length=500), nullable=False),
    sa.Column('keyword', sa.String(length=40), nullable=False),
    sa.Column('example', sa.JSON(), nullable=True),
    sa.Column('examples_name', sa.String(length=300), nullable=False),
    sa.Column('examples_index', sa.Integer(), nullable=True),
    sa.Column('row_index', sa.Integer(), nullable=True),
    sa.Column('line', sa.Integer(), nullable=False),
    sa.Column('example_line', sa.Integer(), nullable=True),
    sa.Column('tags', sa.JSON(), nullable=False),
    sa.Column('steps', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('attempt', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['run_id'], ['verification_run.id'], name=op.f('fk_run_scenario_run_id_verification_run')),
    sa.ForeignKeyConstraint(['scenario_id'], ['scenario.id'], name=op.f('fk_run_scenario_scenario_id_scenario')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_run_scenario')),
    sa.UniqueConstraint('run_id', 'scenario_id', name='uq_run_scenario_run_scenario')
    )
    op.create_index('ix_run_scenario_run_position', 'run_scenario', ['run_id', 'position'], unique=False)
    op.create_index('ix_run_scenario_run_status', 'run_scenario', ['run_id', 'status'], unique=False)
    op.create_index(op.f('ix_run_scenario_scenario_id'), 'run_scenario', ['scenario_id'], unique=False)
    op.create_table('run_result',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_scenario_id', sa.Integer(), nullable=False),
    sa.Column('attempt', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('set_directly', sa.Boolean(), nullable=False),
    sa.Column('step_results', sa.JSON(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('defect', sa.String(length=100), nullable=False),
    sa.Column('fed_back', sa.Boolean(), nullable=False),
    sa.Column('source', sa.String(length=40), nullable=False),
    sa.Column('tester_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['run_scenario_id'], ['run_scenario.id'], name=op.f('fk_run_result_run_scenario_id_run_scenario')),
    sa.ForeignKeyConstraint(['tester_id'], ['user_account.id'], name=op.f('fk_run_result_tester_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_run_result')),
    sa.UniqueConstraint('run_scenario_id', 'attempt', name='uq_run_result_attempt')
    )
    op.create_index(op.f('ix_run_result_tester_id'), 'run_result', ['tester_id'], unique=False)
    op.create_table('evidence',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_result_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('stored_name', sa.String(length=64), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['run_result_id'], ['run_result.id'], name=op.f('fk_evidence_run_result_id_run_result')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['user_account.id'], name=op.f('fk_evidence_uploaded_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evidence')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_evidence_stored_name'))
    )
    op.create_index(op.f('ix_evidence_run_result_id'), 'evidence', ['run_result_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_evidence_run_result_id'), table_name='evidence')
    op.drop_table('evidence')
    op.drop_index(op.f('ix_run_result_tester_id'), table_name='run_result')
    op.drop_table('run_result')
    op.drop_index(op.f('ix_run_scenario_scenario_id'), table_name='run_scenario')
    op.drop_index('ix_run_scenario_run_status', table_name='run_scenario')
    op.drop_index('ix_run_scenario_run_position', table_name='run_scenario')
    op.drop_table('run_scenario')
    op.drop_index('ix_verification_run_release', table_name='verification_run')
    op.drop_index(op.f('ix_verification_run_region_id'), table_name='verification_run')
    op.drop_index(op.f('ix_verification_run_environment'), table_name='verification_run')
    op.drop_table('verification_run')
    op.drop_index(op.f('ix_scenario_requirement_requirement_id'), table_name='scenario_requirement')
    op.drop_table('scenario_requirement')
    op.drop_index('ix_scenario_version_scenario', table_name='scenario_version')
    op.drop_table('scenario_version')
    op.drop_index(op.f('ix_scenario_tag_tag'), table_name='scenario_tag')
    op.drop_table('scenario_tag')
    op.drop_index(op.f('ix_scenario_domain_domain'), table_name='scenario_domain')
    op.drop_table('scenario_domain')
    op.drop_index(op.f('ix_release_planned_date'), table_name='release')
    op.drop_index(op.f('ix_release_created_at'), table_name='release')
    op.drop_table('release')
    op.drop_index(op.f('ix_feature_revision_feature_id'), table_name='feature_revision')
    op.drop_table('feature_revision')
    op.drop_index(op.f('ix_scenario_steps_hash'), table_name='scenario')
    op.drop_index(op.f('ix_scenario_retired'), table_name='scenario')
    op.drop_index('ix_scenario_feature_position', table_name='scenario')
    op.drop_table('scenario')
    op.drop_index(op.f('ix_feature_file_updated_at'), table_name='feature_file')
    op.drop_table('feature_file')
