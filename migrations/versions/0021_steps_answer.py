"""a result's steps as the API answers them, stored with its marks (issue 12)

Revision ID: 0021_steps_answer
Revises: 0020_export_jobs

`run_result.steps_answer` holds the JSON text of the scenario's frozen steps with the attempt's
marks (app.services.results.step_items), so the results list sends a page of a thousand rows
without decoding and re-encoding ten thousand steps. Existing results are filled in here; the
shape is copied from step_items because a migration must not import the application (its code
moves on, this history does not). tests/test_migrations.py checks both build the same text.
"""
import json

from alembic import op
import sqlalchemy as sa

revision = "0021_steps_answer"
down_revision = "0020_export_jobs"
branch_labels = None
depends_on = None

BATCH = 1000


def step_items(steps, marks):
    marks = marks or ()
    answer = []
    for index, step in enumerate(steps or ()):
        mark = marks[index] if index < len(marks) else None
        item = {"index": index, "keyword": step["keyword"], "text": step["text"],
                "status": mark.get("status", "untested") if mark else "untested",
                "background": bool(step.get("background"))}
        if step.get("data_table"):
            item["data_table"] = step["data_table"]
        if step.get("doc_string"):
            item["doc_string"] = step["doc_string"]
        if mark and mark.get("error"):
            item["error"] = mark["error"]
        answer.append(item)
    return answer


def as_text(items):
    """UTF-8 JSON text; a lone surrogate stored before input was cleaned stays an escape."""
    text = json.dumps(items, ensure_ascii=False, separators=(",", ":"))
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = json.dumps(items, separators=(",", ":"))
    return text


def upgrade():
    with op.batch_alter_table("run_result") as batch:
        batch.add_column(sa.Column("steps_answer", sa.Text(), nullable=True))
    bind = op.get_bind()
    run_scenario = sa.table("run_scenario", sa.column("id", sa.Integer), sa.column("steps", sa.JSON))
    run_result = sa.table("run_result", sa.column("id", sa.Integer), sa.column("run_scenario_id", sa.Integer),
                          sa.column("step_results", sa.JSON), sa.column("steps_answer", sa.Text))
    last = 0
    while True:
        rows = bind.execute(
            sa.select(run_result.c.id, run_scenario.c.steps, run_result.c.step_results)
            .join(run_scenario, run_scenario.c.id == run_result.c.run_scenario_id)
            .where(run_result.c.id > last).order_by(run_result.c.id).limit(BATCH)
        ).all()
        if not rows:
            break
        bind.execute(
            run_result.update().where(run_result.c.id == sa.bindparam("result_id"))
            .values(steps_answer=sa.bindparam("answer")),
            [{"result_id": r.id, "answer": as_text(step_items(r.steps, r.step_results))} for r in rows],
        )
        last = rows[-1].id
    with op.batch_alter_table("run_result") as batch:
        batch.alter_column("steps_answer", existing_type=sa.Text(), nullable=False)


def downgrade():
    with op.batch_alter_table("run_result") as batch:
        batch.drop_column("steps_answer")
