"""Review meetings (需求评审会): agenda, attendees, minutes, decisions, feedback, amendments."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.reference import Region
from app.models.requirement import Requirement
from app.models.user import User
from app.utils import utcnow

MEETING_STATUSES = ("draft", "finalised")
# Who attends a review meeting (API codes; labels live with the services and documents).
ORGANIZATIONS = ("provincial_team", "taskforce", "requirement_management", "onsite_engineering", "other")
# An agenda item's decision; each is also the requirement status it moves to.
DECISIONS = ("approved", "rejected", "needs_info", "deferred")


class Meeting(db.Model):
    """A review meeting. `region` is the organiser's: it decides who may see the meeting."""

    __tablename__ = "meeting"
    __table_args__ = (
        Index("ix_meeting_region_scheduled", "region_id", "scheduled_at"),
        Index("ix_meeting_scheduled", "scheduled_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    scheduled_at: Mapped[datetime]  # naive UTC, like every stored time
    duration_minutes: Mapped[int] = mapped_column(default=120)
    location: Mapped[str] = mapped_column(String(200), default="")
    video_link: Mapped[str] = mapped_column(String(500), default="")
    organiser_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), index=True, default="draft")
    summary: Mapped[str] = mapped_column(Text, default="")
    summary_saved_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    finalised_at: Mapped[datetime | None]
    finalised_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    version: Mapped[int] = mapped_column(default=1)

    organiser: Mapped[User] = relationship(foreign_keys=[organiser_id], lazy="joined")
    finalised_by: Mapped[User | None] = relationship(foreign_keys=[finalised_by_id])
    region: Mapped[Region] = relationship(lazy="joined")
    agenda_items: Mapped[list[AgendaItem]] = relationship(
        back_populates="meeting", order_by="AgendaItem.position", cascade="all, delete-orphan"
    )
    attendees: Mapped[list[Attendee]] = relationship(order_by="Attendee.id", cascade="all, delete-orphan")
    action_items: Mapped[list[ActionItem]] = relationship(order_by="ActionItem.id", cascade="all, delete-orphan")
    amendments: Mapped[list[MeetingAmendment]] = relationship(
        order_by="MeetingAmendment.id", cascade="all, delete-orphan"
    )

    # The version guards the meeting's own fields (title, time, place: the edit form and PATCH)
    # and finalising. The services bump it by hand, so autosaved notes/summary and agenda
    # changes do not make an open edit form stale.
    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}

    @property
    def finalised(self) -> bool:
        return self.status == "finalised"


class AgendaItem(db.Model):
    """One requirement on a meeting's agenda: its discussion notes and its decision."""

    __tablename__ = "meeting_agenda_item"
    __table_args__ = (
        UniqueConstraint("meeting_id", "requirement_id", name="uq_meeting_agenda_item_meeting_requirement"),
        Index("ix_meeting_agenda_item_meeting_position", "meeting_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"))
    requirement_id: Mapped[int] = mapped_column(ForeignKey("requirement.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    notes: Mapped[str] = mapped_column(Text, default="")
    notes_saved_at: Mapped[datetime | None]
    decision: Mapped[str | None] = mapped_column(String(16), index=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    target: Mapped[str] = mapped_column(String(200), default="")
    until: Mapped[date | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    decided_at: Mapped[datetime | None]
    added_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The requirement's status when it was put on the agenda and when the decision was
    # recorded: finalising refuses to apply a decision to a requirement that moved since.
    status_when_added: Mapped[str | None] = mapped_column(String(24))
    status_when_decided: Mapped[str | None] = mapped_column(String(24))

    meeting: Mapped[Meeting] = relationship(back_populates="agenda_items")
    requirement: Mapped[Requirement] = relationship(lazy="joined")
    decided_by: Mapped[User | None] = relationship()


class Attendee(db.Model):
    __tablename__ = "meeting_attendee"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    organization: Mapped[str] = mapped_column(String(32), index=True)
    role: Mapped[str] = mapped_column(String(100), default="")
    present: Mapped[bool] = mapped_column(default=True)


class ActionItem(db.Model):
    """A to-do (待办) agreed at the meeting."""

    __tablename__ = "meeting_action_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(100))
    due: Mapped[date | None] = mapped_column(index=True)
    requirement_id: Mapped[int | None] = mapped_column(ForeignKey("requirement.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)

    requirement: Mapped[Requirement | None] = relationship(lazy="joined")


class Feedback(db.Model):
    """Feedback to a requirement's proposers: what a meeting decided (rejected / needs_info) and
    why, or (decision `duplicate`, no meeting) that the proposer's requirement was merged into
    `original`, one record per merged proposer."""

    __tablename__ = "requirement_feedback"
    __table_args__ = (Index("ix_requirement_feedback_req", "requirement_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    requirement_id: Mapped[int] = mapped_column(ForeignKey("requirement.id"))
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meeting.id"), index=True)
    proposer_id: Mapped[int | None] = mapped_column(ForeignKey("requirement_proposer.id"), index=True)
    original_id: Mapped[int | None] = mapped_column(ForeignKey("requirement.id"), index=True)
    decision: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)

    meeting: Mapped[Meeting | None] = relationship(lazy="joined")
    requirement: Mapped[Requirement] = relationship(foreign_keys=[requirement_id])
    original: Mapped[Requirement | None] = relationship(foreign_keys=[original_id])


class MeetingAmendment(db.Model):
    """A correction to finalised minutes: appended, never a silent rewrite."""

    __tablename__ = "meeting_amendment"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)

    author: Mapped[User] = relationship(lazy="joined")
