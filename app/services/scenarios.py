"""Scenario library use cases: import .feature files (revisions, identity, links) and browse."""
from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, false, func, insert, select

from app.extensions import db
from app.models import (
    FeatureFile,
    FeatureRevision,
    Lookup,
    Requirement,
    Run,
    RunScenario,
    Scenario,
    ScenarioDomain,
    ScenarioRequirement,
    ScenarioTag,
    ScenarioVersion,
    User,
)
from app.services import feature_parser, permissions
from app.services.errors import DomainError, Msg, NotFound, ValidationFailed
from app.services.paging import every
from app.services.uow import unit_of_work
from app.utils import utcnow

REQUIREMENT_TAG = re.compile(r"^@(REQ-\d{4}-\d{4,})$")


@dataclass
class ImportResult:
    feature: FeatureFile
    revision: int
    unchanged: bool = False
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    renamed: list[tuple[str, str]] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)
    restored: list[str] = field(default_factory=list)
    unknown_requirements: list[str] = field(default_factory=list)

    @property
    def id(self) -> int:
        return self.feature.id

    @property
    def path(self) -> str:
        return self.feature.path

    @property
    def name(self) -> str:
        return self.feature.name

    @property
    def scenario_count(self) -> int:
        return self.feature.scenario_count


def normalise_path(path: str) -> str:
    """A relative POSIX path ending in .feature, without '..' or leading '/' or './'."""
    raw = (path or "").strip().replace("\\", "/")
    clean = posixpath.normpath(raw).lstrip("/") if raw else ""
    if clean.startswith("./"):
        clean = clean[2:]
    if not clean or clean == "." or clean.startswith("../") or "/../" in f"/{clean}/":
        raise ValidationFailed.field("path", Msg("'%(path)s' is not a relative file path.", path=path))
    if not clean.endswith(".feature"):
        raise ValidationFailed.field("path", Msg("'%(path)s' does not end with .feature.", path=path))
    return clean


# --- import ------------------------------------------------------------------------------


def import_feature(actor: User | None, path: str, text: str) -> ImportResult:
    """Parse and store one feature file as a new revision; one transaction.

    A syntax error raises FeatureSyntaxError (400) before anything is written. Importing the
    same text again changes nothing and answers the current revision.
    """
    if actor is not None:
        permissions.require(actor, "manage_scenarios")
    path = normalise_path(path)
    parsed = feature_parser.parse(path, text)
    with unit_of_work():
        result = _store(actor, parsed, text)
    return result


@dataclass(frozen=True)
class FileOutcome:
    """One file of a batch import: its result, or why it was not imported."""

    path: str
    result: ImportResult | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.result is not None


def import_feature_files(actor: User | None, files: Iterable[tuple[str, bytes]]) -> list[FileOutcome]:
    """Import several .feature files, each its own transaction: the one loop behind the
    library page's upload and `flask features import DIR`.

    `files` are (path, content) pairs, read lazily. Content is UTF-8 (a byte-order mark is
    allowed). A file that is not UTF-8 text, does not parse or has a bad path is reported in its
    outcome and the others are still imported; a missing role (403) stops the batch before any."""
    if actor is not None:
        permissions.require(actor, "manage_scenarios")
    outcomes = []
    for path, content in files:
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            outcomes.append(FileOutcome(path, error=Msg("The file is not UTF-8 text.")))
            continue
        try:
            result = import_feature(actor, path, text)
            outcomes.append(FileOutcome(result.path, result=result))
        except DomainError as error:
            if error.status not in (400, 409, 422):  # not the file's fault
                raise
            outcomes.append(FileOutcome(path, error=error.message))
    return outcomes


def _store(actor: User | None, parsed: feature_parser.ParsedFeature, text: str) -> ImportResult:
    now = utcnow()
    feature = db.session.scalar(select(FeatureFile).where(FeatureFile.path == parsed.path))
    if feature is None:
        feature = FeatureFile(path=parsed.path, name=parsed.name, language=parsed.language, revision=0,
                              created_at=now, updated_at=now)
        db.session.add(feature)
        db.session.flush()
    else:
        current = db.session.scalar(
            select(FeatureRevision.text).where(FeatureRevision.feature_id == feature.id,
                                               FeatureRevision.revision == feature.revision)
        )
        if current == text:
            return ImportResult(feature=feature, revision=feature.revision, unchanged=True)
    revision = feature.revision + 1
    result = ImportResult(feature=feature, revision=revision)

    existing = list(db.session.scalars(select(Scenario).where(Scenario.feature_id == feature.id)))
    by_key = {(s.key_name, s.example_key): s for s in existing}
    matched: dict[int, tuple[Scenario, feature_parser.ParsedScenario, str]] = {}
    unmatched_parsed: list[feature_parser.ParsedScenario] = []
    for item in parsed.scenarios:
        scenario = by_key.get((item.key_name, item.example_key))
        if scenario is not None and scenario.id not in matched:
            if scenario.retired:
                change = "restored"
            elif scenario.content_hash != item.content_hash:
                change = "changed"
            else:
                change = ""
            matched[scenario.id] = (scenario, item, change)
        else:
            unmatched_parsed.append(item)

    # A scenario whose name changed but whose steps did not: renamed, keeps its identity.
    orphans = [s for s in existing if s.id not in matched and not s.retired]
    by_steps: dict[str, list[Scenario]] = {}
    for scenario in orphans:
        by_steps.setdefault(scenario.steps_hash, []).append(scenario)
    new_items: list[feature_parser.ParsedScenario] = []
    for item in unmatched_parsed:
        candidates = by_steps.get(item.steps_hash) or []
        if candidates:
            scenario = candidates.pop(0)
            matched[scenario.id] = (scenario, item, "renamed")
            result.renamed.append((scenario.name, item.name))
        else:
            new_items.append(item)

    versions: list[dict[str, Any]] = []
    for scenario, item, change in matched.values():
        if change == "changed":
            result.changed.append(item.name)
        elif change == "restored":
            result.restored.append(item.name)
        _apply(scenario, item, revision, now)
        if change:
            versions.append(_version_row(scenario.id, revision, change, item, now))
    for item in new_items:
        scenario = Scenario(feature_id=feature.id, first_revision=revision, created_at=now)
        _apply(scenario, item, revision, now)
        db.session.add(scenario)
        result.added.append(item.name)
    db.session.flush()
    new_ids = [s.id for s in db.session.scalars(
        select(Scenario).where(Scenario.feature_id == feature.id, Scenario.first_revision == revision))]
    by_new_key = {(s.key_name, s.example_key): s.id for s in db.session.scalars(
        select(Scenario).where(Scenario.id.in_(new_ids)))} if new_ids else {}
    for item in new_items:
        versions.append(_version_row(by_new_key[(item.key_name, item.example_key)], revision, "added", item, now))

    for scenario in existing:
        if scenario.id not in matched and not scenario.retired:
            scenario.retired = True
            scenario.updated_at = now
            result.retired.append(scenario.name)
            versions.append({"scenario_id": scenario.id, "revision": revision, "change": "retired",
                             "name": scenario.name, "steps": scenario.steps, "tags": scenario.tags, "at": now})
    if versions:
        db.session.execute(insert(ScenarioVersion), versions)

    active = {s.id: s for s in db.session.scalars(
        select(Scenario).where(Scenario.feature_id == feature.id, Scenario.retired.is_(False)))}
    result.unknown_requirements = _relink(list(active.values()))

    feature.name = parsed.name
    feature.language = parsed.language
    feature.revision = revision
    feature.scenario_count = len(active)
    feature.updated_at = now
    db.session.add(FeatureRevision(
        feature_id=feature.id, revision=revision, text=text, name=parsed.name, scenario_count=len(active),
        uploaded_by_id=actor.id if actor else None, uploaded_at=now,
        summary={"added": len(result.added), "changed": len(result.changed), "renamed": len(result.renamed),
                 "retired": len(result.retired), "restored": len(result.restored)},
    ))
    db.session.flush()
    return result


def _apply(scenario: Scenario, item: feature_parser.ParsedScenario, revision: int, now) -> None:
    scenario.key_name = item.key_name
    scenario.example_key = item.example_key
    scenario.name = item.name
    scenario.keyword = item.keyword
    scenario.rule = item.rule
    scenario.description = item.description
    scenario.example = item.example
    scenario.examples_name = item.examples_name
    scenario.examples_index = item.examples_index
    scenario.row_index = item.row_index
    scenario.steps = item.steps
    scenario.tags = item.tags
    scenario.line = item.line
    scenario.example_line = item.example_line
    scenario.position = item.position
    scenario.steps_hash = item.steps_hash
    scenario.content_hash = item.content_hash
    scenario.retired = False
    scenario.last_revision = revision
    scenario.updated_at = now


def _version_row(scenario_id: int, revision: int, change: str, item, now) -> dict[str, Any]:
    return {"scenario_id": scenario_id, "revision": revision, "change": change, "name": item.name,
            "steps": item.steps, "tags": item.tags, "at": now}


def domain_codes_by_tag() -> dict[str, str]:
    """'@执行域' and '@execution' (any case) -> 'execution'."""
    result: dict[str, str] = {}
    for code, label, label_en in db.session.execute(
        select(Lookup.code, Lookup.label, Lookup.label_en).where(Lookup.kind == "domain")
    ):
        result[f"@{code}".lower()] = code
        result[f"@{label}".lower()] = code
    return result


def _relink(scenarios: list[Scenario]) -> list[str]:
    """Rebuild tag, domain and requirement links of these scenarios in bulk."""
    if not scenarios:
        return []
    ids = [s.id for s in scenarios]
    for table in (ScenarioTag, ScenarioDomain, ScenarioRequirement):
        db.session.execute(delete(table).where(table.scenario_id.in_(ids)))
    domains = domain_codes_by_tag()
    codes = {m.group(1) for s in scenarios for t in s.tags if (m := REQUIREMENT_TAG.match(t))}
    requirement_ids = dict(db.session.execute(
        select(Requirement.code, Requirement.id).where(Requirement.code.in_(codes))).all()) if codes else {}
    tag_rows, domain_rows, requirement_rows = [], [], []
    for scenario in scenarios:
        seen_domains: set[str] = set()
        for tag in dict.fromkeys(scenario.tags):
            tag_rows.append({"scenario_id": scenario.id, "tag": tag[:200]})
            domain = domains.get(tag.lower())
            if domain and domain not in seen_domains:
                seen_domains.add(domain)
                domain_rows.append({"scenario_id": scenario.id, "domain": domain})
            match = REQUIREMENT_TAG.match(tag)
            if match and match.group(1) in requirement_ids:
                requirement_rows.append({"scenario_id": scenario.id, "requirement_id": requirement_ids[match.group(1)]})
    for table, rows in ((ScenarioTag, tag_rows), (ScenarioDomain, domain_rows), (ScenarioRequirement, requirement_rows)):
        if rows:
            db.session.execute(insert(table), rows)
    return sorted(codes - set(requirement_ids))


def linked_to(*reqs: Requirement):
    """Ids of scenarios verifying any of `reqs`: linked at import, or tagged with its code since
    (a requirement filed after its scenarios were imported is traced all the same). Browsing,
    a requirement's page and a run's selection by requirement all use this one definition."""
    return select(ScenarioRequirement.scenario_id).where(
        ScenarioRequirement.requirement_id.in_([r.id for r in reqs])).union(
        select(ScenarioTag.scenario_id).where(ScenarioTag.tag.in_([f"@{r.code}" for r in reqs])))


# --- browse ------------------------------------------------------------------------------


def features_query(user: User):
    """A select of the library's feature files, by path (paginate it for lists)."""
    permissions.require(user, "view")
    return select(FeatureFile).order_by(FeatureFile.path)


def features(user: User) -> list[FeatureFile]:
    return list(db.session.scalars(features_query(user)))


def get_feature(user: User, feature_id: int) -> FeatureFile:
    return permissions.fetch(user, FeatureFile, feature_id, not_found=Msg("Feature not found."))


def revisions(feature: FeatureFile) -> list[FeatureRevision]:
    return list(db.session.scalars(
        select(FeatureRevision).where(FeatureRevision.feature_id == feature.id).order_by(FeatureRevision.revision.desc())
    ))


@dataclass(frozen=True)
class FeatureDetail:
    """A feature file with its description, revisions (latest first) and scenarios."""

    feature: FeatureFile
    description: str
    revisions: list[FeatureRevision]
    scenarios: list[Scenario]


def feature_detail(user: User, feature_id: int, include_retired: bool = False) -> FeatureDetail:
    feature = get_feature(user, feature_id)
    items = every(search(user, {"feature": feature.id, "include_retired": include_retired}))
    return FeatureDetail(feature, feature_description(feature), revisions(feature), items)


def feature_description(feature: FeatureFile) -> str:
    """The feature's description (the free text under 功能/Feature) as of its current revision.

    Kept in the stored revision text, so nothing else stores it: it is read from there."""
    text = db.session.scalar(select(FeatureRevision.text).where(
        FeatureRevision.feature_id == feature.id, FeatureRevision.revision == feature.revision))
    if not text:
        return ""
    try:
        return feature_parser.parse(feature.path, text).description
    except feature_parser.FeatureSyntaxError:  # pragma: no cover - stored texts parsed at import
        return ""


def revision_text(feature: FeatureFile, revision: int) -> str:
    text = db.session.scalar(select(FeatureRevision.text).where(
        FeatureRevision.feature_id == feature.id, FeatureRevision.revision == revision))
    if text is None:
        raise NotFound(Msg("Revision not found."))
    return text


def search(user: User, filters: dict[str, Any]):
    """A select of scenarios for the browse page and `GET /api/v1/scenarios`."""
    permissions.require(user, "view")
    stmt = select(Scenario)
    if not filters.get("include_retired"):
        stmt = stmt.where(Scenario.retired.is_(False))
    if filters.get("feature"):
        stmt = stmt.where(Scenario.feature_id == filters["feature"])
    if filters.get("domain"):
        stmt = stmt.where(Scenario.id.in_(select(ScenarioDomain.scenario_id).where(
            ScenarioDomain.domain == filters["domain"])))
    if filters.get("tag"):
        tag = filters["tag"] if filters["tag"].startswith("@") else "@" + filters["tag"]
        stmt = stmt.where(Scenario.id.in_(select(ScenarioTag.scenario_id).where(ScenarioTag.tag == tag)))
    if filters.get("requirement"):
        req = db.session.scalar(select(Requirement).where(Requirement.code == filters["requirement"]))
        if req is None or not permissions.in_scope(user, req):
            stmt = stmt.where(false())
        else:
            stmt = stmt.where(Scenario.id.in_(linked_to(req)))
    q = (filters.get("q") or "").strip()
    if q:
        stmt = stmt.where(Scenario.name.ilike(f"%{q}%"))
    return stmt.join(FeatureFile, FeatureFile.id == Scenario.feature_id).order_by(
        FeatureFile.path, Scenario.position, Scenario.id)


def tag_counts() -> list[tuple[str, int]]:
    rows = db.session.execute(
        select(ScenarioTag.tag, func.count())
        .join(Scenario, Scenario.id == ScenarioTag.scenario_id)
        .where(Scenario.retired.is_(False))
        .group_by(ScenarioTag.tag)
        .order_by(ScenarioTag.tag)
    )
    return [(tag, n) for tag, n in rows]


def get_scenario(user: User, scenario_id: int) -> Scenario:
    return permissions.fetch(user, Scenario, scenario_id, not_found=Msg("Scenario not found."))


@dataclass(frozen=True)
class ScenarioDetail:
    """A scenario with its domains, the requirements it verifies (in the reader's scope), its
    revisions (latest first) and its results in the runs the reader sees (latest run first)."""

    scenario: Scenario
    domains: list[str]
    requirements: list[Requirement]
    versions: list[ScenarioVersion]
    results: list[tuple[RunScenario, Run]]


def scenario_detail(user: User, scenario_id: int) -> ScenarioDetail:
    scenario = get_scenario(user, scenario_id)
    return ScenarioDetail(
        scenario=scenario, domains=domains_of([scenario.id]).get(scenario.id, []),
        requirements=requirements_of(user, scenario), versions=versions(scenario),
        results=results_across_runs(user, scenario),
    )


def versions(scenario: Scenario) -> list[ScenarioVersion]:
    return list(db.session.scalars(
        select(ScenarioVersion).where(ScenarioVersion.scenario_id == scenario.id)
        .order_by(ScenarioVersion.revision.desc(), ScenarioVersion.id.desc())
    ))


def domains_of(scenario_ids: list[int]) -> dict[int, list[str]]:
    result: dict[int, list[str]] = {}
    if scenario_ids:
        for sid, domain in db.session.execute(
            select(ScenarioDomain.scenario_id, ScenarioDomain.domain).where(ScenarioDomain.scenario_id.in_(scenario_ids))
        ):
            result.setdefault(sid, []).append(domain)
    return result


def requirements_of(user: User, scenario: Scenario) -> list[Requirement]:
    """The requirements this scenario verifies, those in the user's scope only."""
    codes = [m.group(1) for t in scenario.tags if (m := REQUIREMENT_TAG.match(t))]
    reqs = db.session.scalars(
        select(Requirement).where(
            Requirement.id.in_(select(ScenarioRequirement.requirement_id).where(
                ScenarioRequirement.scenario_id == scenario.id)) | Requirement.code.in_(codes),
            permissions.region_clause(user, Requirement.region_id),
        ).order_by(Requirement.code)
    )
    return list(reqs)


def results_across_runs(user: User, scenario: Scenario) -> list[tuple[RunScenario, Run]]:
    rows = db.session.execute(
        select(RunScenario, Run).join(Run, Run.id == RunScenario.run_id)
        .where(RunScenario.scenario_id == scenario.id, permissions.run_clause(user)).order_by(Run.id.desc())
    ).all()
    return [(rs, run) for rs, run in rows]


def for_requirement(user: User, req: Requirement) -> list[dict[str, Any]]:
    """Scenarios linked to a requirement, each with its latest status in a run the user sees."""
    scenarios = list(db.session.scalars(
        select(Scenario).where(Scenario.id.in_(linked_to(req)))
        .order_by(Scenario.retired, Scenario.feature_id, Scenario.position)
    ))
    if not scenarios:
        return []
    latest: dict[int, tuple[RunScenario, Run]] = {}
    for rs, run in db.session.execute(
        select(RunScenario, Run).join(Run, Run.id == RunScenario.run_id)
        .where(RunScenario.scenario_id.in_([s.id for s in scenarios]), permissions.run_clause(user))
        .order_by(Run.id)
    ).all():
        latest[rs.scenario_id] = (rs, run)
    return [{"scenario": s, "latest": latest.get(s.id)} for s in scenarios]


def scenario_filter_options() -> dict[str, Any]:
    return {
        "features": list(db.session.execute(
            select(FeatureFile.id, FeatureFile.path, FeatureFile.name).order_by(FeatureFile.path))),
        "tags": tag_counts(),
    }
