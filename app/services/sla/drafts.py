"""The message to the proposer, drafted from a feedback record (issue 10): what was decided, why,
what happens next and the requirement's code, in Chinese (the proposer's language, whatever the
engineer's page language), for the engineer to send by 粤政易, phone or SMS and then record as
delivered (`sla.deliver_feedback`, which stops the `feedback` clock).

A status link's token is shown only once (only its hash is stored), so the draft carries a
placeholder where an active link goes; the page's copy button puts the link in when it was just
created, otherwise the engineer pastes it (or creates a new one).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from flask_babel import force_locale, format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.extensions import db
from app.models import Feedback, FeedbackDelivery, Proposer, Requirement, User
from app.services import permissions, share_links, workflow
from app.services.errors import Msg, NotFound

DECISION_TEXT = {
    "rejected": _l("not adopted for now"),
    "needs_info": _l("more information is needed"),
}
NEXT_STEPS = {
    "rejected": _l("Next: the requirement will not be developed for now and this record is closed. If you disagree "
                   "or the situation changes, tell us and it will be assessed again."),
    "needs_info": _l("Next: please send us the information asked for above; once it arrives the requirement is "
                     "assessed again."),
}


def link_placeholder() -> str:
    with force_locale(_locale()):
        return _("[status link]")


@dataclass(frozen=True)
class Draft:
    feedback_id: int
    requirement_id: int
    code: str
    decision: str
    text: str
    # an active status link exists: the text carries `link_placeholder` where it goes
    share_link_active: bool
    share_link_expires_at: datetime | None
    link_placeholder: str
    delivered: bool
    delivery: FeedbackDelivery | None = None


def _locale() -> str:
    return current_app.config.get("MAIL_LOCALE", "zh_Hans_CN")


def _salutation(req: Requirement, feedback: Feedback) -> str:
    name = ""
    if feedback.proposer_id:
        proposer = db.session.get(Proposer, feedback.proposer_id)
        name = proposer.name if proposer else ""
    name = name or req.proposer_name
    return _("Dear %(name)s,", name=name) if name else _("Hello,")


def text(req: Requirement, feedback: Feedback, link_expires_at: datetime | None) -> str:
    """The message in Chinese; `link_expires_at` when the requirement has an active status link."""
    with force_locale(_locale()):
        date = format_date(feedback.created_at, "long")
        if feedback.decision == "duplicate":
            original = feedback.original.code if feedback.original else ""
            intro = _("Your requirement “%(title)s” (code %(code)s) is the same as requirement %(original)s "
                      "filed earlier, and was merged into it on %(date)s.", title=req.title, code=req.code,
                      original=original, date=date)
            next_step = _("Next: it is followed together with %(original)s, and you will be told of its progress.",
                          original=original)
        else:
            decision = str(DECISION_TEXT.get(feedback.decision, workflow.label_lazy(feedback.decision)))
            if feedback.meeting is not None:
                intro = _("About your requirement “%(title)s” (code %(code)s): the review meeting “%(meeting)s” "
                          "of %(date)s decided: %(decision)s.", title=req.title, code=req.code,
                          meeting=feedback.meeting.title, date=date, decision=decision)
            else:
                intro = _("About your requirement “%(title)s” (code %(code)s): on %(date)s it was decided: "
                          "%(decision)s.", title=req.title, code=req.code, date=date, decision=decision)
            next_step = str(NEXT_STEPS.get(feedback.decision, _("Next: we will keep you informed of its progress.")))
        parts = [_salutation(req, feedback), intro]
        if feedback.reason:
            parts.append(_("Reason: %(reason)s", reason=feedback.reason))
        parts.append(next_step)
        if link_expires_at is not None:
            parts.append(_("You can follow its progress at %(link)s (valid until %(date)s).",
                           link=_("[status link]"), date=format_date(link_expires_at, "long")))
        parts.append(_("Thank you for supporting the digital finance platform."))
    return "\n".join(parts)


def _draft(req: Requirement, feedback: Feedback, link, delivery: FeedbackDelivery | None) -> Draft:
    expires = link.expires_at if link is not None else None
    return Draft(feedback.id, req.id, req.code, feedback.decision, text(req, feedback, expires), link is not None,
                 expires, link_placeholder(), delivery is not None, delivery)


def drafts(req: Requirement) -> list[Draft]:
    """Every feedback record of the requirement with its draft and delivery, oldest first (for
    its page; the caller has checked the reader may see it)."""
    link = share_links.active_link(req)
    rows = db.session.execute(
        select(Feedback, FeedbackDelivery)
        .outerjoin(FeedbackDelivery, FeedbackDelivery.feedback_id == Feedback.id)
        .where(Feedback.requirement_id == req.id)
        .order_by(Feedback.id)).all()
    return [_draft(req, feedback, link, delivery) for feedback, delivery in rows]


def feedback_draft(user: User, requirement_id: int, feedback_id: int) -> Draft:
    """One feedback record's draft (404 outside the region or not this requirement's)."""
    req = permissions.fetch(user, Requirement, requirement_id, not_found=Msg("Requirement not found."))
    feedback = db.session.get(Feedback, feedback_id) if 0 < feedback_id <= permissions.MAX_ID else None
    if feedback is None or feedback.requirement_id != req.id:
        raise NotFound(Msg("Feedback %(id)s not found on this requirement.", id=feedback_id))
    return _draft(req, feedback, share_links.active_link(req), db.session.get(FeedbackDelivery, feedback_id))
