"""Releases, verification runs and their results: each use case one transaction.

One module per part; this package re-exports their public API (`from app.services import
verification` then `verification.record(...)`):

- `releases`       create and list releases; one with the runs its reader sees
- `runs`           select scenarios, start a run (scenarios frozen), load a run, totals
- `reading`        a run's results: rows for the pages, plain rows for the API's list
- `recording`      record one result or many (all or nothing, locked), re-run failures
- `report_import`  Cucumber JSON / Messages and JUnit XML reports into a run
- `evidence`       files attached to a result

Scope: a run without a region belongs to everyone; a run for a region is seen by users of
that region, of its ancestors (the province) and of its descendants (its counties). Outside
scope answers 404; a missing role 403 (app.services.permissions).
"""
from app.services.verification.evidence import (  # noqa: F401
    add_evidence,
    evidence_dir,
    get_evidence_for,
)
from app.services.verification.reading import (  # noqa: F401
    RECORD_FIELDS,
    ResultRecords,
    ResultRow,
    StepResult,
    attempts,
    result_page,
    result_position,
    result_records,
    result_row,
    result_rows,
)
from app.services.verification.recording import (  # noqa: F401
    Recorded,
    apply_results,
    record,
    record_many,
    rerun,
)
from app.services.verification.releases import (  # noqa: F401
    ReleaseDetail,
    create_release,
    get_release,
    release_detail,
    releases,
    runs_of,
)
from app.services.verification.report_import import (  # noqa: F401
    REPORT_TYPES_BY_EXTENSION,
    ImportSummary,
    import_report,
)
from app.services.verification.runs import (  # noqa: F401
    RETRY_STATUSES,
    RunSummary,
    chunks,
    create_run,
    get_run,
    require_run,
    select_scenarios,
    summary,
    totals,
)
