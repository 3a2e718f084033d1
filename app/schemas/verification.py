"""Scenario library and verification schemas: the one validation source for API and forms, and
the one place the answers are serialised (services hand over models and small read models)."""
from __future__ import annotations

import dataclasses
from typing import Any

from marshmallow import Schema, fields, post_dump, post_load, validate

from app.config import Config
from app.models.verification import ENVIRONMENTS, RESULT_STATUSES
from app.schemas.common import LookupCode, PageQuerySchema, StrictSchema, UtcDateTime
from app.schemas.reference import RegionSchema
from app.services.releases.lifecycle import label as release_label
from app.utils import RawJSON, iso_utc

VERSION_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._\-]*$"


class ReadModelSchema(Schema):
    """Dumps a service's read model: a dataclass holding one record (its field named `RECORD`,
    e.g. a run) and what the service worked out beside it (e.g. the run's `totals`).

    A field the read model has is read from it, every other field from the record, so a record's
    schema is reused as it is: `class RunSchema(ReadModelSchema, RunBriefSchema)`. Fields of the
    record's schema read attributes (`attribute="created_by.username"`), not the object
    (`fields.Function`), since they are handed the read model."""

    RECORD = ""

    def get_attribute(self, obj: Any, attr: str, default: Any) -> Any:
        own = {f.name for f in dataclasses.fields(obj)}
        source = obj if attr.split(".", 1)[0] in own else getattr(obj, self.RECORD)
        return super().get_attribute(source, attr, default)


class CodeSchema(Schema):
    """A record named by its code (a requirement in a scenario's links)."""

    code = fields.String()


class UsernameSchema(Schema):
    """A user named by username (who recorded a result)."""

    username = fields.String()


class BlankAsNull(fields.String):
    """A text column whose empty value the API answers as null (a result's `source`)."""

    def _serialize(self, value, attr, obj, **kwargs):
        return super()._serialize(value or None, attr, obj, **kwargs)


# --- scenario library --------------------------------------------------------------------


class FeatureImportSchema(StrictSchema):
    path = fields.String(required=True, validate=validate.Length(min=1, max=500))
    text = fields.String(required=True, validate=validate.Length(max=2_000_000))


class FeatureImportResultSchema(Schema):
    id = fields.Integer()
    path = fields.String()
    name = fields.String()
    revision = fields.Integer()
    scenario_count = fields.Integer()
    unchanged = fields.Boolean()
    added = fields.List(fields.String())
    changed = fields.List(fields.String())
    renamed = fields.Function(lambda r: [{"from": a, "to": b} for a, b in r.renamed])
    retired = fields.List(fields.String())
    restored = fields.List(fields.String())
    unknown_requirements = fields.List(fields.String())


class FeatureSchema(Schema):
    id = fields.Integer()
    path = fields.String()
    name = fields.String()
    language = fields.String()
    revision = fields.Integer()
    scenario_count = fields.Integer()
    updated_at = UtcDateTime()


class FeatureRevisionSchema(Schema):
    revision = fields.Integer()
    name = fields.String()
    scenario_count = fields.Integer()
    summary = fields.Dict()
    uploaded_by = fields.Function(lambda r: r.uploaded_by.username if r.uploaded_by else None)
    uploaded_at = UtcDateTime()


class FeaturePageSchema(Schema):
    items = fields.List(fields.Nested(FeatureSchema))
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()


class ScenarioQuerySchema(PageQuerySchema):
    class Meta:
        unknown = "exclude"

    feature = fields.Integer()
    domain = fields.String(validate=validate.Length(max=40))
    tag = fields.String(validate=validate.Length(max=200))
    requirement = fields.String(validate=validate.Length(max=20))
    q = fields.String(validate=validate.Length(max=200))
    include_retired = fields.Boolean(load_default=False)


class ScenarioSchema(Schema):
    id = fields.Integer()
    feature_id = fields.Integer()
    feature_path = fields.String(attribute="feature.path")
    name = fields.String()
    keyword = fields.String()
    rule = fields.String()
    description = fields.String()
    example = fields.Dict(allow_none=True)
    examples_name = fields.String()
    tags = fields.List(fields.String())
    steps = fields.List(fields.Dict())
    line = fields.Integer()
    example_line = fields.Integer(allow_none=True)
    retired = fields.Boolean()
    first_revision = fields.Integer()
    last_revision = fields.Integer()


class ScenarioPageSchema(Schema):
    items = fields.List(fields.Nested(ScenarioSchema))
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()


class FeatureDetailSchema(ReadModelSchema, FeatureSchema):
    """A `scenarios.FeatureDetail`: the feature, its description, revisions and current scenarios."""

    RECORD = "feature"
    description = fields.String()
    revisions = fields.List(fields.Nested(FeatureRevisionSchema))
    scenarios = fields.List(fields.Nested(ScenarioSchema))


class ScenarioRevisionSchema(Schema):
    revision = fields.Integer()
    change = fields.String()
    name = fields.String()


class ScenarioRunResultSchema(Schema):
    """A scenario's result in one run: a (RunScenario, Run) pair."""

    run_id = fields.Function(lambda pair: pair[1].id)
    release = fields.Function(lambda pair: pair[1].release.version)
    environment = fields.Function(lambda pair: pair[1].environment)
    status = fields.Function(lambda pair: pair[0].status)
    attempt = fields.Function(lambda pair: pair[0].attempt)


class ScenarioDetailSchema(ReadModelSchema, ScenarioSchema):
    """A `scenarios.ScenarioDetail`: the scenario with its links, revisions and results across runs."""

    RECORD = "scenario"
    domains = fields.List(fields.String())
    requirements = fields.List(fields.Pluck(CodeSchema, "code"))
    revisions = fields.List(fields.Nested(ScenarioRevisionSchema), attribute="versions")
    results = fields.List(fields.Nested(ScenarioRunResultSchema))


# --- releases and runs -------------------------------------------------------------------


class ReleaseCreateSchema(StrictSchema):
    version = fields.String(required=True, validate=[validate.Length(min=1, max=40), validate.Regexp(
        VERSION_PATTERN, error="Use letters, digits, '.', '_' and '-' (e.g. V2026.11).")])
    name = fields.String(load_default="", validate=validate.Length(max=200))
    planned_date = fields.Date(allow_none=True, load_default=None)
    domains = fields.List(fields.String(validate=LookupCode("domain")), load_default=list)
    notes = fields.String(load_default="", validate=validate.Length(max=20000))


class RunBriefSchema(Schema):
    id = fields.Integer()
    release_id = fields.Integer()
    environment = fields.String()
    region = fields.Pluck(RegionSchema, "code", allow_none=True)
    scenario_count = fields.Integer()
    created_at = UtcDateTime()


class ReleaseSchema(Schema):
    id = fields.Integer()
    version = fields.String()
    name = fields.String()
    status = fields.String()
    # a Function is handed the object (a Release, or a ReleaseDetail holding one)
    status_label = fields.Function(lambda r: release_label(getattr(r, "release", r).status))
    build = fields.String()
    signoff_roles = fields.List(fields.String())
    planned_date = fields.Date(allow_none=True)
    domains = fields.List(fields.String())
    notes = fields.String()
    created_by = fields.String(attribute="created_by.username")
    created_at = UtcDateTime()
    status_changed_at = UtcDateTime()


class ReleaseDetailSchema(ReadModelSchema, ReleaseSchema):
    """A `verification.ReleaseDetail`: the release and the runs of it the reader sees."""

    RECORD = "release"
    runs = fields.List(fields.Nested(RunBriefSchema))


class RunCreateSchema(StrictSchema):
    environment = fields.String(required=True, validate=validate.OneOf(ENVIRONMENTS))
    region = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=12))
    tags = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=1000))
    domains = fields.List(fields.String(validate=LookupCode("domain")), load_default=list)
    requirements = fields.List(fields.String(validate=validate.Length(min=1, max=20)), load_default=list)
    scenario_ids = fields.List(fields.Integer(strict=True), load_default=list)


class TotalsSchema(Schema):
    """A run's scenarios counted by their current status, and `total`."""

    passed = fields.Integer()
    failed = fields.Integer()
    blocked = fields.Integer()
    skipped = fields.Integer()
    untested = fields.Integer()
    total = fields.Integer()


class RunSchema(ReadModelSchema, RunBriefSchema):
    """A `verification.RunSummary`: the run and its `totals` by status."""

    RECORD = "run"
    release = fields.String(attribute="release.version")
    selection = fields.Dict()
    created_by = fields.String(attribute="created_by.username")
    totals = fields.Nested(TotalsSchema)


class StepResultSchema(StrictSchema):
    index = fields.Integer(required=True, strict=True, validate=validate.Range(min=0))
    status = fields.String(required=True, validate=validate.OneOf(RESULT_STATUSES))


class ResultUpdateSchema(StrictSchema):
    status = fields.String(allow_none=True, validate=validate.OneOf(RESULT_STATUSES))
    steps = fields.List(fields.Nested(StepResultSchema))
    note = fields.String(validate=validate.Length(max=5000))
    defect = fields.String(validate=validate.Length(max=100))
    fed_back = fields.Boolean()


class BulkResultSchema(ResultUpdateSchema):
    scenario_id = fields.Integer(required=True, strict=True)


class StepOutSchema(Schema):
    """A `verification.StepResult`: `data_table`, `doc_string` and `error` only where the step has one."""

    OPTIONAL = ("data_table", "doc_string", "error")

    index = fields.Integer()
    keyword = fields.String()
    text = fields.String()
    status = fields.String()
    background = fields.Boolean()
    data_table = fields.List(fields.List(fields.String()))
    doc_string = fields.Dict()
    error = fields.String()

    @post_dump
    def _leave_out_absent(self, data: dict[str, Any], **kwargs) -> dict[str, Any]:
        for name in self.OPTIONAL:
            if data.get(name) is None:
                data.pop(name, None)
        return data


class EvidenceSchema(Schema):
    id = fields.Integer()
    filename = fields.String()
    size = fields.Integer()


class ResultRowSchema(Schema):
    """A `verification.ResultRow`: a run's scenario as frozen, with its current attempt."""

    scenario_id = fields.Integer(attribute="scenario.scenario_id")
    name = fields.String(attribute="scenario.name")
    example = fields.Dict(attribute="scenario.example", allow_none=True)
    status = fields.String(attribute="scenario.status")
    steps = fields.Nested(StepOutSchema, many=True)
    keyword = fields.String(attribute="scenario.keyword")
    feature_path = fields.String(attribute="scenario.feature_path")
    feature_name = fields.String(attribute="scenario.feature_name")
    examples_name = BlankAsNull(attribute="scenario.examples_name", allow_none=True)
    attempt = fields.Integer(attribute="scenario.attempt")
    set_directly = fields.Boolean(attribute="result.set_directly")
    note = fields.String(attribute="result.note")
    defect = fields.String(attribute="result.defect")
    fed_back = fields.Boolean(attribute="result.fed_back")
    source = BlankAsNull(attribute="result.source", allow_none=True)
    tester = fields.Pluck(UsernameSchema, "username", attribute="result.tester", allow_none=True)
    recorded_at = UtcDateTime(attribute="result.recorded_at")
    evidence = fields.Nested(EvidenceSchema, many=True)


def dump_result_records(records) -> list[dict[str, Any]]:
    """`ResultRowSchema(many=True)`'s answer, built from the plain rows of
    `verification.result_records` without a marshmallow pass per row and step: the results
    list answers a thousand rows at once. The rows are unpacked by position, in the order of
    that query's columns (a named attribute of a row costs far more than the tuple's item);
    `steps` is the JSON text stored with the attempt (`RunResult.steps_answer`), sent as is
    (`app.utils.json_bytes` writes a RawJSON without decoding it).
    tests/api/test_verification_api.py checks that both answer the same."""
    evidence = records.evidence
    return [{
        "scenario_id": scenario_id, "name": name, "example": example, "status": status,
        "steps": RawJSON(steps), "keyword": keyword, "feature_path": feature_path,
        "feature_name": feature_name, "examples_name": examples_name or None, "attempt": attempt,
        "set_directly": bool(set_directly), "note": note, "defect": defect, "fed_back": bool(fed_back),
        "source": source or None, "tester": tester, "recorded_at": iso_utc(recorded_at),
        "evidence": [{"id": e.id, "filename": e.filename, "size": e.size} for e in evidence.get(result_id, ())],
    } for (scenario_id, name, example, status, steps, keyword, feature_path, feature_name, examples_name, attempt,
           result_id, set_directly, note, defect, fed_back, source, recorded_at, tester)
        in records.page.items]


class AttemptSchema(Schema):
    """One attempt (a RunResult) at a scenario of a run; `steps` are its step marks."""

    attempt = fields.Integer()
    status = fields.String()
    set_directly = fields.Boolean()
    steps = fields.List(fields.Dict(), attribute="step_results")
    note = fields.String()
    defect = fields.String()
    fed_back = fields.Boolean()
    source = BlankAsNull(allow_none=True)
    tester = fields.Pluck(UsernameSchema, "username", allow_none=True)
    recorded_at = UtcDateTime()


RESULTS_PER_PAGE_MAX = 1000


class ResultQuerySchema(PageQuerySchema):
    """`status` filters; `page` and `per_page` (as on every list) cut the rows into pages. Without
    either, every row is answered, as this endpoint always has (see RunResults.get). A page may
    hold up to 1,000 rows (a regression run is read a thousand rows at a time)."""

    class Meta:
        unknown = "exclude"

    status = fields.String(validate=validate.OneOf(RESULT_STATUSES + ("failures",)))
    page = fields.Integer(validate=validate.Range(min=1))
    per_page = fields.Integer(validate=validate.Range(min=1, max=RESULTS_PER_PAGE_MAX))

    @post_load
    def _one_page_or_every_row(self, data: dict[str, Any], **kwargs) -> dict[str, Any]:
        if "page" in data or "per_page" in data:
            data.setdefault("page", 1)
            data.setdefault("per_page", Config.PER_PAGE_DEFAULT)
        return data


class RecordedSchema(Schema):
    """A bulk record (`verification.Recorded`): how many results, and the run's totals after."""

    updated = fields.Integer(attribute="count")
    totals = fields.Nested(TotalsSchema)


class RerunAnswerSchema(Schema):
    """A re-run (`verification.Recorded`): how many scenarios got a new attempt, and the totals."""

    rerun = fields.Integer(attribute="count")
    totals = fields.Nested(TotalsSchema)


class RerunSchema(StrictSchema):
    scenario_ids = fields.List(fields.Integer(strict=True), load_default=list)


class ImportAnswerSchema(Schema):
    """A `verification.ImportSummary`."""

    format = fields.String()
    matched = fields.Integer()
    unmatched = fields.List(fields.String())
    passed = fields.Integer()
    failed = fields.Integer()
    blocked = fields.Integer()
    skipped = fields.Integer()

