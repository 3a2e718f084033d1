"""Paging for every list (API and pages): one page of a select, counted, in two steps.

`paginate` is the only way a list is cut into pages; `every` is the explicit "all rows" for the
few places that really need them (a feature's own scenarios), so no list is capped silently.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from app.extensions import db


@dataclass
class Page:
    items: list
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def has_prev(self) -> bool:
        return self.page > 1


def paginate(stmt, page: int, per_page: int, total: int | None = None) -> Page:
    """One page of a select of one entity, in two steps: the page's ids first (filtering and
    sorting touch only the table and its indexes, no eager-loaded joins), then those rows.
    `total`, when the caller has a cheaper way to count the select's rows."""
    if total is None:
        total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    offset = (page - 1) * per_page
    descriptions = stmt.column_descriptions
    entity = descriptions[0].get("entity") if len(descriptions) == 1 else None
    if entity is None or not hasattr(entity, "id"):
        items = list(db.session.scalars(stmt.limit(per_page).offset(offset)).unique())
        return Page(items=items, total=total, page=page, per_page=per_page)
    ids = list(db.session.scalars(stmt.with_only_columns(entity.id).limit(per_page).offset(offset)))
    return Page(items=load(entity, ids), total=total, page=page, per_page=per_page)


def load(entity, ids: list[int]) -> list:
    """The rows of `entity` with these ids, in their order (with the model's eager loads)."""
    if not ids:
        return []
    rows = {row.id: row for row in db.session.scalars(select(entity).where(entity.id.in_(ids))).unique()}
    return [rows[i] for i in ids if i in rows]


def every(stmt) -> list[Any]:
    """All rows of a select, uncut: for lists bounded by nature (one feature's scenarios)."""
    return list(db.session.scalars(stmt).unique())
