"""Releases as the verification side keeps them: create, list, read one with the runs its reader sees."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from app.extensions import db
from app.models import (
    Release,
    Run,
    User,
)
from app.services import permissions
from app.services.errors import Conflict, Msg
from app.services.uow import unit_of_work


def create_release(actor: User, data: dict[str, Any]) -> Release:
    permissions.require(actor, "manage_releases")
    version = data["version"].strip()
    if db.session.scalar(select(Release.id).where(Release.version == version)) is not None:
        raise Conflict(Msg("Release %(version)s exists.", version=version), {"version": ["This version is taken."]})
    release = Release(
        version=version,
        name=data.get("name") or "",
        planned_date=data.get("planned_date"),
        domains=list(dict.fromkeys(data.get("domains") or [])),
        notes=data.get("notes") or "",
        created_by_id=actor.id,
    )
    with unit_of_work():
        db.session.add(release)
    return release


def releases(user: User) -> list[Release]:
    permissions.require(user, "view")
    return list(db.session.scalars(select(Release).order_by(Release.planned_date.desc().nulls_last(), Release.id.desc())))


def get_release(user: User, release_id: int) -> Release:
    return permissions.fetch(user, Release, release_id, not_found=Msg("Release not found."))


def runs_of(user: User, release: Release) -> list[Run]:
    return list(db.session.scalars(
        select(Run).where(Run.release_id == release.id, permissions.run_clause(user)).order_by(Run.id.desc())
    ))


@dataclass(frozen=True)
class ReleaseDetail:
    """A release and the runs of it the reader sees (the release's API answer)."""

    release: Release
    runs: list[Run]


def release_detail(user: User, release_id: int) -> ReleaseDetail:
    release = get_release(user, release_id)
    return ReleaseDetail(release, runs_of(user, release))
