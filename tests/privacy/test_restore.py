"""``flask restore PATH``: a backup restored gives back the same rows and the same upload files."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from inquiry_hub.db import Base
from inquiry_hub.extensions import db
from inquiry_hub.tasks.models import Task
from tests.conftest import make_user


def _rows() -> dict[str, list[tuple]]:
    result = {}
    for table in Base.metadata.sorted_tables:
        rows = db.session.execute(select(table)).all()
        result[table.name] = sorted(tuple(map(repr, row)) for row in rows)
    return result


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def _cli(app, *args):
    result = app.test_cli_runner().invoke(args=list(args), catch_exceptions=False)
    db.session.remove()
    assert result.exit_code == 0, result.output
    return result


def test_backup_then_restore_gives_back_the_same_rows_and_files(app, world, tmp_path):
    uploads = Path(app.config["UPLOAD_FOLDER"])
    task_id = world["task"].id
    rows, files = _rows(), _files(uploads)
    assert files  # the fixture stored consent forms and audio files
    _cli(app, "backup", str(tmp_path / "backup"))

    # Things change after the backup: a row deleted, a row added, a file lost.
    db.session.delete(db.session.get(Task, task_id))
    make_user("Arrived later")
    next(p for p in uploads.rglob("*") if p.is_file()).unlink()
    (uploads / "stray.bin").write_bytes(b"not in the backup")
    db.session.commit()

    _cli(app, "restore", "--yes", str(tmp_path / "backup"))
    assert _rows() == rows
    assert _files(uploads) == files


def test_restore_asks_for_confirmation(app, tmp_path):
    (tmp_path / "backup").mkdir()
    result = app.test_cli_runner().invoke(args=["restore", str(tmp_path / "backup")], input="n\n")
    assert result.exit_code != 0
