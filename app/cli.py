"""Flask CLI commands: reference and demo data, users."""
from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup, with_appcontext

from app.models.user import ROLES
from app.services.errors import DomainError

users_cli = AppGroup("users", help="Manage users.")


@users_cli.command("create")
@click.argument("username")
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--password", required=True)
@click.option("--region", default="440000", show_default=True, help="Region code (GB/T 2260).")
@click.option("--name", "display_name", default="", help="Display name.")
def create_user(username, role, password, region, display_name):
    """Create a user."""
    from marshmallow import ValidationError

    from app.schemas.reference import UserCreateSchema
    from app.services import users

    try:
        data = UserCreateSchema().load(
            {"username": username, "password": password, "role": role, "region": region, "display_name": display_name}
        )
        user = users.create_user(data["username"], data["password"], data["role"], data["region"], data["display_name"])
    except ValidationError as error:
        raise click.ClickException(f"Invalid input: {error.messages}") from None
    except DomainError as error:
        raise click.ClickException(f"{error.message} {error.errors or ''}".strip()) from None
    click.echo(f"Created {user.username} ({user.role}, {user.region.code} {user.region.name}).")


features_cli = AppGroup("features", help="Scenario library: import .feature files.")
runs_cli = AppGroup("runs", help="Verification runs: import automated test reports.")


@features_cli.command("import")
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
def import_features(directory):
    """Import every .feature file under DIRECTORY (recursive); paths are kept relative to it."""
    from app import verification_cli

    verification_cli.import_features(directory, click.echo)


@runs_cli.command("import")
@click.argument("run_id", type=int)
@click.argument("report", type=click.Path(exists=True, dir_okay=False))
def import_run_report(run_id, report):
    """Import a Cucumber JSON or JUnit XML report into verification run RUN_ID."""
    from app import verification_cli

    verification_cli.import_report(run_id, report, click.echo)


search_cli = AppGroup("search", help="The requirement search index.")


@search_cli.command("reindex")
def search_reindex():
    """Rebuild the full-text index of every requirement (after a bulk load or a restore)."""
    from app.extensions import db
    from app.services import search

    count = search.reindex()
    db.session.commit()
    click.echo(f"Search index rebuilt: {count} requirements.")


sla_cli = AppGroup("sla", help="Service levels on the working calendar.")


@sla_cli.command("tick")
def sla_tick():
    """Evaluate every open service-level clock; record each breach on the timeline once
    (idempotent: safe to run every few minutes from cron or a systemd timer)."""
    from app.services import sla

    result = sla.tick()
    click.echo(f"Service levels: {result['evaluated']} requirements evaluated, {result['breaches']} new breaches.")
    if result.get("confirmed"):
        click.echo(f"Confirmed automatically (no answer from the proposer): {result['confirmed']}.")
    from app.services import mail

    sent = mail.send_pending()
    if sent["sent"] or sent["failed"]:
        click.echo(f"E-mail: {sent['sent']} sent, {sent['failed']} failed (retried later).")


mail_cli = AppGroup("mail", help="The e-mail outbox of notifications.")


@mail_cli.command("send")
def mail_send():
    """Send the outbox's due messages once each, retrying failures later (idempotent)."""
    from app.services import mail

    sent = mail.send_pending()
    click.echo(f"E-mail: {sent['sent']} sent, {sent['failed']} failed (retried later).")


@click.command("bench-data")
@click.option("--requirements", default=100_000, show_default=True, help="Requirements to add.")
@click.option("--scenarios", "scenario_count", default=5_000, show_default=True, help="Scenarios in the library.")
@click.option("--releases", default=24, show_default=True, help="Releases, each with a run and its results.")
@with_appcontext
def bench_data(requirements, scenario_count, releases):
    """Build a realistic data set for benchmarks into the configured database (bulk inserts):
    Chinese requirements with proposers and timelines, a scenario library, releases with runs
    and results. Then rebuild the search index (`flask search reindex`)."""
    import time

    from app.extensions import db
    from app.seed import bench
    from app.services import search

    started = time.perf_counter()
    built = bench.build(requirements, scenario_count, releases)
    if requirements:
        search.reindex()
        db.session.commit()
    click.echo(f"Built {built['requirements']} requirements, {built['scenarios']} scenarios, {built['releases']} "
               f"releases (runs: {built['runs']}) in {time.perf_counter() - started:.1f} s.")


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False))
@with_appcontext
def backup_command(path):
    """Write the database and the uploaded files (attachments, evidence) to one .tar.gz at PATH
    (SQLite: online backup, safe while the app runs; PostgreSQL: pg_dump --format=custom)."""
    from app.services import backup

    try:
        result = backup.backup(path)
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Backup written to {result['path']} ({result['dialect']}, {result['files']} files).")


@click.command("restore")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--force", is_flag=True, help="Overwrite a database that already holds requirements or users.")
@with_appcontext
def restore_command(path, force):
    """Restore a backup archive made by `flask backup` into the configured (empty) database and
    instance/ upload folders. Afterwards run `flask search reindex` if the index looks stale."""
    from app.services import backup

    try:
        result = backup.restore(path, force=force)
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Restored the backup of {result['created_at']} ({result['dialect']}, {result['files']} files).")


def init_app(app: Flask) -> None:
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    app.cli.add_command(bench_data)
    app.cli.add_command(sla_cli)
    app.cli.add_command(mail_cli)
    app.cli.add_command(search_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(features_cli)
    app.cli.add_command(runs_cli)

    @app.cli.command("seed-reference")
    def seed_reference():
        """Load regions, domains, types, channels and priorities (idempotent)."""
        from app.seed import reference_data

        added = reference_data.load()
        click.echo(f"Reference data loaded: {added['regions']} regions and {added['lookups']} codes added.")

    @app.cli.command("seed-demo")
    def seed_demo():
        """Load demo users and requirements (needs reference data; skipped if data exists)."""
        from app.seed import demo, demo_meetings, reference_data

        reference_data.load()
        added = demo.load()
        if added["requirements"]:  # review meetings over the requirements just filed
            demo_meetings.load()
        # upgrades V2026.09/10 and the proposer loop, before V2026.11 so releases are made in version order
        __import__("app.seed.demo_upgrade", fromlist=["load"]).load()
        __import__("app.seed.demo_verification", fromlist=["load"]).load()  # scenario library, V2026.11 run
        if added["requirements"] == 0:
            click.echo("Demo data already present; nothing added.")
        else:
            click.echo(f"Demo data loaded: {added['users']} users, {added['requirements']} requirements.")
        click.echo(f"Demo logins (password for all: {demo.DEMO_PASSWORD}):")
        for username, role, region, name in demo.DEMO_USERS:
            click.echo(f"  {username:<12} {role:<10} {region:<10} {name}")
