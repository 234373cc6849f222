"""Building the archive as a job: progress, failure, who may start and download it, clean-up."""

from __future__ import annotations

import os
import re
from datetime import UTC, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from inquiry_hub.db import utcnow
from inquiry_hub.extensions import db
from inquiry_hub.privacy.models import ArchiveJob, SensitiveRead
from inquiry_hub.privacy.services import archive, archive_jobs
from tests.conftest import PASSWORD, login
from tests.privacy.conftest import NAMES


def _page(world) -> str:
    return f"/inquiries/{world['inquiry'].id}/archive/"


def _jobs() -> list[ArchiveJob]:
    db.session.expire_all()
    return list(db.session.scalars(select(ArchiveJob).order_by(ArchiveJob.id)))


def _queued(world) -> ArchiveJob:
    """A build started but not yet run (as when the thread has not begun)."""
    job = archive_jobs.start(world["inquiry"], world["student"])
    db.session.commit()
    return job


def _files() -> list[str]:
    folder = archive_jobs.folder()
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def _zip_links(html: str) -> list[str]:
    return re.findall(r'href="([^"]+\.zip)"', html)


def test_build_goes_from_queued_through_running_to_done_step_by_step(world, monkeypatch):
    job = _queued(world)
    assert (job.status, job.done_steps, job.total_steps) == ("queued", 0, archive.TOTAL_STEPS)
    seen = []
    real = archive.write_archive

    def spy(inquiry, handle, progress):
        def tracked(done):
            progress(done)
            db.session.expire_all()
            row = db.session.get(ArchiveJob, job.id)
            seen.append((row.status, row.done_steps))

        real(inquiry, handle, tracked)

    monkeypatch.setattr(archive, "write_archive", spy)
    assert archive_jobs.run(job.id)
    assert seen == [("running", n) for n in range(1, archive.TOTAL_STEPS + 1)]
    (done,) = _jobs()
    assert (done.status, done.done_steps, done.percent) == ("done", archive.TOTAL_STEPS, 100)
    assert archive_jobs.file_of(done) is not None and done.size_bytes > 0


def test_a_job_runs_once_even_if_two_workers_pick_it(world):
    job = _queued(world)
    assert archive_jobs.run(job.id) is True
    assert archive_jobs.run(job.id) is False
    assert len(_files()) == 1


def test_failed_build_records_a_clean_message_and_leaves_no_file(client, world, monkeypatch):
    def broken(out, inquiry):
        raise RuntimeError(f"cannot write {NAMES['main']}")

    monkeypatch.setattr(archive, "STEPS", (archive.STEPS[0], broken))
    login(client, world["student"])
    client.post(_page(world))
    (job,) = _jobs()
    assert (job.status, job.error, job.file_name) == ("failed", "RuntimeError", None)
    assert _files() == []
    html = client.get(_page(world)).get_data(as_text=True)
    assert "could not be built" in html and NAMES["main"] not in html and not _zip_links(html)
    assert client.get(f"{_page(world)}{job.id}.zip").status_code == 404


def test_failed_build_keeps_the_previous_archive_downloadable(client, world, monkeypatch):
    login(client, world["student"])
    client.post(_page(world))
    monkeypatch.setattr(archive, "STEPS", (_raise,))
    client.post(_page(world))
    first, second = _jobs()
    assert (first.status, second.status) == ("done", "failed")
    (href,) = _zip_links(client.get(_page(world)).get_data(as_text=True))
    assert href.endswith(f"/{first.id}.zip") and client.get(href).status_code == 200


def _raise(out, inquiry):
    raise OSError("disk full")


def test_a_new_archive_replaces_the_previous_one_and_its_file(client, world):
    login(client, world["student"])
    client.post(_page(world))
    client.post(_page(world))
    (job,) = _jobs()
    assert _files() == [job.file_name]


def test_starting_while_a_build_is_queued_follows_that_build(client, world):
    job = _queued(world)
    login(client, world["student"])
    # The request runs the queued build rather than queueing a second one.
    assert archive_jobs.start(world["inquiry"], world["student"]).id == job.id
    assert len(_jobs()) == 1


def test_progress_fragment_polls_while_the_build_is_queued(client, world):
    job = _queued(world)
    login(client, world["student"])
    html = client.get(f"{_page(world)}{job.id}").get_data(as_text=True)
    assert 'hx-trigger="every 1s"' in html and "<progress" in html and f'max="{archive.TOTAL_STEPS}"' in html


def test_archive_page_offers_a_refresh_link_without_javascript_while_building(client, world):
    _queued(world)
    login(client, world["student"])
    html = client.get(_page(world)).get_data(as_text=True)
    assert f'href="{_page(world)}"' in html and "Refresh" in html and "Build the archive" not in html


def test_progress_fragment_stops_polling_and_links_the_download_when_done(client, world):
    login(client, world["student"])
    client.post(_page(world))
    (job,) = _jobs()
    html = client.get(f"{_page(world)}{job.id}").get_data(as_text=True)
    assert "hx-trigger" not in html and _zip_links(html) == [f"{_page(world)}{job.id}.zip"]


def test_building_is_not_an_export_only_the_download_is_audited(client, world):
    login(client, world["student"])
    client.post(_page(world))
    assert db.session.scalar(select(func.count(SensitiveRead.id))) == 0
    (job,) = _jobs()
    client.get(f"{_page(world)}{job.id}.zip")
    assert db.session.scalars(select(SensitiveRead.kind)).all() == ["archive"]


@pytest.mark.parametrize("who,status", [("tutor", 403), ("partner", 403), ("outsider", 404), ("admin", 404)])
def test_only_students_start_a_build(client, world, who, status):
    login(client, world[who])
    assert client.post(_page(world)).status_code == status
    assert _jobs() == []


@pytest.mark.parametrize("who,status", [("tutor", 403), ("partner", 403), ("outsider", 404), ("admin", 404)])
def test_only_students_follow_and_download_a_build(client, world, who, status):
    login(client, world["student"])
    client.post(_page(world))
    (job,) = _jobs()
    login(client, world[who])
    assert client.get(f"{_page(world)}{job.id}").status_code == status
    assert client.get(f"{_page(world)}{job.id}.zip").status_code == status
    assert db.session.scalar(select(func.count(SensitiveRead.id))) == 0


def test_a_job_of_another_inquiry_is_404(client, world):
    other = archive_jobs.start(world["other_inquiry"], world["outsider"])
    db.session.commit()
    archive_jobs.run(other.id)
    login(client, world["student"])
    assert client.get(f"{_page(world)}{other.id}").status_code == 404
    assert client.get(f"{_page(world)}{other.id}.zip").status_code == 404


@pytest.mark.parametrize("suffix", ["abc", "abc.zip", "99999", "99999.zip", "-1.zip"])
def test_bad_job_ids_are_404(client, world, suffix):
    login(client, world["student"])
    assert client.get(f"{_page(world)}{suffix}").status_code == 404


def _token(html: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def _login_with_csrf(client, user) -> None:
    token = _token(client.get("/auth/login").get_data(as_text=True))
    data = {"email": user.email, "password": PASSWORD, "csrf_token": token}
    assert client.post("/auth/login", data=data).status_code == 302


@pytest.mark.parametrize("data", [{}, {"csrf_token": "forged"}])
def test_build_without_a_valid_csrf_token_is_refused(client, world, csrf_enabled, data):
    _login_with_csrf(client, world["student"])
    assert client.post(_page(world), data=data).status_code == 400
    assert _jobs() == []


def test_build_with_the_token_of_the_page_starts(client, world, csrf_enabled):
    _login_with_csrf(client, world["student"])
    token = _token(client.get(_page(world)).get_data(as_text=True))
    assert client.post(_page(world), data={"csrf_token": token}).status_code == 302
    assert [job.status for job in _jobs()] == ["done"]


def test_archive_deleted_from_disk_is_not_offered(client, world):
    login(client, world["student"])
    client.post(_page(world))
    (job,) = _jobs()
    (archive_jobs.folder() / job.file_name).unlink()
    html = client.get(_page(world)).get_data(as_text=True)
    assert not _zip_links(html) and client.get(f"{_page(world)}{job.id}.zip").status_code == 404


def test_run_due_builds_a_queued_archive_left_by_a_restart(app, world):
    job = _queued(world)
    result = app.test_cli_runner().invoke(args=["run-due"], catch_exceptions=False)
    assert "archives built: 1" in result.output
    assert db.session.get(ArchiveJob, job.id).status == "done"


def test_run_due_restarts_a_build_whose_worker_died(world):
    job = _queued(world)
    job.status, job.updated_at = "running", utcnow() - timedelta(hours=1)
    db.session.commit()
    assert archive_jobs.run_queued() == 1
    assert _jobs()[0].status == "done"


def test_a_build_still_running_is_left_to_its_worker(world):
    job = _queued(world)
    job.status, job.updated_at = "running", utcnow()
    db.session.commit()
    assert archive_jobs.run_queued() == 0
    assert _jobs()[0].status == "running"


def test_archives_are_deleted_after_seven_days(app, world):
    job = _queued(world)
    archive_jobs.run(job.id)
    path = archive_jobs.file_of(db.session.get(ArchiveJob, job.id))
    assert archive_jobs.clean_old(utcnow() + timedelta(days=6)) == 0
    assert archive_jobs.clean_old(utcnow() + timedelta(days=8)) == 1
    db.session.commit()
    assert _jobs() == [] and not Path(path).exists()


def test_purge_expired_deletes_old_archives(app, world):
    job = _queued(world)
    archive_jobs.run(job.id)
    db.session.get(ArchiveJob, job.id).finished_at = utcnow() - timedelta(days=8)
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["purge-expired"], catch_exceptions=False)
    assert "old archives deleted: 1" in result.output and _files() == []


def test_half_written_files_of_a_killed_build_are_deleted_after_a_day(world):
    folder = archive_jobs.folder()
    folder.mkdir(parents=True, exist_ok=True)
    old, fresh = folder / "inquiry-1-x.part", folder / "inquiry-1-y.part"
    old.write_bytes(b"half")
    fresh.write_bytes(b"half")
    two_days_ago = (utcnow() - timedelta(days=2)).replace(tzinfo=UTC).timestamp()
    os.utime(old, (two_days_ago, two_days_ago))
    archive_jobs.clean_old()
    assert _files() == ["inquiry-1-y.part"]


def test_outside_tests_the_build_runs_in_a_background_thread(app, world, monkeypatch):
    monkeypatch.setitem(app.config, "ARCHIVE_INLINE", False)
    job = _queued(world)
    thread = archive_jobs.launch(job)
    assert thread is not None
    thread.join(timeout=60)
    assert not thread.is_alive()
    (done,) = _jobs()
    assert (done.status, done.done_steps) == ("done", archive.TOTAL_STEPS)
    assert archive_jobs.file_of(done) is not None
