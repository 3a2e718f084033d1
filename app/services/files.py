"""Uploaded files kept under instance/: size-limited streaming writes, removed again on failure."""
from __future__ import annotations

import mimetypes
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import BinaryIO

from flask import current_app

from app.services.errors import Msg, ValidationFailed
from app.utils import safe_text

FILENAME_MAX = 255  # StoredFileMixin.filename


@dataclass
class StoredFile:
    filename: str
    stored_name: str
    size: int
    content_type: str
    path: str


def folder(name: str) -> str:
    path = os.path.join(current_app.instance_path, name)
    os.makedirs(path, exist_ok=True)
    return path


@contextmanager
def stored_upload(
    folder_name: str, filename: str | None, stream: BinaryIO, content_type: str | None
) -> Iterator[StoredFile]:
    """Write the upload under instance/<folder_name>/ and yield it; if the caller's block
    raises (its transaction failed), the file is removed, so no orphan stays on disk."""
    filename = safe_text(os.path.basename((filename or "").replace("\\", "/"))).strip()
    if len(filename) > FILENAME_MAX:  # the column's length; the extension is kept
        stem, ext = os.path.splitext(filename)
        ext = ext if len(ext) <= 16 else ""
        filename = stem[:FILENAME_MAX - len(ext)] + ext
    if content_type and (len(content_type) > 100 or safe_text(content_type) != content_type):
        content_type = None  # the client's type only if the column can hold it; else from the name
    if not filename:
        raise ValidationFailed.field("file", Msg("Choose a file to upload."))
    limit = current_app.config["ATTACHMENT_MAX_BYTES"]
    stored_name = secrets.token_hex(16)
    path = os.path.join(folder(folder_name), stored_name)
    size = 0
    try:
        with open(path, "wb") as out:
            while chunk := stream.read(64 * 1024):
                size += len(chunk)
                if size > limit:
                    raise ValidationFailed.field(
                        "file", Msg("The file is larger than the limit of %(mb)s MB.", mb=limit // (1024 * 1024))
                    )
                out.write(chunk)
        if size == 0:
            raise ValidationFailed.field("file", Msg("The file is empty."))
        yield StoredFile(
            filename=filename,
            stored_name=stored_name,
            size=size,
            content_type=content_type or mimetypes.guess_type(filename)[0] or "application/octet-stream",
            path=path,
        )
    except BaseException:
        if os.path.exists(path):
            os.remove(path)
        raise
