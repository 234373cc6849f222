"""Building the inquiry archive as a job: queued by a request, run in a background thread.

The request that starts a build writes a ``queued`` row and, once its unit of work has
committed it, starts a thread with its own application context; ``run-due`` runs any job
still queued (and requeues one whose worker went silent), so a crash or a restart loses
nothing. The ZIP is written to a ``.part`` file renamed once complete: a failed build never
leaves a file to download. Only the latest finished archive of an inquiry is kept, and none
longer than ``KEEP_FOR``.
"""

from __future__ import annotations

import os
import tempfile
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import event, select, update

from inquiry_hub.db import utcnow
from inquiry_hub.extensions import db
from inquiry_hub.inquiries.models import Inquiry
from inquiry_hub.privacy.models import ArchiveJob
from inquiry_hub.privacy.services import archive
from inquiry_hub.uow import unit_of_work

#: A finished archive is deleted after this delay (a new build replaces it sooner).
KEEP_FOR = timedelta(days=7)
#: A running job whose worker gave no sign of life for this long died with its process.
STALE_AFTER = timedelta(minutes=15)
#: A file of the archive folder that no job points to is removed after this delay.
ORPHAN_AFTER = timedelta(days=1)


def folder() -> Path:
    """Where finished archives are kept: ``ARCHIVE_FOLDER``, else ``archives/`` beside the uploads."""
    configured = current_app.config.get("ARCHIVE_FOLDER")
    return Path(configured) if configured else Path(current_app.config["UPLOAD_FOLDER"]).parent / "archives"


def latest_job(inquiry) -> ArchiveJob | None:
    """The inquiry's most recent build, whatever its state."""
    return db.session.scalar(
        select(ArchiveJob).where(ArchiveJob.inquiry_id == inquiry.id).order_by(ArchiveJob.id.desc()).limit(1)
    )


def latest_ready(inquiry) -> ArchiveJob | None:
    """The inquiry's most recent finished build whose file is there to download."""
    job = db.session.scalar(
        select(ArchiveJob)
        .where(ArchiveJob.inquiry_id == inquiry.id, ArchiveJob.status == "done")
        .order_by(ArchiveJob.id.desc())
        .limit(1)
    )
    return job if job is not None and file_of(job) is not None else None


def file_of(job: ArchiveJob) -> Path | None:
    """The finished ZIP of the job, or None (not finished, failed, or already cleaned up)."""
    if job.status != "done" or not job.file_name:
        return None
    path = folder() / job.file_name
    return path if path.is_file() else None


def start(inquiry, user) -> ArchiveJob:
    """Queue a build of the archive (or return the one already queued or running)."""
    job = latest_job(inquiry)
    if job is not None and job.active:
        return job
    job = ArchiveJob(
        inquiry_id=inquiry.id, requested_by_id=user.id, status="queued", total_steps=archive.TOTAL_STEPS
    )
    db.session.add(job)
    db.session.flush()
    return job


def launch(job: ArchiveJob) -> threading.Thread | None:
    """Run the committed job: in a background thread, or at once when ``ARCHIVE_INLINE`` is set."""
    if current_app.config.get("ARCHIVE_INLINE"):
        run(job.id)
        return None
    app = current_app._get_current_object()
    thread = threading.Thread(target=_run_in_app, args=(app, job.id), name=f"archive-{job.id}", daemon=True)
    thread.start()
    return thread


def _run_in_app(app, job_id: int) -> None:
    with app.app_context():
        run(job_id)


def _claim(job_id: int) -> bool:
    """Move the job from queued to running, unless another worker took it first."""
    now = utcnow()
    with unit_of_work():
        claimed = db.session.execute(
            update(ArchiveJob)
            .where(ArchiveJob.id == job_id, ArchiveJob.status == "queued")
            .values(status="running", started_at=now, updated_at=now, done_steps=0)
        ).rowcount
    return bool(claimed)


def run(job_id: int) -> bool:
    """Build the job's archive, committing its progress after each step; True when it is done."""
    if not _claim(job_id):
        return False
    job = db.session.get(ArchiveJob, job_id)
    inquiry = db.session.get(Inquiry, job.inquiry_id)
    target = folder()
    partial = None
    try:
        target.mkdir(parents=True, exist_ok=True)
        fd, partial = tempfile.mkstemp(dir=target, prefix=f"inquiry-{inquiry.id}-", suffix=".part")
        with os.fdopen(fd, "w+b") as handle:
            archive.write_archive(inquiry, handle, progress=lambda done: _progress(job_id, done))
        name = f"inquiry-{inquiry.id}-{job_id}.zip"
        os.replace(partial, target / name)
    except Exception as exc:  # noqa: BLE001 -- any failure is recorded on the job, not raised
        db.session.rollback()
        if partial is not None:
            Path(partial).unlink(missing_ok=True)
        # The log names the job only: the exception text could quote the material.
        current_app.logger.exception("archive job %s failed", job_id)
        _finish(job_id, status="failed", error=type(exc).__name__)
        return False
    _finish(job_id, status="done", file_name=name, size_bytes=(target / name).stat().st_size)
    _replace_older(db.session.get(ArchiveJob, job_id))
    return True


def _progress(job_id: int, done: int) -> None:
    with unit_of_work():  # each step its own unit: the page polling the job sees it move
        db.session.execute(
            update(ArchiveJob).where(ArchiveJob.id == job_id).values(done_steps=done, updated_at=utcnow())
        )


def _finish(job_id: int, **values) -> None:
    now = utcnow()
    with unit_of_work():
        db.session.execute(
            update(ArchiveJob)
            .where(ArchiveJob.id == job_id)
            .values(finished_at=now, updated_at=now, **values)
        )


def _replace_older(job: ArchiveJob) -> None:
    """Delete the inquiry's earlier finished or failed builds and their files."""
    with unit_of_work():
        older = db.session.scalars(
            select(ArchiveJob).where(
                ArchiveJob.inquiry_id == job.inquiry_id,
                ArchiveJob.id < job.id,
                ArchiveJob.status.in_(("done", "failed")),
            )
        ).all()
        _delete(older)


def _delete(jobs: list[ArchiveJob]) -> None:
    """Delete these jobs; their files go once the transaction commits."""
    paths = [folder() / job.file_name for job in jobs if job.file_name]
    for job in jobs:
        db.session.delete(job)
    db.session.flush()
    if paths:

        def _unlink(session):
            for path in paths:
                path.unlink(missing_ok=True)

        event.listen(db.session(), "after_commit", _unlink, once=True)


def run_queued(now: datetime | None = None) -> int:
    """Requeue builds whose worker died, then run every queued build here; how many finished."""
    now = now or utcnow()
    with unit_of_work():
        db.session.execute(
            update(ArchiveJob)
            .where(ArchiveJob.status == "running", ArchiveJob.updated_at < now - STALE_AFTER)
            .values(status="queued")
        )
    queued = db.session.scalars(
        select(ArchiveJob.id).where(ArchiveJob.status == "queued").order_by(ArchiveJob.id)
    ).all()
    return sum(1 for job_id in queued if run(job_id))


def clean_old(now: datetime | None = None) -> int:
    """Delete finished or failed builds older than ``KEEP_FOR`` with their files (the caller commits)."""
    now = now or utcnow()
    old = db.session.scalars(
        select(ArchiveJob).where(
            ArchiveJob.status.in_(("done", "failed")), ArchiveJob.finished_at < now - KEEP_FOR
        )
    ).all()
    _delete(old)
    _delete_orphans(now)
    return len(old)


def _delete_orphans(now: datetime) -> None:
    """Remove files no job points to: ``.part`` files of builds killed mid-way, leftovers."""
    root = folder()
    if not root.is_dir():
        return
    known = set(db.session.scalars(select(ArchiveJob.file_name).where(ArchiveJob.file_name.is_not(None))))
    limit = (now - ORPHAN_AFTER).replace(tzinfo=UTC).timestamp()
    for path in root.iterdir():
        if path.is_file() and path.name not in known and path.stat().st_mtime < limit:
            path.unlink(missing_ok=True)
