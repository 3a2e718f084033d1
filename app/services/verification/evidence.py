"""Evidence files attached to a result (screenshots, logs), stored under instance/evidence."""
from __future__ import annotations

import os
from typing import BinaryIO

from sqlalchemy import select

from app.extensions import db
from app.models import (
    Evidence,
    Run,
    RunResult,
    RunScenario,
    User,
)
from app.services import files, permissions
from app.services.errors import Msg
from app.services.uow import unit_of_work
from app.services.verification.reading import result_row
from app.services.verification.runs import require_run


def evidence_dir() -> str:
    return files.folder("evidence")


def add_evidence(actor: User, run: Run, scenario_id: int, filename: str, stream: BinaryIO,
                 content_type: str | None) -> Evidence:
    require_run(actor, run, "record_results")
    row = result_row(run, scenario_id)
    # the file is removed again if the transaction fails (the commit happens inside the upload)
    with files.stored_upload("evidence", filename, stream, content_type) as stored, unit_of_work():
        evidence = Evidence(
            run_result_id=row.result.id, filename=stored.filename, stored_name=stored.stored_name,
            content_type=stored.content_type, size=stored.size, uploaded_by_id=actor.id,
        )
        db.session.add(evidence)
    return evidence


def get_evidence_for(user: User, evidence_id: int) -> tuple[Evidence, str]:
    evidence = permissions.fetch(None, Evidence, evidence_id, not_found=Msg("Evidence not found."))
    run = db.session.scalar(
        select(Run).join(RunScenario, RunScenario.run_id == Run.id).join(RunResult, RunResult.run_scenario_id == RunScenario.id)
        .where(RunResult.id == evidence.run_result_id)
    )
    permissions.check(user, run, not_found=Msg("Evidence not found."))
    return evidence, os.path.join(evidence_dir(), evidence.stored_name)
