"""Reference data: regions and lookups, read by everyone, managed by admins."""
from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import LOOKUP_KINDS, Lookup, Region, User
from app.services import audit, permissions
from app.services.errors import Conflict, Msg, NotFound, ValidationFailed
from app.services.uow import unit_of_work


def lookups(kind: str, include_inactive: bool = False) -> list[Lookup]:
    stmt = select(Lookup).where(Lookup.kind == kind)
    if not include_inactive:
        stmt = stmt.where(Lookup.active.is_(True))
    return list(db.session.scalars(stmt.order_by(Lookup.sort_order, Lookup.id)))


def labels(kind: str) -> dict[str, str]:
    """code -> label for one kind (inactive ones too, so old items still read well)."""
    return {row.code: row.label for row in lookups(kind, include_inactive=True)}


def all_labels(english: bool = False) -> dict[str, dict[str, str]]:
    """kind -> code -> label (the English label where asked for and given)."""
    rows = db.session.scalars(select(Lookup).order_by(Lookup.kind, Lookup.sort_order, Lookup.id))
    result: dict[str, dict[str, str]] = {kind: {} for kind in LOOKUP_KINDS}
    for row in rows:
        result.setdefault(row.kind, {})[row.code] = (row.label_en or row.label) if english else row.label
    return result


def region_names() -> dict[str, str]:
    return {code: name for code, name in db.session.execute(select(Region.code, Region.name))}


def is_valid_code(kind: str, code: str, include_inactive: bool = False) -> bool:
    stmt = select(Lookup.id).where(Lookup.kind == kind, Lookup.code == code)
    if not include_inactive:
        stmt = stmt.where(Lookup.active.is_(True))
    return db.session.scalar(stmt) is not None


def regions(root: Region | None = None) -> list[Region]:
    stmt = select(Region).order_by(Region.path)
    if root is not None:
        stmt = stmt.where(Region.path.startswith(root.path))
    return list(db.session.scalars(stmt))


def region_by_code(code: str) -> Region | None:
    return db.session.scalar(select(Region).where(Region.code == code))


def _region_level_for(parent: Region | None, level: str | None) -> str:
    if parent is None:
        return "province"
    if level:
        return level
    return "city" if parent.level == "province" else "county"


def upsert_region(code: str, name: str, parent_code: str | None, level: str | None = None) -> Region:
    """Create or rename a region (no commit: the caller owns the transaction)."""
    parent = None
    if parent_code:
        parent = region_by_code(parent_code)
        if parent is None:
            raise ValidationFailed.field("parent", Msg("Unknown parent region '%(code)s'.", code=parent_code))
    region = region_by_code(code)
    if region is None:
        region = Region(
            code=code,
            name=name,
            level=_region_level_for(parent, level),
            parent=parent,
            path=(parent.path if parent else "/") + code + "/",
        )
        db.session.add(region)
    else:
        region.name = name
    db.session.flush()
    return region


def create_region(actor: User, data: dict) -> Region:
    permissions.require(actor, "manage_reference")
    if region_by_code(data["code"]) is not None:
        raise Conflict(Msg("Region %(code)s exists.", code=data["code"]), {"code": ["This code is taken."]})
    if not data.get("parent"):
        raise ValidationFailed.field("parent", Msg("A region needs a parent region."))
    with unit_of_work():
        region = upsert_region(data["code"], data["name"], data["parent"], data.get("level"))
        audit.record("settings", "region", region.code, region.name, None, _region_fields(region), actor=actor)
    return region


def update_region(actor: User, code: str, data: dict) -> Region:
    permissions.require(actor, "manage_reference")
    region = region_by_code(code)
    if region is None:
        raise NotFound(Msg("Region %(code)s not found.", code=code))
    before = _region_fields(region)
    with unit_of_work():
        if "name" in data:
            region.name = data["name"]
        if "active" in data:
            region.active = data["active"]
        audit.record("settings", "region", region.code, region.name, *audit.changes(before, _region_fields(region)),
                     actor=actor)
    return region


def _region_fields(region: Region) -> dict:
    return {"name": region.name, "active": bool(region.active), "level": region.level}


def upsert_lookup(kind: str, code: str, label: str, label_en: str = "", sort_order: int = 0) -> Lookup:
    row = db.session.scalar(select(Lookup).where(Lookup.kind == kind, Lookup.code == code))
    if row is None:
        row = Lookup(kind=kind, code=code, label=label, label_en=label_en, sort_order=sort_order)
        db.session.add(row)
    return row


def create_lookup(actor: User, kind: str, data: dict) -> Lookup:
    permissions.require(actor, "manage_reference")
    if kind not in LOOKUP_KINDS:
        raise NotFound(Msg("No reference list '%(kind)s'.", kind=kind))
    exists = db.session.scalar(select(Lookup).where(Lookup.kind == kind, Lookup.code == data["code"]))
    if exists is not None:
        raise Conflict(Msg("%(kind)s '%(code)s' exists.", kind=kind, code=data["code"]), {"code": ["This code is taken."]})
    with unit_of_work():
        row = Lookup(kind=kind, **data)
        db.session.add(row)
        db.session.flush()
        audit.record("settings", "lookup", f"{kind}:{row.code}", row.label, None, _lookup_fields(row), actor=actor)
    return row


def update_lookup(actor: User, kind: str, code: str, data: dict) -> Lookup:
    """Labels, order and the active flag are editable; the code never changes."""
    permissions.require(actor, "manage_reference")
    row = db.session.scalar(select(Lookup).where(Lookup.kind == kind, Lookup.code == code))
    if row is None:
        raise NotFound(Msg("%(kind)s '%(code)s' not found.", kind=kind, code=code))
    before = _lookup_fields(row)
    with unit_of_work():
        for field, value in data.items():
            setattr(row, field, value)
        audit.record("settings", "lookup", f"{kind}:{row.code}", row.label, *audit.changes(before, _lookup_fields(row)),
                     actor=actor)
    return row


def _lookup_fields(row: Lookup) -> dict:
    return {"label": row.label, "label_en": row.label_en or "", "sort_order": row.sort_order,
            "active": bool(row.active)}
