"""The roles as people read them: one list for pages, documents and messages.

Each name is a `Msg`: English in the API and logs, translated on pages (and inside other messages).
"""
from __future__ import annotations

from app.services.errors import Msg

ROLE_LABELS: dict[str, Msg] = {
    "admin": Msg("Administrator"),
    "manager": Msg("Requirement manager"),
    "engineer": Msg("On-site engineer"),
    "reviewer": Msg("Provincial requirement team"),
    "taskforce": Msg("Task force (read-only)"),
}


def role_msg(role: str) -> Msg:
    """The role's name as a message (an unknown code stays as it is)."""
    return ROLE_LABELS.get(role) or Msg(role.replace("%", "%%"))


def role_label(role: str) -> str:
    """The role's name in the reader's language (needs an app context)."""
    label = ROLE_LABELS.get(role)
    return label.translated() if label is not None else role
