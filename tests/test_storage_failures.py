"""Files follow their rows: a full disk stores nothing and says so, a rolled-back write leaves no
file, and run-due sweeps stored files that no row refers to."""

from __future__ import annotations

import errno
import io
import os
import subprocess
import time
import zlib
from pathlib import Path

import pytest
from sqlalchemy import func, select

from inquiry_hub import storage
from inquiry_hub.deliverables import services as deliverables
from inquiry_hub.deliverables.models import Version
from inquiry_hub.extensions import db
from tests.conftest import login
from tests.deliverables.conftest import make_deliverable


def png(size: int, seed: int = 0) -> bytes:
    """A real PNG header followed by incompressible bytes, ``size`` bytes long."""
    header = b"\x89PNG\r\n\x1a\n"
    ihdr = b"IHDR" + (1).to_bytes(4, "big") * 2 + b"\x08\x02\x00\x00\x00"
    chunk = len(ihdr[4:]).to_bytes(4, "big") + ihdr + zlib.crc32(ihdr).to_bytes(4, "big")
    body = header + chunk
    return (
        body + os.urandom(max(size - len(body), 0))
        if seed == 0
        else body + bytes([seed]) * (size - len(body))
    )


def stored_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


@pytest.fixture
def tiny_disk(app, tmp_path, monkeypatch):
    """UPLOAD_FOLDER on a real 512 KiB filesystem (tmpfs); else a disk that fails like a full one."""
    folder = tmp_path / "tiny"
    folder.mkdir()
    mounted = (
        subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=512k", "tmpfs", str(folder)], capture_output=True
        ).returncode
        == 0
    )
    if not mounted:  # no privilege to mount: the write fails as ENOSPC would

        def full(fd):
            raise OSError(errno.ENOSPC, "No space left on device")

        monkeypatch.setattr(storage.os, "fsync", full)
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(folder))
    yield folder
    if mounted:
        subprocess.run(["umount", str(folder)], check=False)


def _upload(client, team, deliverable, data: bytes):
    return client.post(
        f"/inquiries/{team['inquiry'].id}/deliverables/{deliverable.id}/versions/file?lang=en",
        data={"file": (io.BytesIO(data), "photo.png"), "changelog": "Photo du jardin"},
        content_type="multipart/form-data",
    )


def test_a_full_disk_answers_507_with_a_message_and_stores_nothing(client, team, tiny_disk):
    deliverable = make_deliverable(team["inquiry"], team["student"])
    login(client, team["student"])
    small = _upload(client, team, deliverable, png(2_000, seed=1))
    if small.status_code == 302:  # positive control where the disk is real: a small file fits
        assert len(stored_files(tiny_disk)) == 1
    before = set(stored_files(tiny_disk))

    response = _upload(client, team, deliverable, png(900_000))

    assert response.status_code == 507
    assert "no room left to store this file" in response.get_data(as_text=True)
    assert set(stored_files(tiny_disk)) == before  # no partial or temporary file
    versions = db.session.scalar(
        select(func.count(Version.id)).where(Version.deliverable_id == deliverable.id)
    )
    assert versions == (1 if small.status_code == 302 else 0)


def test_a_full_disk_answers_507_in_json_under_the_api(client, team, tiny_disk):
    from inquiry_hub.accounts import services as accounts

    deliverable = make_deliverable(team["inquiry"], team["student"])
    _token, clear = accounts.create_api_token(team["student"], "t")
    db.session.commit()
    response = client.post(
        f"/api/v1/deliverables/{deliverable.id}/versions",
        data={"file": (io.BytesIO(png(900_000)), "photo.png"), "changelog": "Photo"},
        content_type="multipart/form-data",
        headers={"Authorization": f"Bearer {clear}"},
    )
    assert response.status_code == 507
    assert response.get_json()["error"]["code"] == "insufficient_storage"
    assert stored_files(tiny_disk) == []


def test_a_file_written_by_a_transaction_that_rolls_back_is_deleted(app, team):
    deliverable = make_deliverable(team["inquiry"], team["student"])
    kept = deliverables.add_file_version(deliverable, team["student"], png(3_000), "kept.png", "v1")
    db.session.commit()
    assert storage.get_storage().exists(kept.sha256)  # positive control: committed, kept

    lost = deliverables.add_file_version(deliverable, team["student"], png(3_000), "lost.png", "v2")
    digest = lost.sha256
    assert storage.get_storage().exists(digest)
    db.session.rollback()

    assert not storage.get_storage().exists(digest)
    assert storage.get_storage().exists(kept.sha256)


def test_a_rollback_keeps_bytes_that_a_committed_row_already_holds(app, team):
    deliverable = make_deliverable(team["inquiry"], team["student"])
    data = png(3_000)
    first = deliverables.add_file_version(deliverable, team["student"], data, "a.png", "v1")
    db.session.commit()
    deliverables.add_file_version(deliverable, team["student"], data, "same.png", "v2")
    db.session.rollback()
    assert storage.get_storage().exists(first.sha256)


def _age(path: Path, seconds: int) -> None:
    past = time.time() - seconds
    os.utime(path, (past, past))


def test_run_due_sweeps_old_files_no_row_refers_to(app, team):
    from inquiry_hub.cli import run_due

    store = storage.get_storage()
    deliverable = make_deliverable(team["inquiry"], team["student"])
    version = deliverables.add_file_version(deliverable, team["student"], png(3_000), "v.png", "v1")
    db.session.commit()
    orphan = store.save(png(3_000))
    fresh_orphan = store.save(png(3_000))
    db.session.commit()  # committed without a row: only the sweep can find them
    temp = store.path(orphan).parent / ".part-leftover"
    temp.write_bytes(b"half a file")
    for digest in (orphan, version.sha256):
        _age(store.path(digest), 2 * 3600)
    _age(temp, 2 * 3600)

    result = app.test_cli_runner().invoke(run_due)

    assert result.exit_code == 0, result.output
    assert "stored files swept: 1" in result.output
    assert not store.exists(orphan)
    assert not temp.exists()
    assert store.exists(version.sha256)  # an old file a row refers to stays
    assert store.exists(fresh_orphan)  # a request may still be about to commit its row
