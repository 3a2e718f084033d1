"""A release's upgrade application (全省版本升级申请) with its emergency plan (应急预案), and the
upgrade announcement (升级公告) to the city and county bureaus and budget units.

The application is generated from the release (version, build, domains, requirements with
their verdicts, acceptance result and report) plus seven sections the managers write; moving
the release to `upgrade_requested` needs all seven (`require_complete`, called by
app.services.releases.transition). Sections can be drafted from planning until the upgrade
starts; once the upgrade is requested no section may be emptied again.

The announcement is drafted from the release and its window, edited, and published; published
announcements are listed for every signed-in user, newest first.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.extensions import db
from app.models import Announcement, Release, UpgradeApplication, User
from app.services import paging, permissions
from app.services.errors import Conflict, Msg, ValidationFailed
from app.services.releases import lifecycle
from app.services.uow import unit_of_work
from app.services.workflow import LazyJoin
from app.utils import utcnow

SECTIONS = ("scope", "risks", "criteria", "method", "rollback", "tracking", "contacts")
SECTION_LABELS = {
    "scope": _l("Upgrade scope"),
    "risks": _l("Risk analysis"),
    "criteria": _l("Verification pass and fail criteria"),
    "method": _l("Upgrade method and steps"),
    "rollback": _l("Rollback method"),
    "tracking": _l("Problem tracking"),
    "contacts": _l("Contacts"),
}
# the official documents are Chinese whatever the reader's language
SECTION_ZH = {
    "scope": "升级范围", "risks": "风险分析", "criteria": "验证通过和失败准则", "method": "升级方法",
    "rollback": "回退方案", "tracking": "问题跟踪", "contacts": "联系人",
}
SECTION_MAX = 20000
# the application may be written until the upgrade starts
EDITABLE = ("planned", "in_acceptance", "rejected", "accepted", "upgrade_requested", "scheduled")
# once requested, the sections stay filled
REQUESTED = ("upgrade_requested", "scheduled")
# the announcement is written once the upgrade is requested, and kept up to date during it
ANNOUNCEABLE = ("upgrade_requested", "scheduled", "rolling_out")
TITLE_MAX = 200
BODY_MAX = 20000


def section_label(key: str) -> str:
    return str(SECTION_LABELS.get(key, key))


# --- the application ---------------------------------------------------------------------


@dataclass
class Application:
    """The application as read: the release's generated part and the stored sections."""

    release: Release
    sections: dict[str, str]
    requirements: list[dict[str, Any]]
    acceptance: dict[str, Any]
    updated_at: datetime | None = None
    updated_by: User | None = None
    empty: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.empty


def stored(release: Release) -> UpgradeApplication | None:
    return db.session.scalar(select(UpgradeApplication).where(UpgradeApplication.release_id == release.id))


def empty_sections(row: UpgradeApplication | None) -> list[str]:
    return [key for key in SECTIONS if row is None or not (getattr(row, key) or "").strip()]


def application_of(release: Release, reader: User | None = None) -> Application:
    """The release's application: generated part from the acceptance report (as signed once
    accepted), sections as stored (empty while none is written). With a `reader`, the
    requirements are those in the reader's region (as GET /releases/<id>/requirements); the
    .docx, like the acceptance report's, carries the whole release."""
    from app.models import Requirement
    from app.services.releases import report

    data = report.report_of(release)
    rows = data["requirements"]
    if reader is not None and rows:
        visible = set(db.session.scalars(select(Requirement.id).where(
            Requirement.id.in_([r["id"] for r in rows]), permissions.region_clause(reader, Requirement.region_id))))
        rows = [r for r in rows if r["id"] in visible]
    row = stored(release)
    accepted = bool(data.get("frozen_at"))
    return Application(
        release=release,
        sections={key: (getattr(row, key) if row else "") or "" for key in SECTIONS},
        requirements=[{"code": r["code"], "title": r["title"], "domain": r.get("domain"), "verdict": r["verdict"],
                       "removed": r["removed"]} for r in rows],
        acceptance={"result": "passed" if accepted else ("failed" if release.status == "rejected" else "pending"),
                    "accepted_at": data.get("frozen_at"), "totals": data.get("totals", {})},
        updated_at=row.updated_at if row else None,
        updated_by=row.updated_by if row else None,
        empty=empty_sections(row),
    )


def save(actor: User, release: Release, data: dict[str, Any]) -> Application:
    """Write some or all sections (managers). 409 once the upgrade started; 422 naming a
    section emptied after the upgrade was requested. Nothing is written on refusal."""
    permissions.require(actor, "manage_releases")
    from app.services.releases import _event, _lock

    changes = {key: (data[key] or "").strip() for key in SECTIONS if key in data}
    for key, value in changes.items():
        if len(value) > SECTION_MAX:
            raise ValidationFailed.field(key, Msg("At most %(n)s characters.", n=SECTION_MAX))
    with unit_of_work(Msg("Release %(version)s was changed by someone else meanwhile; reload.",
                          version=release.version)):
        _lock(release)
        if release.status not in EDITABLE:
            raise Conflict(Msg("Release %(version)s is '%(status)s' (%(label)s): the upgrade application can no "
                               "longer be changed.", version=release.version, status=release.status,
                               label=lifecycle.STATUS_LABELS[release.status]))
        if release.status in REQUESTED:
            emptied = [key for key, value in changes.items() if not value]
            if emptied:
                raise ValidationFailed(
                    Msg("The upgrade has been requested: %(sections)s cannot be emptied.",
                        sections=LazyJoin([SECTION_LABELS[k] for k in emptied])),
                    {key: [Msg("The upgrade has been requested: this section cannot be emptied.")]
                     for key in emptied})
        row = stored(release)
        if row is None:
            row = UpgradeApplication(release_id=release.id, **{key: "" for key in SECTIONS})
            db.session.add(row)
        changed = [key for key, value in changes.items() if value != (getattr(row, key) or "")]
        for key in changed:
            setattr(row, key, changes[key])
        if changed:
            row.updated_by_id = actor.id
            row.updated_at = utcnow()
            _event(release, actor, "application_edited", sections=changed)
    db.session.refresh(row)
    return application_of(release, actor)


def require_complete(release: Release) -> None:
    """Moving to `upgrade_requested` needs every section (409 naming the empty ones)."""
    empty = empty_sections(stored(release))
    if empty:
        labels = LazyJoin([SECTION_LABELS[k] for k in empty])
        raise Conflict(
            Msg("Fill in the upgrade application of release %(version)s before requesting the upgrade; empty "
                "sections: %(keys)s (%(labels)s).", version=release.version, keys=", ".join(empty), labels=labels),
            {key: [Msg("The section '%(section)s' of the upgrade application is empty.", section=SECTION_LABELS[key])]
             for key in empty})


# --- the announcement --------------------------------------------------------------------


@dataclass
class AnnouncementView:
    """The announcement as read: stored, or drafted from the release and window."""

    release: Release
    title: str
    body: str
    drafted: bool
    published_at: datetime | None = None
    published_by: User | None = None
    updated_at: datetime | None = None
    id: int | None = None

    @property
    def published(self) -> bool:
        return self.published_at is not None


def _announcement_row(release: Release) -> Announcement | None:
    return db.session.scalar(select(Announcement).where(Announcement.release_id == release.id))


def draft(release: Release) -> tuple[str, str]:
    """The announcement drafted from the release and its window (Chinese: it goes to the bureaus)."""
    from app.services import reference
    from app.services.documents.word import cn_date
    from app.services.meetings.times import local
    from app.services.releases.upgrade import window_of

    domain_zh = reference.all_labels(english=False).get("domain", {})
    window = window_of(release)
    title = f"关于{release.version}迭代版本升级的公告"
    domains = "、".join(domain_zh.get(d, d) for d in release.domains or []) or "相关"
    if window is not None:
        start, end = local(window.starts_at), local(window.ends_at)
        when = f"{cn_date(start)} {start:%H:%M}至{cn_date(end)} {end:%H:%M}"
    else:
        when = "（升级窗口待定）"
    name = f"（{release.name}）" if release.name else ""
    body = (
        "各市、县（区）财政局，各预算单位：\n"
        f"“数字财政”平台{release.version}迭代版本{name}已在验收环境完成验收测试，"
        f"经省“数字财政”专班同意，定于{when}对生产环境进行版本升级，涉及{domains}领域。"
        "升级期间相关功能将暂停使用，请各单位提前做好业务安排，避开升级时段办理业务。\n"
        "升级完成后如发现问题，请及时联系驻场运维工程师或拨打运维服务热线反馈。\n"
        "特此公告。"
    )
    return title, body


def announcement_of(release: Release) -> AnnouncementView:
    row = _announcement_row(release)
    if row is None:
        title, body = draft(release)
        return AnnouncementView(release=release, title=title, body=body, drafted=True)
    return AnnouncementView(release=release, title=row.title, body=row.body, drafted=False,
                            published_at=row.published_at, published_by=row.published_by,
                            updated_at=row.updated_at, id=row.id)


def save_announcement(actor: User, release: Release, data: dict[str, Any]) -> AnnouncementView:
    """Write the announcement (managers) and publish it (`publish` true; needs the window) or
    take it back (`publish` false). 409 outside upgrade_requested … rolling_out."""
    permissions.require(actor, "manage_releases")
    from app.services.releases import _event, _lock
    from app.services.releases.upgrade import window_of

    title = (data.get("title") or "").strip() if "title" in data else None
    body = (data.get("body") or "").strip() if "body" in data else None
    if title is not None and not title:
        raise ValidationFailed.field("title", Msg("The announcement needs a title."))
    if title is not None and len(title) > TITLE_MAX:
        raise ValidationFailed.field("title", Msg("At most %(n)s characters.", n=TITLE_MAX))
    if body is not None and not body:
        raise ValidationFailed.field("body", Msg("The announcement needs a text."))
    if body is not None and len(body) > BODY_MAX:
        raise ValidationFailed.field("body", Msg("At most %(n)s characters.", n=BODY_MAX))
    publish = data.get("publish")
    with unit_of_work(Msg("Release %(version)s was changed by someone else meanwhile; reload.",
                          version=release.version)):
        _lock(release)
        if release.status not in ANNOUNCEABLE:
            raise Conflict(Msg("Release %(version)s is '%(status)s' (%(label)s): the announcement is written once "
                               "the upgrade is requested and until the upgrade ends.", version=release.version,
                               status=release.status, label=lifecycle.STATUS_LABELS[release.status]))
        row = _announcement_row(release)
        if row is None:
            draft_title, draft_body = draft(release)
            row = Announcement(release_id=release.id, title=draft_title, body=draft_body)
            db.session.add(row)
        if title is not None:
            row.title = title
        if body is not None:
            row.body = body
        row.updated_by_id = actor.id
        row.updated_at = utcnow()
        if publish is True and row.published_at is None:
            if window_of(release) is None:
                raise Conflict(Msg("Set the upgrade window of release %(version)s before publishing its "
                                   "announcement.", version=release.version),
                               {"publish": [Msg("No upgrade window is set.")]})
            row.published_at = utcnow()
            row.published_by_id = actor.id
            _event(release, actor, "announcement_published", title=row.title)
        elif publish is False and row.published_at is not None:
            row.published_at = None
            row.published_by_id = None
            _event(release, actor, "announcement_withdrawn", title=row.title)
    db.session.refresh(row)
    return announcement_of(release)


def published(user: User, page: int, per_page: int) -> paging.Page:
    """Published announcements, newest first (every signed-in user reads them)."""
    permissions.require(user, "view")
    return paging.paginate(
        select(Announcement).where(Announcement.published_at.is_not(None))
        .order_by(Announcement.published_at.desc(), Announcement.id.desc()), page, per_page)
