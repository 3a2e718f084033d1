"""Backup and restore: one .tar.gz holding the database and the uploaded files.

Archive layout: `manifest.json` ({"format": 1, "dialect": "sqlite"|"postgresql", ...}), then
`database.sqlite3` (SQLite online backup, consistent while the app runs) or `database.dump`
(`pg_dump --format=custom`), then `files/<folder>/<stored name>` for each upload folder under
instance/. Restore checks the whole archive before it writes anything and refuses a target that
already holds requirements or users unless forced.
"""
from __future__ import annotations

import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from datetime import datetime, timezone

from flask import current_app
from sqlalchemy import func, inspect, select, table
from sqlalchemy.engine import make_url

from app.extensions import db

FORMAT = 1
FILE_FOLDERS = ("attachments", "evidence")  # instance/ folders written by app.services.files
GUARDED_TABLES = ("requirement", "user_account")  # a target holding rows here is not empty
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database.sqlite3"
PG_MEMBER = "database.dump"


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message says why (shown by the CLI)."""


# --- helpers -------------------------------------------------------------------------------


def _dialect() -> str:
    name = db.engine.dialect.name
    if name not in ("sqlite", "postgresql"):
        raise BackupError(f"Unsupported database: {name}.")
    return name


def _sqlite_path() -> str:
    path = db.engine.url.database
    if not path or path == ":memory:":
        raise BackupError("An in-memory SQLite database cannot be backed up or restored.")
    return path


def _libpq() -> tuple[str, dict[str, str]]:
    """The database URL for pg_dump/pg_restore (plain `postgresql://`, no driver) and an
    environment carrying the password (kept off the command line, where `ps` would show it)."""
    url = make_url(db.engine.url.render_as_string(hide_password=False))
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    url = url.set(drivername="postgresql", password=None)
    return url.render_as_string(hide_password=False), env


def _run(command: list[str], env: dict[str, str]) -> None:
    try:
        result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise BackupError(f"{command[0]} was not found; install the PostgreSQL client tools.") from None
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip() or result.returncode}")


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(datetime.now(timezone.utc).timestamp())
    archive.addfile(info, io.BytesIO(data))


def has_data() -> bool:
    """Whether the configured database holds any requirement or user rows."""
    if db.engine.dialect.name == "sqlite" and not os.path.exists(_sqlite_path()):
        return False  # checking would create the file (or fail on a missing folder)
    present = set(inspect(db.engine).get_table_names())
    with db.engine.connect() as connection:
        for name in GUARDED_TABLES:
            if name in present and connection.scalar(select(func.count()).select_from(table(name))):
                return True
    return False


# --- backup --------------------------------------------------------------------------------


def backup(path: str) -> dict:
    """Write the archive to `path` (via a temporary file beside it, so a failed backup leaves
    nothing half-written). Returns a summary: dialect and number of files."""
    dialect = _dialect()
    target = os.path.abspath(path)
    directory = os.path.dirname(target)
    if not os.path.isdir(directory):
        raise BackupError(f"The directory {directory} does not exist.")
    counted = 0
    with tempfile.TemporaryDirectory() as work:
        if dialect == "sqlite":
            dump = os.path.join(work, SQLITE_MEMBER)
            source = sqlite3.connect(_sqlite_path())
            destination = sqlite3.connect(dump)
            try:
                with destination:
                    source.backup(destination)  # online backup API: consistent while the app writes
            finally:
                destination.close()
                source.close()
            member = SQLITE_MEMBER
        else:
            dump = os.path.join(work, PG_MEMBER)
            url, env = _libpq()
            _run(["pg_dump", "--format=custom", "--no-owner", f"--file={dump}", f"--dbname={url}"], env)
            member = PG_MEMBER
        manifest = {
            "format": FORMAT,
            "dialect": dialect,
            "database": member,
            "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "folders": list(FILE_FOLDERS),
        }
        partial = os.path.join(directory, f".{os.path.basename(target)}.partial")
        try:
            with tarfile.open(partial, "w:gz") as archive:
                _add_bytes(archive, MANIFEST, json.dumps(manifest, indent=2).encode())
                archive.add(dump, arcname=member)
                for folder in FILE_FOLDERS:
                    source_dir = os.path.join(current_app.instance_path, folder)
                    if not os.path.isdir(source_dir):
                        continue
                    for name in sorted(os.listdir(source_dir)):
                        file_path = os.path.join(source_dir, name)
                        if os.path.isfile(file_path) and not os.path.islink(file_path):
                            archive.add(file_path, arcname=f"files/{folder}/{name}")
                            counted += 1
            os.replace(partial, target)
        finally:
            if os.path.exists(partial):
                os.remove(partial)
    return {"dialect": dialect, "files": counted, "path": target}


# --- restore -------------------------------------------------------------------------------


def _read_archive(path: str, work: str) -> tuple[dict, str, dict[str, list[str]]]:
    """Check and unpack the archive into `work`: manifest, database member, files by folder.
    Anything odd (not a gzip tar, no manifest, unknown format, unsafe member names) is refused."""
    if not os.path.isfile(path):
        raise BackupError(f"No backup archive at {path}.")
    try:
        with tarfile.open(path, "r:gz") as archive:
            members = archive.getmembers()
            by_name = {m.name: m for m in members}
            if MANIFEST not in by_name:
                raise BackupError(f"{path} is not a backup archive (no {MANIFEST}).")
            manifest = json.loads(archive.extractfile(by_name[MANIFEST]).read())  # type: ignore[union-attr]
            if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
                raise BackupError(f"{path} has an unknown backup format.")
            member = manifest.get("database")
            if member not in (SQLITE_MEMBER, PG_MEMBER) or member not in by_name:
                raise BackupError(f"{path} holds no database.")
            files: dict[str, list[str]] = {folder: [] for folder in FILE_FOLDERS}
            for m in members:
                if m.name in (MANIFEST, member):
                    continue
                parts = m.name.split("/")
                if (not m.isfile() or len(parts) != 3 or parts[0] != "files" or parts[1] not in FILE_FOLDERS
                        or parts[2] in ("", ".", "..")):
                    raise BackupError(f"{path} holds an unexpected entry: {m.name!r}.")
                files[parts[1]].append(parts[2])
            for m in members:  # names are checked above: plain files at fixed, safe places
                if m.name == MANIFEST:
                    continue
                source = archive.extractfile(m)
                out_path = os.path.join(work, *m.name.split("/"))
                os.makedirs(os.path.dirname(out_path), exist_ok=True)
                with source, open(out_path, "wb") as out:  # type: ignore[union-attr]
                    shutil.copyfileobj(source, out)
    except (tarfile.TarError, OSError, EOFError, ValueError, UnicodeDecodeError) as error:
        raise BackupError(f"{path} is not a readable backup archive ({error}).") from None
    if member == SQLITE_MEMBER:
        try:
            check = sqlite3.connect(os.path.join(work, member))
            try:
                ok = check.execute("PRAGMA integrity_check").fetchone()
            finally:
                check.close()
        except sqlite3.DatabaseError as error:
            raise BackupError(f"The database in {path} is damaged ({error}).") from None
        if not ok or ok[0] != "ok":
            raise BackupError(f"The database in {path} is damaged.")
    return manifest, member, files


def restore(path: str, force: bool = False) -> dict:
    """Restore the archive into the configured database and instance/ upload folders.
    Refuses a database holding requirements or users unless `force`."""
    dialect = _dialect()
    with tempfile.TemporaryDirectory() as work:
        manifest, member, files = _read_archive(path, work)
        if manifest.get("dialect") != dialect:
            raise BackupError(f"The backup is of a {manifest.get('dialect')} database; this one is {dialect}.")
        if not force and has_data():
            raise BackupError("The target database is not empty (it has requirements or users); "
                              "restore into an empty database, or pass --force to overwrite it.")
        dump = os.path.join(work, member)
        db.session.remove()
        db.engine.dispose()
        if dialect == "sqlite":
            target = _sqlite_path()
            os.makedirs(os.path.dirname(os.path.abspath(target)), exist_ok=True)
            staged = f"{target}.restoring"
            shutil.copyfile(dump, staged)
            for suffix in ("-wal", "-shm", "-journal"):  # a stale WAL would be replayed over the restore
                if os.path.exists(target + suffix):
                    os.remove(target + suffix)
            os.replace(staged, target)
        else:
            url, env = _libpq()
            _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--exit-on-error",
                  f"--dbname={url}", dump], env)
        db.engine.dispose()
        restored = 0
        for folder, names in files.items():
            if not names:
                continue
            destination = os.path.join(current_app.instance_path, folder)
            os.makedirs(destination, exist_ok=True)
            for name in names:
                shutil.move(os.path.join(work, "files", folder, name), os.path.join(destination, name))
                restored += 1
    return {"dialect": dialect, "files": restored, "created_at": manifest.get("created_at")}
