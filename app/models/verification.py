"""Scenario library (feature files, revisions, scenarios) and verification (releases, runs, results).

A scenario keeps its identity across revisions of its feature file: (feature, key_name,
example_key), where `key_name` is the scenario's name as written (an outline's unsubstituted
name) and `example_key` identifies the Examples row ('' for a plain scenario).

A run freezes what it verifies: each RunScenario holds a copy of the scenario's name, example
row and steps (keywords, text, data tables, doc strings) as they were when the run was created.
RunResult rows are attempts: re-running a failed or blocked scenario adds an attempt and keeps
the earlier ones. RunScenario carries the current attempt's status so totals and filters are
one indexed query.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.files import StoredFileMixin
from app.models.reference import Region
from app.models.user import User
from app.utils import utcnow

RESULT_STATUSES = ("passed", "failed", "blocked", "skipped", "untested")
ENVIRONMENTS = ("acceptance", "pre_release", "production")


class FeatureFile(db.Model):
    __tablename__ = "feature_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    path: Mapped[str] = mapped_column(String(500), unique=True)
    name: Mapped[str] = mapped_column(String(300), default="")
    language: Mapped[str] = mapped_column(String(16), default="en")
    revision: Mapped[int] = mapped_column(default=0)
    scenario_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class FeatureRevision(db.Model):
    __tablename__ = "feature_revision"
    __table_args__ = (UniqueConstraint("feature_id", "revision", name="uq_feature_revision_feature_revision"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    feature_id: Mapped[int] = mapped_column(ForeignKey("feature_file.id"), index=True)
    revision: Mapped[int]
    text: Mapped[str] = mapped_column(Text)
    name: Mapped[str] = mapped_column(String(300), default="")
    scenario_count: Mapped[int] = mapped_column(default=0)
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)

    uploaded_by: Mapped[User | None] = relationship(lazy="joined")


class Scenario(db.Model):
    __tablename__ = "scenario"
    __table_args__ = (
        UniqueConstraint("feature_id", "key_name", "example_key", name="uq_scenario_identity"),
        Index("ix_scenario_feature_position", "feature_id", "retired", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    feature_id: Mapped[int] = mapped_column(ForeignKey("feature_file.id"))
    key_name: Mapped[str] = mapped_column(String(500))
    example_key: Mapped[str] = mapped_column(String(64), default="")
    name: Mapped[str] = mapped_column(String(500))
    keyword: Mapped[str] = mapped_column(String(40), default="")
    rule: Mapped[str] = mapped_column(String(300), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    example: Mapped[dict[str, str] | None] = mapped_column(JSON)
    examples_name: Mapped[str] = mapped_column(String(300), default="")
    examples_index: Mapped[int | None]  # 1-based table index, None for plain scenarios
    row_index: Mapped[int | None]  # 1-based row within its Examples table
    steps: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    line: Mapped[int] = mapped_column(default=0)
    example_line: Mapped[int | None]
    position: Mapped[int] = mapped_column(default=0)
    steps_hash: Mapped[str] = mapped_column(String(64), index=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    retired: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    first_revision: Mapped[int] = mapped_column(default=1)
    last_revision: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    feature: Mapped[FeatureFile] = relationship(lazy="joined")


class ScenarioVersion(db.Model):
    """A scenario's content at a feature revision where it was added or changed (its history)."""

    __tablename__ = "scenario_version"
    __table_args__ = (Index("ix_scenario_version_scenario", "scenario_id", "revision"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scenario_id: Mapped[int] = mapped_column(ForeignKey("scenario.id"))
    revision: Mapped[int]
    change: Mapped[str] = mapped_column(String(16))  # added, changed, renamed, retired, restored
    name: Mapped[str] = mapped_column(String(500))
    steps: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    at: Mapped[datetime] = mapped_column(default=utcnow)


class ScenarioTag(db.Model):
    __tablename__ = "scenario_tag"

    scenario_id: Mapped[int] = mapped_column(ForeignKey("scenario.id"), primary_key=True)
    tag: Mapped[str] = mapped_column(String(200), primary_key=True, index=True)


class ScenarioRequirement(db.Model):
    __tablename__ = "scenario_requirement"

    scenario_id: Mapped[int] = mapped_column(ForeignKey("scenario.id"), primary_key=True)
    requirement_id: Mapped[int] = mapped_column(ForeignKey("requirement.id"), primary_key=True, index=True)


class ScenarioDomain(db.Model):
    __tablename__ = "scenario_domain"

    scenario_id: Mapped[int] = mapped_column(ForeignKey("scenario.id"), primary_key=True)
    domain: Mapped[str] = mapped_column(String(40), primary_key=True, index=True)


class Release(db.Model):
    """An iteration version (迭代版本) published by the provincial operations centre."""

    __tablename__ = "release"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    planned_date: Mapped[date | None] = mapped_column(index=True)
    domains: Mapped[list[str]] = mapped_column(JSON, default=list)
    notes: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    # lifecycle (app.services.releases.lifecycle): planned → in_acceptance → accepted | rejected …
    status: Mapped[str] = mapped_column(String(20), default="planned", index=True)
    status_changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    # the build under acceptance (a fixed build delivered after a rejection records its label)
    build: Mapped[str] = mapped_column(String(100), default="")
    # the roles that must sign the acceptance, in order
    signoff_roles: Mapped[list[str]] = mapped_column(JSON, default=lambda: ["manager", "reviewer"])
    # sign-offs start again in a new round after each return to in_acceptance
    signoff_round: Mapped[int] = mapped_column(default=1)
    # the acceptance report as signed, frozen when the release is accepted
    report: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    created_by: Mapped[User] = relationship(lazy="joined")


class Run(db.Model):
    __tablename__ = "verification_run"
    __table_args__ = (Index("ix_verification_run_release", "release_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    release_id: Mapped[int] = mapped_column(ForeignKey("release.id"))
    environment: Mapped[str] = mapped_column(String(16), index=True)
    region_id: Mapped[int | None] = mapped_column(ForeignKey("region.id"), index=True)
    selection: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    scenario_count: Mapped[int] = mapped_column(default=0)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    release: Mapped[Release] = relationship(lazy="joined")
    region: Mapped[Region | None] = relationship(lazy="joined")
    created_by: Mapped[User] = relationship(lazy="joined")


class RunScenario(db.Model):
    """A scenario as frozen in a run, with its current attempt's status."""

    __tablename__ = "run_scenario"
    __table_args__ = (
        UniqueConstraint("run_id", "scenario_id", name="uq_run_scenario_run_scenario"),
        Index("ix_run_scenario_run_status", "run_id", "status"),
        Index("ix_run_scenario_run_position", "run_id", "position"),
        # history across releases (app.services.releases.history): the final status of each
        # scenario per release is read from this index alone, not from the wide rows
        Index("ix_run_scenario_history", "run_id", "scenario_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("verification_run.id"))
    scenario_id: Mapped[int] = mapped_column(ForeignKey("scenario.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    feature_path: Mapped[str] = mapped_column(String(500))
    feature_name: Mapped[str] = mapped_column(String(300), default="")
    feature_revision: Mapped[int] = mapped_column(default=1)
    key_name: Mapped[str] = mapped_column(String(500))
    name: Mapped[str] = mapped_column(String(500))
    keyword: Mapped[str] = mapped_column(String(40), default="")
    example: Mapped[dict[str, str] | None] = mapped_column(JSON)
    examples_name: Mapped[str] = mapped_column(String(300), default="")
    examples_index: Mapped[int | None]
    row_index: Mapped[int | None]
    line: Mapped[int] = mapped_column(default=0)
    example_line: Mapped[int | None]
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    steps: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(10), default="untested")
    attempt: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class RunResult(db.Model):
    """One attempt at a run's scenario: per-step statuses, who recorded it, note, defect."""

    __tablename__ = "run_result"
    __table_args__ = (UniqueConstraint("run_scenario_id", "attempt", name="uq_run_result_attempt"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_scenario_id: Mapped[int] = mapped_column(ForeignKey("run_scenario.id"))
    attempt: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[str] = mapped_column(String(10), default="untested")
    set_directly: Mapped[bool] = mapped_column(Boolean, default=False)
    step_results: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # the frozen steps with these marks as the API answers them (JSON text of
    # app.services.results.step_items), written with every mark: the results list sends it as is
    steps_answer: Mapped[str] = mapped_column(Text, default="[]")
    note: Mapped[str] = mapped_column(Text, default="")
    defect: Mapped[str] = mapped_column(String(100), default="")
    fed_back: Mapped[bool] = mapped_column(Boolean, default=False)
    source: Mapped[str] = mapped_column(String(40), default="manual")
    tester_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    recorded_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    tester: Mapped[User | None] = relationship(lazy="joined")


class Evidence(StoredFileMixin, db.Model):
    __tablename__ = "evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_result_id: Mapped[int] = mapped_column(ForeignKey("run_result.id"), index=True)
