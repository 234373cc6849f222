"""Command-line interface of CONTRACT.md: ``flask --app wsgi <command>``."""

from __future__ import annotations

import getpass
import os
import shutil
import sqlite3
import subprocess
from datetime import date
from pathlib import Path

import click
from flask import current_app
from sqlalchemy.engine import make_url

from inquiry_hub.extensions import db
from inquiry_hub.uow import unit_of_work


def register(app) -> None:
    app.cli.add_command(seed_demo)
    app.cli.add_command(create_admin)
    app.cli.add_command(create_token)
    app.cli.add_command(run_due)
    app.cli.add_command(backup)
    app.cli.add_command(restore)
    app.cli.add_command(purge_expired)


@click.command("seed-demo")
@click.option("--reset", is_flag=True, help="Delete all data first, then seed.")
@click.option("--scale", type=int, default=0, help="Add N generated inquiries for benchmarks.")
def seed_demo(reset: bool, scale: int) -> None:
    """Create the demo accounts and inquiries (idempotent)."""
    from inquiry_hub import seed

    with unit_of_work():
        if reset:
            seed.wipe()
        created = seed.seed_demo()
        if scale:
            seed.seed_scale(scale)
    click.echo("demo data created" if created else "demo data already present")


@click.command("create-admin")
@click.argument("email")
@click.option("--name", default="", help="Display name for a new account.")
def create_admin(email: str, name: str) -> None:
    """Create a site admin, or promote an existing account."""
    from inquiry_hub.accounts import services as accounts
    from inquiry_hub.accounts.passwords import hash_password, password_problem

    user = accounts.find_user(email)
    password = os.environ.get("ADMIN_PASSWORD")
    if user is None and not password:
        password = getpass.getpass("Password: ")
    if password:
        problem = password_problem(password, email)
        if problem:
            raise click.ClickException(problem)
    with unit_of_work():
        if user is None:
            user = accounts.create_user(email, name or email.split("@")[0], password)
        elif password:
            user.password_hash = hash_password(password)
        user.is_admin = True
    click.echo(f"{user.email} is a site admin")


@click.command("create-token")
@click.argument("email")
@click.option("--name", default="cli", help="A name to recognise the token by.")
@click.option("--read-only", is_flag=True, help="The token may only read.")
@click.option("--days", type=click.IntRange(1, 3650), default=None, help="Expire after N days.")
def create_token(email: str, name: str, read_only: bool, days: int | None) -> None:
    """Print a new personal API token for the account with this email."""
    from datetime import timedelta

    from inquiry_hub.accounts import services as accounts
    from inquiry_hub.db import utcnow

    user = accounts.find_user(email)
    if user is None:
        raise click.ClickException(f"no account with the email {email}")
    expires_at = utcnow() + timedelta(days=days) if days else None
    with unit_of_work():
        _token, clear = accounts.create_api_token(user, name, expires_at=expires_at, read_only=read_only)
    click.echo(clear)


def _unit_of_work(name: str, work, failures: list[str]):
    """Run one step of run-due in its own unit of work: commit it, or roll it back alone."""
    try:
        with unit_of_work():
            return work()
    except Exception:  # one failing step must not lose the work of the others
        current_app.logger.exception("run-due: %s failed", name)
        failures.append(name)
        return None


@click.command("run-due")
def run_due() -> None:
    """Execute collective actions whose delay has passed, then deliver the email outbox.

    Every step (each proposal, each kind of reminder, each job) commits on its own, and every
    one is safe to run twice at once: an overlapping run never repeats what this one did.
    """
    from inquiry_hub import storage
    from inquiry_hub.accounts import throttle
    from inquiry_hub.activity.mail import configured_sender
    from inquiry_hub.activity.services import deliver_outbox
    from inquiry_hub.fieldwork.services import withdrawals
    from inquiry_hub.followup import notifications as followup
    from inquiry_hub.governance.services.decisions import send_reminders
    from inquiry_hub.inquiries import engine
    from inquiry_hub.inquiries.models import Proposal
    from inquiry_hub.privacy.services import archive_jobs, retention

    failures: list[str] = []
    closed = 0
    for proposal_id in engine.due_proposal_ids():
        settled = _unit_of_work(
            f"proposal {proposal_id}",
            lambda i=proposal_id: engine.settle(db.session.get(Proposal, i)),
            failures,
        )
        closed += bool(settled)
    today = date.today()
    reminded = _unit_of_work("proposal reminders", send_reminders, failures)
    due_soon = _unit_of_work("due-soon reminders", lambda: followup.notify_due_soon(today), failures)
    digests = _unit_of_work("digests", followup.send_digests, failures)
    warned = _unit_of_work("retention warnings", lambda: retention.notify_upcoming(today), failures)
    purged = _unit_of_work("retention purge", lambda: retention.purge_expired(today), failures) or []
    withdrawn = _unit_of_work("withdrawn interviews", withdrawals.delete_due, failures)
    cleaned = _unit_of_work("old archives", archive_jobs.clean_old, failures)
    swept = _unit_of_work("stored files without rows", storage.sweep_orphans, failures)
    _unit_of_work("old login failures", throttle.purge_old, failures)
    archives = _unit_of_work("archive jobs", archive_jobs.run_queued, failures)
    sent, failed = _unit_of_work("outbox", lambda: deliver_outbox(configured_sender()), failures) or (0, 0)
    click.echo(
        f"proposals closed: {closed}; reminders: {reminded}; due soon: {due_soon}; digests: {digests}; "
        f"emails sent: {sent}; failed attempts: {failed}"
    )
    click.echo(f"inquiries warned of their purge: {warned}; inquiries purged: {len(purged)}")
    click.echo(f"withdrawn interviews whose material was deleted: {withdrawn}")
    click.echo(f"archives built: {archives}; old archives deleted: {cleaned}; stored files swept: {swept}")
    if failures:
        raise click.ClickException(
            f"steps that failed (see the log; the others are done): {', '.join(failures)}"
        )


@click.command("purge-expired")
def purge_expired() -> None:
    """Apply retention dates: warn members 30 days ahead, purge inquiries whose date has passed."""
    from inquiry_hub.privacy.services import archive_jobs, retention

    with unit_of_work():
        warned = retention.notify_upcoming(date.today())
        logs = retention.purge_expired(date.today())
        cleaned = archive_jobs.clean_old()
    for log in logs:
        click.echo(
            f"inquiry {log.inquiry_ref}: identity keys {log.identity_keys}, consent forms {log.consent_forms}, "
            f"other files {log.other_files}, notes {log.notes}"
        )
    click.echo(f"inquiries purged: {len(logs)}; inquiries warned: {warned}; old archives deleted: {cleaned}")


@click.command("backup")
@click.argument("path", type=click.Path(file_okay=False, path_type=Path))
def backup(path: Path) -> None:
    """Consistent copy of the database and the uploads into the folder PATH."""
    path.mkdir(parents=True, exist_ok=True)
    url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() == "sqlite":
        target = path / "database.sqlite3"
        target.unlink(missing_ok=True)
        source = sqlite3.connect(url.database)
        dest = sqlite3.connect(target)
        with dest:
            source.backup(dest)  # the online backup API: safe while the app writes
        dest.close()
        source.close()
    elif url.get_backend_name() == "postgresql":
        target = path / "database.sql"
        # The password goes through the environment, never the command line (visible in ps).
        env = dict(os.environ)
        if url.password:
            env["PGPASSWORD"] = url.password
        plain = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
        subprocess.run(
            ["pg_dump", "--no-owner", "--format=plain", f"--file={target}", plain],
            check=True,
            env=env,
        )
    else:
        raise click.ClickException(f"backup does not support {url.get_backend_name()}")
    uploads = Path(current_app.config["UPLOAD_FOLDER"])
    if uploads.exists():
        shutil.copytree(uploads, path / "uploads", dirs_exist_ok=True)
    click.echo(f"backup written to {path}")


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def restore(path: Path, yes: bool) -> None:
    """Replace the database and the uploads with a backup made by ``backup PATH``."""
    if not yes:
        click.confirm("This replaces the whole database and every upload. Continue?", abort=True)
    url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
    db.session.remove()
    db.engine.dispose()
    if url.get_backend_name() == "sqlite":
        source = sqlite3.connect(path / "database.sqlite3")
        dest = sqlite3.connect(url.database)
        with dest:
            source.backup(dest)  # page by page into the live file, under its lock
        dest.close()
        source.close()
    elif url.get_backend_name() == "postgresql":
        env = dict(os.environ)
        if url.password:
            env["PGPASSWORD"] = url.password
        plain = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
        reset = "DROP SCHEMA public CASCADE; CREATE SCHEMA public;"
        subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", "-c", reset, plain], check=True, env=env)
        dump = str(path / "database.sql")
        subprocess.run(
            ["psql", "-q", "-v", "ON_ERROR_STOP=1", "--single-transaction", "-f", dump, plain],
            check=True,
            env=env,
            stdout=subprocess.DEVNULL,
        )
    else:
        raise click.ClickException(f"restore does not support {url.get_backend_name()}")
    uploads = Path(current_app.config["UPLOAD_FOLDER"])
    shutil.rmtree(uploads, ignore_errors=True)
    if (path / "uploads").exists():
        shutil.copytree(path / "uploads", uploads)
    click.echo(f"restored from {path}")
