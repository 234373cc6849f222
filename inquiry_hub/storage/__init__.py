"""File storage, content-addressed by sha256: one interface, a local backend by default.

An S3-compatible backend only has to provide ``save``, ``open``, ``delete``, ``exists`` and
``digests``. Files follow their rows: identical bytes are stored once and may be shared by rows
of several rooms, so a file is deleted only when no row of any room refers to it (each room
declares its columns with ``refers_to_files``); a file written by a transaction that rolls back
is deleted at once, and ``sweep_orphans`` (run-due) removes what nothing refers to after an hour.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import tempfile
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO, Protocol

from flask import current_app
from sqlalchemy import column, event, select, table
from sqlalchemy.orm import Session

from inquiry_hub.extensions import db

#: Files nothing refers to are swept after this long (a request may still be about to commit).
ORPHAN_AFTER_SECONDS = 3600
_DIGEST = re.compile(r"[0-9a-f]{64}")
_TEMP_PREFIX = ".part-"
#: (table, column) pairs holding the sha256 of a stored file, declared by each room.
REFERENCES: set[tuple[str, str]] = set()


class StorageFull(OSError):
    """The disk (or quota) is full: nothing was stored."""


class Storage(Protocol):
    def save(self, data: bytes) -> str: ...
    def open(self, sha256: str) -> BinaryIO: ...
    def delete(self, sha256: str) -> None: ...
    def exists(self, sha256: str) -> bool: ...
    def digests(self, older_than: float) -> Iterator[str]: ...


class LocalStorage:
    """Files under ``root/ab/cd/<sha256>``; identical contents are stored once."""

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)

    def path(self, sha256: str) -> Path:
        if not _DIGEST.fullmatch(sha256 or ""):
            raise ValueError("not a sha256 digest")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def save(self, data: bytes) -> str:
        """Store the bytes; returns their sha256. Raises StorageFull when the disk is full."""
        digest = hashlib.sha256(data).hexdigest()
        target = self.path(digest)
        if target.exists():
            # Touched so that neither the sweep nor a rollback elsewhere deletes it under us.
            os.utime(target)
            _remember(digest, None)
            return digest
        tmp = None
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            # A temporary file in the same folder, then a rename: a reader never sees half a
            # file, and a failure leaves nothing behind.
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=_TEMP_PREFIX)
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, target)
            tmp = None
        except OSError as exc:
            if exc.errno in (errno.ENOSPC, errno.EDQUOT):
                raise StorageFull(exc.errno, "no space left to store the file") from exc
            raise
        finally:
            if tmp is not None:
                Path(tmp).unlink(missing_ok=True)
        _remember(digest, target.stat().st_mtime_ns)
        return digest

    def open(self, sha256: str) -> BinaryIO:
        return self.path(sha256).open("rb")

    def delete(self, sha256: str) -> None:
        self.path(sha256).unlink(missing_ok=True)

    def exists(self, sha256: str) -> bool:
        return self.path(sha256).exists()

    def modified_ns(self, sha256: str) -> int | None:
        try:
            return self.path(sha256).stat().st_mtime_ns
        except FileNotFoundError:
            return None

    def digests(self, older_than: float) -> Iterator[str]:
        """Stored files last written before ``older_than`` (epoch seconds); old temp files go."""
        for shard in self.root.glob("[0-9a-f][0-9a-f]/[0-9a-f][0-9a-f]"):
            for path in shard.iterdir():
                try:
                    if path.stat().st_mtime >= older_than:
                        continue
                except FileNotFoundError:
                    continue
                if _DIGEST.fullmatch(path.name):
                    yield path.name
                elif path.name.startswith((_TEMP_PREFIX, "tmp")):
                    path.unlink(missing_ok=True)  # left by a process killed mid-write


def get_storage() -> Storage:
    """The configured storage backend."""
    return LocalStorage(current_app.config["UPLOAD_FOLDER"])


# --- which rows refer to stored files ---------------------------------------------------------


def refers_to_files(attribute) -> None:
    """Declare a column holding the sha256 of stored files (``refers_to_files(Version.sha256)``)."""
    col = attribute.expression if hasattr(attribute, "expression") else attribute
    REFERENCES.add((col.table.name, col.name))


def referenced(digests: Iterable[str], connection=None) -> set[str]:
    """Those of ``digests`` that a row of any declared table still refers to."""
    digests = sorted(set(digests))
    if not digests:
        return set()
    connection = connection if connection is not None else db.session
    found: set[str] = set()
    for start in range(0, len(digests), 500):
        chunk = digests[start : start + 500]
        for table_name, column_name in sorted(REFERENCES):
            col = column(column_name)
            query = select(col).select_from(table(table_name, col)).where(col.in_(chunk)).distinct()
            found.update(connection.execute(query).scalars())
    return found


def _delete_unreferenced(digests: Iterable[str], written: dict[str, int | None] | None = None) -> None:
    """Delete the files no committed row refers to (read on a connection of its own)."""
    digests = set(digests)
    if not digests:
        return
    storage = get_storage()
    with db.engine.connect() as connection:
        keep = referenced(digests, connection)
    for digest in sorted(digests - keep):
        # A file touched since this transaction wrote it was saved again by another request.
        if written is not None and storage.modified_ns(digest) != written.get(digest):
            continue
        storage.delete(digest)


def delete_after_commit(digests: list[str]) -> None:
    """Delete these files once the current transaction commits, unless a row still refers to them."""
    if digests:
        db.session().info.setdefault("storage_delete", set()).update(digests)


def _remember(digest: str, written_ns: int | None) -> None:
    """Note a file this transaction wrote (None: it existed), to delete it if the transaction fails."""
    written = db.session().info.setdefault("storage_written", {})
    if written_ns is None:
        written.pop(digest, None)  # not ours to delete
    else:
        written[digest] = written_ns


@event.listens_for(Session, "after_commit")
def _after_commit(session):
    if session.in_nested_transaction():
        return  # a savepoint released: the transaction may still roll back
    session.info.pop("storage_written", None)
    doomed = session.info.pop("storage_delete", None)
    if doomed:
        _delete_unreferenced(doomed)


@event.listens_for(Session, "after_transaction_end")
def _after_transaction_end(session, transaction):
    if transaction.parent is not None or transaction.nested:
        return
    # Not committed (rolled back or closed): files written for rows that will never exist.
    session.info.pop("storage_delete", None)
    written = session.info.pop("storage_written", None)
    if written:
        try:
            _delete_unreferenced(written, written)
        except Exception:  # the database may be what failed: the sweep will do it later
            current_app.logger.warning("stored files of a failed transaction left for the sweep")


def sweep_orphans(now: float | None = None) -> int:
    """Delete stored files older than an hour that no row refers to; how many went."""
    storage = get_storage()
    candidates = list(storage.digests((now or time.time()) - ORPHAN_AFTER_SECONDS))
    doomed = set(candidates) - referenced(candidates)
    for digest in doomed:
        storage.delete(digest)
    return len(doomed)
