"""`flask backup PATH` / `flask restore PATH`: a round trip into a brand-new empty database with
its attachments, refusal of a non-empty target, and clear errors (nothing written) for bad archives."""
from __future__ import annotations

import io
import os
import tarfile

import pytest
from sqlalchemy import create_engine, func, inspect, select, table, text

from app import create_app
from tests.conftest import PG_URL, TEST_CONFIG, PostgresDatabases, _worker_name

DATABASE_MEMBER = "database.dump" if PG_URL else "database.sqlite3"

ATTACHMENT = b"\x89PNG fake screenshot \x00\x01\x02 \xe5\x9b\xbe"


def upload(client, rid: int, content: bytes, name: str):
    return client.post(
        f"/api/v1/requirements/{rid}/attachments",
        data={"file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )


def _url(app) -> str:
    return app.config["SQLALCHEMY_DATABASE_URI"]


def snapshot(url: str) -> dict:
    """Row count of every table, plus the content of a few rows worth comparing."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            counts = {name: connection.scalar(select(func.count()).select_from(table(name)))
                      for name in inspect(connection).get_table_names()}
            rows = {
                "requirement": connection.execute(
                    text("SELECT id, code, title, description, status, version FROM requirement ORDER BY id")).all(),
                "user_account": connection.execute(
                    text("SELECT id, username, role, password_hash FROM user_account ORDER BY id")).all(),
                "attachment": connection.execute(
                    text("SELECT id, requirement_id, filename, stored_name, size FROM attachment ORDER BY id")).all(),
            }
    finally:
        engine.dispose()
    return {"counts": counts, "rows": rows}


@pytest.fixture
def target(tmp_path):
    """A brand-new app on an empty SQLite file with an instance folder of its own."""
    pg = None
    if PG_URL:  # `make test-pg`: a brand-new PostgreSQL database (pg_dump/pg_restore)
        pg = PostgresDatabases(PG_URL, _worker_name())
        url = pg.url(f"{pg.prefix}__restore")
        pg.recreate(f"{pg.prefix}__restore")
    else:
        url = f"sqlite:///{tmp_path / 'target' / 'target.db'}"
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": url})
    app.instance_path = str(tmp_path / "target_instance")
    os.makedirs(app.instance_path, exist_ok=True)
    yield app
    with app.app_context():
        from app.extensions import db

        db.session.remove()
        db.engine.dispose()
    if pg:
        pg.drop(f"{pg.prefix}__restore")


@pytest.fixture
def source(app, api, filed, tmp_path):
    """The test app with two requirements, a Chinese comment and an attachment; its backup archive."""
    engineer = api("engineer", "445200")
    first = filed()
    filed(title="国库集中支付退回后额度未恢复")
    assert engineer.post(f"/api/v1/requirements/{first['id']}/comments", json={"body": "已复现，附截图。"}).status_code == 201
    response = upload(engineer, first["id"], ATTACHMENT, "截图.png")
    assert response.status_code == 201, response.json
    archive = tmp_path / "backups" / "tracker.tar.gz"
    archive.parent.mkdir()
    result = app.test_cli_runner().invoke(args=["backup", str(archive)])
    assert result.exit_code == 0, result.output
    assert "Backup written" in result.output
    return {"app": app, "archive": archive, "attachment": response.json, "requirement": first}


def test_backup_archive_holds_manifest_database_and_attachments(source):
    with tarfile.open(source["archive"], "r:gz") as archive:
        names = archive.getnames()
    stored = [n for n in names if n.startswith("files/attachments/")]
    assert "manifest.json" in names and DATABASE_MEMBER in names
    assert len(stored) == 1
    assert not [n for n in os.listdir(source["archive"].parent) if n != "tracker.tar.gz"]  # no partial file left


def test_round_trip_into_an_empty_database(source, target):
    before = snapshot(_url(source["app"]))
    result = target.test_cli_runner().invoke(args=["restore", str(source["archive"])])
    assert result.exit_code == 0, result.output
    assert "Restored" in result.output

    after = snapshot(_url(target))
    assert after["counts"] == before["counts"]
    assert before["counts"]["requirement"] == 2 and before["counts"]["attachment"] == 1
    assert after["rows"] == before["rows"]
    assert any(row.title == "国库集中支付退回后额度未恢复" for row in after["rows"]["requirement"])

    stored_name = after["rows"]["attachment"][0].stored_name
    with open(os.path.join(target.instance_path, "attachments", stored_name), "rb") as fh:
        assert fh.read() == ATTACHMENT

    # the restored app serves the data: sign in with the restored token-less user via a new token
    with target.app_context():
        from app.extensions import db
        from app.models import User
        from app.services import auth

        user = db.session.scalar(select(User).where(User.username == "engineer_445200"))
        token = auth.issue_token(user)
    client = target.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    download = client.get(f"/api/v1/attachments/{source['attachment']['id']}", headers=headers)
    assert download.status_code == 200
    assert download.data == ATTACHMENT
    listed = client.get(f"/api/v1/requirements/{source['requirement']['id']}", headers=headers)
    assert listed.status_code == 200
    assert listed.json["title"] == source["requirement"]["title"]


def test_restore_refuses_a_database_with_data(source, filed):
    app = source["app"]
    filed(title="备份之后新增的需求")
    before = snapshot(_url(app))
    result = app.test_cli_runner().invoke(args=["restore", str(source["archive"])])
    assert result.exit_code == 1
    assert "not empty" in result.output and "--force" in result.output
    assert snapshot(_url(app)) == before


def test_restore_with_force_overwrites(source, filed):
    app = source["app"]
    backed_up = snapshot(_url(app))
    filed(title="备份之后新增的需求")
    result = app.test_cli_runner().invoke(args=["restore", "--force", str(source["archive"])])
    assert result.exit_code == 0, result.output
    assert snapshot(_url(app)) == backed_up


def _assert_nothing_written(target) -> None:
    if PG_URL:
        engine = create_engine(_url(target))
        try:
            with engine.connect() as connection:
                assert inspect(connection).get_table_names() == []
        finally:
            engine.dispose()
    else:
        db_file = _url(target)[len("sqlite:///"):]
        assert not os.path.exists(os.path.dirname(db_file))  # not even the database file or its folder
    assert not os.path.exists(os.path.join(target.instance_path, "attachments"))


@pytest.mark.parametrize("content, message", [
    (None, "No backup archive"),
    (b"this is not a gzip file at all", "not a readable backup archive"),
    ("truncated", "not a readable backup archive"),
    ("no-manifest", "not a backup archive"),
    ("traversal", "unexpected entry"),
])
def test_bad_archive_is_refused_and_nothing_written(source, target, tmp_path, content, message):
    path = tmp_path / "bad.tar.gz"
    if content == "truncated":
        data = source["archive"].read_bytes()
        path.write_bytes(data[: len(data) // 2])
    elif content in ("no-manifest", "traversal"):
        with tarfile.open(source["archive"], "r:gz") as good, tarfile.open(path, "w:gz") as bad:
            for member in good.getmembers():
                if content == "no-manifest" and member.name == "manifest.json":
                    continue
                bad.addfile(member, good.extractfile(member))
            if content == "traversal":
                evil = tarfile.TarInfo("files/attachments/../../evil.txt")
                evil.size = 4
                bad.addfile(evil, io.BytesIO(b"evil"))
    elif content is not None:
        path.write_bytes(content)
    result = target.test_cli_runner().invoke(args=["restore", str(path)])
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output
    _assert_nothing_written(target)
    assert not (tmp_path / "evil.txt").exists()


def test_backup_to_a_missing_directory_is_a_clear_error(app, tmp_path):
    result = app.test_cli_runner().invoke(args=["backup", str(tmp_path / "nowhere" / "x.tar.gz")])
    assert result.exit_code == 1
    assert "does not exist" in result.output
