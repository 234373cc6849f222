"""File storage, content-addressed by sha256: one interface, a local backend by default.

An S3-compatible backend only has to provide ``save``, ``open``, ``delete`` and ``exists``.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from typing import BinaryIO, Protocol

from flask import current_app
from sqlalchemy import event

from inquiry_hub.extensions import db


class Storage(Protocol):
    def save(self, data: bytes) -> str: ...
    def open(self, sha256: str) -> BinaryIO: ...
    def delete(self, sha256: str) -> None: ...
    def exists(self, sha256: str) -> bool: ...


class LocalStorage:
    """Files under ``root/ab/cd/<sha256>``; identical contents are stored once."""

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)

    def path(self, sha256: str) -> Path:
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise ValueError("not a sha256 digest")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def save(self, data: bytes) -> str:
        """Store the bytes; returns their sha256."""
        digest = hashlib.sha256(data).hexdigest()
        target = self.path(digest)
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            # Write then rename: a reader never sees half a file.
            fd, tmp = tempfile.mkstemp(dir=target.parent)
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(tmp, target)
        return digest

    def open(self, sha256: str) -> BinaryIO:
        return self.path(sha256).open("rb")

    def delete(self, sha256: str) -> None:
        self.path(sha256).unlink(missing_ok=True)

    def exists(self, sha256: str) -> bool:
        return self.path(sha256).exists()


def get_storage() -> Storage:
    """The configured storage backend."""
    return LocalStorage(current_app.config["UPLOAD_FOLDER"])


def delete_after_commit(digests: list[str]) -> None:
    """Delete these files once the current transaction commits (never before)."""
    if not digests:
        return
    storage = get_storage()

    def _delete(session):
        for digest in digests:
            storage.delete(digest)

    event.listen(db.session(), "after_commit", _delete, once=True)
