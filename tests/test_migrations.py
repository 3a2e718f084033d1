"""The Alembic migrations build an empty database to head, match the models exactly, and
downgrade cleanly to base."""
from __future__ import annotations

import logging

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect

from app import create_app
from app.extensions import db
from app.models.search_index import include_object

TABLES = {
    "region",
    "lookup",
    "user_account",
    "api_token",
    "requirement",
    "requirement_event",
    "attachment",
    "code_sequence",
}


def _tables(app) -> set[str]:
    return set(inspect(db.engine).get_table_names())


def test_database_starts_empty(empty_app):
    assert _tables(empty_app) == set()


def test_upgrade_to_head_matches_models_and_downgrades_to_base(empty_app):
    upgrade()
    tables = _tables(empty_app)
    assert TABLES <= tables
    assert "alembic_version" in tables
    assert set(db.metadata.tables) <= tables

    with db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "render_as_batch": True, "include_object": include_object}
        )
        assert context.get_current_revision() is not None
        diff = compare_metadata(context, db.metadata)
    assert diff == [], f"models and migrations differ: {diff}"

    # indexes and unique constraints the code relies on are really there
    inspector = inspect(db.engine)
    requirement_uniques = {tuple(u["column_names"]) for u in inspector.get_unique_constraints("requirement")}
    requirement_unique_ix = {tuple(i["column_names"]) for i in inspector.get_indexes("requirement") if i["unique"]}
    assert ("code",) in requirement_uniques | requirement_unique_ix
    assert {tuple(pk) for pk in [inspector.get_pk_constraint("code_sequence")["constrained_columns"]]} == {
        ("name", "year")
    }

    downgrade(revision="base")
    assert _tables(empty_app) - {"alembic_version"} == set()


def test_migrated_database_is_usable(empty_app):
    """Seed data loads and a requirement can be filed on a migrated (not create_all) schema."""
    from app.seed import reference_data
    from app.services import requirements, users

    upgrade()
    reference_data.load()
    engineer = users.create_user("li", "Secret#2026", "engineer", "445200")
    req = requirements.create(
        engineer,
        {"title": "t", "domain": "budget", "type": "defect", "priority": "low", "channel": "phone",
         "region": "445202", "proposer_name": "李"},
    )
    assert req.code.endswith("-0001") and req.version == 1


def test_cli_db_upgrade(tmp_path):
    """`flask --app wsgi db upgrade` path: the CLI command builds the schema too."""
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    app = create_app({"TESTING": True, "SECRET_KEY": "test", "SQLALCHEMY_DATABASE_URI": url})
    app.instance_path = str(tmp_path / "instance")
    disabled = {name: lg.disabled for name, lg in logging.Logger.manager.loggerDict.items()
                if isinstance(lg, logging.Logger)}
    try:
        result = app.test_cli_runner().invoke(args=["db", "upgrade"])
        assert result.exit_code == 0, result.output
    finally:
        for name, was in disabled.items():
            logging.getLogger(name).disabled = was
        with app.app_context():
            db.engine.dispose()
    engine = create_engine(url)
    try:
        assert TABLES <= set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_steps_answer_is_filled_in_for_results_written_before_it(empty_app):
    """0021 stores each result's steps as answered: results written before it (here: the
    column dropped by a downgrade and added again) get the text the application writes."""
    import os

    from sqlalchemy import select

    from app.models import RunResult, RunScenario
    from app.seed import reference_data
    from app.services import scenarios, users, verification

    upgrade()
    reference_data.load()
    manager = users.create_user("mgr", "Secret#2026", "manager", "445200")
    feature = os.path.join(os.path.dirname(__file__), "fixtures", "reports", "features", "payments", "correction.feature")
    with open(feature, encoding="utf-8") as fh:
        scenarios.import_feature(manager, "payments/correction.feature", fh.read())
    release = verification.create_release(manager, {"version": "V2026.11"})
    run = verification.create_run(manager, release, {"environment": "acceptance"})
    sids = list(db.session.scalars(select(RunScenario.scenario_id).where(RunScenario.run_id == run.id)))
    verification.record(manager, run, {"scenario_id": sids[0], "steps": [
        {"index": 0, "status": "passed"}, {"index": 1, "status": "failed", "error": "金额不符"}]})
    verification.record_many(manager, run, [{"scenario_id": sid, "status": "passed"} for sid in sids[1:]])
    written = dict(db.session.execute(select(RunResult.id, RunResult.steps_answer)).all())
    assert len(written) == len(sids) and sum("金额不符" in text for text in written.values()) == 1
    db.session.remove()

    downgrade(revision="0020_export_jobs")
    upgrade()
    assert dict(db.session.execute(select(RunResult.id, RunResult.steps_answer)).all()) == written
