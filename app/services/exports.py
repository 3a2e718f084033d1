"""Background exports (issue 11): a large ledger (台帐) or audit log built in a thread of the app
process while its owner watches the progress.

- `start` checks the permission (the ledger: `view`; the audit log: `view_audit`) and the filters
  (422 naming `filters.<field>`), stores an `ExportJob` row (queued) and starts a daemon thread
  (`EXPORT_JOBS_THREADS`, on by default, off under TESTING unless a test sets it)
  that builds the workbook (openpyxl write-only) into `instance/exports/`, committing its progress
  every `EXPORT_PROGRESS_EVERY` rows (default 2,000).
- The row lives in the database, so any gunicorn worker answers status and download; the thread
  runs in the worker that took the POST. Limitation: a job whose worker stops (restart, timeout
  kill) stays `running`; `get` reports a job silent for `EXPORT_STALE_MINUTES` (default 30) as
  failed, and the owner starts another. No queue or extra process is needed.
- A job is its owner's alone: anyone else gets 404. Jobs and files older than
  `EXPORT_RETENTION_DAYS` (default 7) are removed when any export starts (`cleanup`).
- `GET /api/v1/ledger.xlsx` stays synchronous up to `LEDGER_SYNC_MAX_ROWS` (default 5,000) rows;
  above it answers 409 pointing to the job API (`check_sync_size`).
"""
from __future__ import annotations

import os
import secrets
import threading
from datetime import timedelta
from typing import Any

from flask import current_app
from marshmallow import ValidationError
from sqlalchemy import delete, func, select, update

from app.extensions import db
from app.models import ExportJob, Requirement, User
from app.services import permissions
from app.services.errors import Conflict, Msg, NotFound, ValidationFailed
from app.services.uow import unit_of_work
from app.utils import utcnow

KINDS = ("ledger", "audit")
ACTION = {"ledger": "view", "audit": "view_audit"}
STATUSES = ("queued", "running", "done", "failed")
DEFAULT_PROGRESS_EVERY = 2000
DEFAULT_RETENTION_DAYS = 7
DEFAULT_STALE_MINUTES = 30
DEFAULT_SYNC_MAX = 5000
NOT_FOUND = Msg("Export not found.")


def _config(name: str, default: int) -> int:
    try:
        return max(int(current_app.config.get(name, default)), 0)
    except (TypeError, ValueError):
        return default


def folder() -> str:
    path = os.path.join(current_app.instance_path, "exports")
    os.makedirs(path, exist_ok=True)
    return path


def _schema(kind: str):
    if kind == "audit":
        from app.schemas.audit import AuditFilterSchema

        return AuditFilterSchema()
    from app.schemas.stats import StatsFilterSchema

    return StatsFilterSchema()


def _raw(filters: dict[str, Any]) -> dict[str, str]:
    """The filters as query strings: lists joined with commas, numbers as text."""
    raw = {}
    for key, value in (filters or {}).items():
        if value is None or value == "" or value == []:
            continue
        if isinstance(value, list | tuple):
            value = ",".join(str(v) for v in value)
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            raise ValidationFailed.field(f"filters.{key}", Msg("Give a text, a number or a list."))
        raw[str(key)] = str(value)
    from app.schemas.common import unsafe_input

    unsafe = unsafe_input(raw)  # text no file or page can hold (NUL, control characters)
    if unsafe:
        errors = {f"filters.{key}": [str(m) for m in messages] for key, messages in unsafe.items()}
        raise ValidationFailed(next(iter(errors.values()))[0], errors)
    return raw


def load_filters(kind: str, raw: dict[str, str]) -> dict[str, Any]:
    try:
        return _schema(kind).load(raw)
    except ValidationError as error:
        name, messages = next(iter(error.messages.items()))
        message = messages[0] if isinstance(messages, list) and messages else str(messages)
        raise ValidationFailed(message, {f"filters.{name}": [str(message)]}) from None


def start(user: User, kind: str, filters: dict[str, Any] | None = None, run_in_thread: bool | None = None) -> ExportJob:
    """Queue an export for `user` and start its thread (unless `EXPORT_JOBS_THREADS` is off)."""
    if kind not in KINDS:
        raise ValidationFailed.field("kind", Msg("Unknown export '%(kind)s'.", kind=kind))
    permissions.require(user, ACTION[kind])
    raw = _raw(filters or {})
    loaded = load_filters(kind, raw)
    if kind == "ledger" and loaded.get("region"):
        from app.services.stats.reports import report_region

        try:  # a region outside the reader's: 404, as a report's
            report_region(user, loaded["region"])
        except ValidationFailed as error:
            raise ValidationFailed(error.message, {"filters.region": [error.message]}) from None
    cleanup()
    with unit_of_work():
        job = ExportJob(owner_id=user.id, kind=kind, filters=raw, status="queued", total=0, processed=0, error="",
                        file_name="", download_name="", size=0, created_at=utcnow())
        db.session.add(job)
    # tests turn threads on where they wait for them: a thread outliving its test would write
    # into the next test's database
    threads = current_app.config.get("EXPORT_JOBS_THREADS", not current_app.testing)
    if run_in_thread if run_in_thread is not None else threads:
        app = current_app._get_current_object()
        threading.Thread(target=run_job, args=(app, job.id), name=f"export-{job.id}", daemon=True).start()
    return job


def run_job(app, job_id: int) -> None:
    """The thread's body: its own app context and session."""
    with app.app_context():
        try:
            run(job_id)
        finally:
            db.session.remove()


def _update(job_id: int, **values) -> None:
    """Write the job's progress on a connection of its own: a commit of the session would expire
    the rows being exported (and reload each of them)."""
    with db.engine.begin() as connection:
        connection.execute(update(ExportJob).where(ExportJob.id == job_id).values(**values))


def run(job_id: int) -> None:
    """Build the job's file, recording progress; a failure is kept on the job (not raised)."""
    job = db.session.get(ExportJob, job_id)
    if job is None or job.status != "queued":
        return
    owner, kind, raw = db.session.get(User, job.owner_id), job.kind, dict(job.filters or {})
    _update(job_id, status="running", started_at=utcnow())
    try:
        permissions.require(owner, ACTION[kind])
        filters = load_filters(kind, raw)
        every = _config("EXPORT_PROGRESS_EVERY", DEFAULT_PROGRESS_EVERY) or DEFAULT_PROGRESS_EVERY

        def progress(done: int, total: int) -> None:
            if done == 0 or done == total or done % every == 0:
                _update(job_id, processed=done, total=total)

        body, download_name = _build(owner, kind, filters, progress)
        file_name = f"{job_id}-{secrets.token_hex(8)}.xlsx"
        path = os.path.join(folder(), file_name)
        with open(path + ".part", "wb") as fh:
            fh.write(body)
        os.replace(path + ".part", path)
        _update(job_id, status="done", file_name=file_name, download_name=download_name, size=len(body),
                finished_at=utcnow())
    except Exception as error:  # noqa: BLE001 - kept on the job for its owner to read
        db.session.rollback()
        current_app.logger.exception("export %s failed", job_id)
        _update(job_id, status="failed", error=str(getattr(error, "message", error))[:500], finished_at=utcnow())


def _build(owner: User, kind: str, filters: dict[str, Any], progress) -> tuple[bytes, str]:
    # a request context of its own: the labels are translated (documents read in Chinese)
    with current_app.test_request_context():
        if kind == "audit":
            from app.services import audit

            progress(0, 1)
            body = audit.export_xlsx(owner, filters)
            progress(1, 1)
            return body, "审计日志.xlsx"
        from app.services.stats import reports

        return reports.ledger_xlsx(owner, filters, progress=progress), "需求台帐.xlsx"


def get(user: User, job_id: int) -> ExportJob:
    """The user's own job (404 for anyone else's); a job silent too long reads failed."""
    job = db.session.get(ExportJob, job_id) if 0 < job_id <= permissions.MAX_ID else None
    if job is None or job.owner_id != user.id:
        raise NotFound(NOT_FOUND)
    stale = timedelta(minutes=_config("EXPORT_STALE_MINUTES", DEFAULT_STALE_MINUTES))
    if job.status in ("queued", "running") and stale and (job.started_at or job.created_at) < utcnow() - stale:
        with unit_of_work():
            job.status, job.error, job.finished_at = "failed", "interrupted", utcnow()
    return job


def file_path(user: User, job_id: int) -> tuple[str, ExportJob]:
    """The finished file of the user's job; 409 while it is not ready (or failed)."""
    job = get(user, job_id)
    path = os.path.join(folder(), job.file_name) if job.file_name else ""
    if job.status != "done" or not path or not os.path.exists(path):
        raise Conflict(Msg("The export is not ready (status: %(status)s).", status=job.status))
    return path, job


def recent(user: User, limit: int = 10) -> list[ExportJob]:
    return list(db.session.scalars(select(ExportJob).where(ExportJob.owner_id == user.id)
                                    .order_by(ExportJob.created_at.desc(), ExportJob.id.desc()).limit(limit)))


def percent(job: ExportJob) -> int:
    if job.status == "done":
        return 100
    return int(100 * job.processed / job.total) if job.total else 0


def cleanup(now=None) -> int:
    """Remove jobs (and their files) older than the retention; returns how many."""
    days = _config("EXPORT_RETENTION_DAYS", DEFAULT_RETENTION_DAYS)
    cutoff = (now or utcnow()) - timedelta(days=days)
    old = db.session.execute(select(ExportJob.id, ExportJob.file_name).where(ExportJob.created_at < cutoff)).all()
    if not old:
        return 0
    for _, name in old:
        if name:
            try:
                os.remove(os.path.join(folder(), name))
            except FileNotFoundError:
                pass
    with unit_of_work():
        db.session.execute(delete(ExportJob).where(ExportJob.id.in_([job_id for job_id, _ in old])))
    return len(old)


def check_sync_size(user: User, filters: dict[str, Any]) -> None:
    """409 when the synchronous ledger would have more than `LEDGER_SYNC_MAX_ROWS` rows."""
    from app.services.stats.query import scoped_where

    limit = _config("LEDGER_SYNC_MAX_ROWS", DEFAULT_SYNC_MAX)
    n = db.session.scalar(select(func.count()).select_from(Requirement).where(scoped_where(user, filters))) or 0
    if n > limit:
        raise Conflict(Msg("The ledger has %(n)s rows, more than the %(max)s exported at once: start a background "
                           "export (POST /api/v1/exports with kind 'ledger').", n=n, max=limit))


def as_dict(job: ExportJob) -> dict[str, Any]:
    return {"id": job.id, "kind": job.kind, "filters": job.filters, "status": job.status, "total": job.total,
            "processed": job.processed, "percent": percent(job), "error": job.error, "size": job.size,
            "created_at": job.created_at, "started_at": job.started_at, "finished_at": job.finished_at,
            "download_name": job.download_name}
