"""Overlapping ``run-due`` processes: every email leaves once, every due step runs once, none crashes."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from inquiry_hub.accounts.models import Invitation
from inquiry_hub.activity import services as activity
from inquiry_hub.db import utcnow
from inquiry_hub.extensions import db
from inquiry_hub.inquiries import engine
from inquiry_hub.inquiries.models import Proposal, ProposalReminder
from tests.concurrency.conftest import ROOT, app_environment
from tests.conftest import make_inquiry, make_user

pytestmark = pytest.mark.concurrency

RUNS = 3
QUEUED = 60
DUE = 4
REMINDED = 4


def _run_due_at_once(app, smtp_port: int) -> list[subprocess.CompletedProcess]:
    env = app_environment(app, MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_port, MAIL_USE_TLS="0")
    flask = str(Path(sys.executable).parent / "flask")
    processes = [
        subprocess.Popen(
            [flask, "--app", "wsgi", "run-due"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(RUNS)
    ]
    results = []
    for process in processes:
        out, err = process.communicate(timeout=120)
        results.append(subprocess.CompletedProcess(process.args, process.returncode, out, err))
    return results


def test_overlapping_run_due_delivers_every_email_exactly_once(app, smtp_sink):
    students = [make_user(f"Student {i}") for i in range(3)]
    inquiry = make_inquiry(students=students, rule="consent")
    for i in range(QUEUED):
        activity.queue_email(f"reader.{i}@test.example", f"Message {i}", "Bonjour.\n")
    now = utcnow()
    # Proposals whose delay has passed (they execute: an invitation email each) ...
    due = [
        engine.start(
            inquiry, students[0], "members.invite", {"email": f"late.{i}@test.example", "role": "tutor"}
        )
        for i in range(DUE)
    ]
    # ... and proposals closing within 24 h (two voters to remind each).
    soon = [
        engine.start(
            inquiry, students[0], "members.invite", {"email": f"soon.{i}@test.example", "role": "tutor"}
        )
        for i in range(REMINDED)
    ]
    for proposal in due:
        proposal.deadline = now - timedelta(minutes=1)
    for proposal in soon:
        proposal.deadline = now + timedelta(hours=2)
    db.session.commit()

    runs = _run_due_at_once(app, smtp_sink.port)

    db.session.expire_all()
    received = Counter(message_id for message_id, _rcpt, _subject in smtp_sink.messages)
    reminders = db.session.scalar(select(func.count(ProposalReminder.id)))
    invitations = Counter(db.session.scalars(select(Invitation.email).where(Invitation.email.like("late.%"))))
    closed = db.session.scalar(
        select(func.count(Proposal.id)).where(
            Proposal.id.in_([p.id for p in due]), Proposal.status == "passed"
        )
    )
    expected_emails = QUEUED + DUE + REMINDED * 2
    summary = {
        "failed runs": [r.stderr[-800:] for r in runs if r.returncode != 0],
        "messages delivered more than once": sum(n > 1 for n in received.values()),
        "most deliveries of one message": max(received.values(), default=0),
        "distinct messages": len(received),
        "reminders": reminders,
        "due proposals passed": closed,
        "executions per due action": sorted(set(invitations.values())),
    }
    expected = {
        "failed runs": [],
        "messages delivered more than once": 0,
        "most deliveries of one message": 1,
        "distinct messages": expected_emails,
        "reminders": REMINDED * 2,
        "due proposals passed": DUE,
        "executions per due action": [1],
    }
    assert summary == expected, summary


def test_a_failing_step_of_run_due_loses_nothing_of_the_others(app, monkeypatch):
    from inquiry_hub.cli import run_due
    from inquiry_hub.followup import notifications as followup

    students = [make_user(f"Student {i}") for i in range(3)]
    inquiry = make_inquiry(students=students, rule="consent")
    proposal = engine.start(
        inquiry, students[0], "members.invite", {"email": "late@test.example", "role": "tutor"}
    )
    proposal.deadline = utcnow() - timedelta(minutes=1)
    activity.queue_email("reader@test.example", "Bonjour", "Bonjour.\n")
    db.session.commit()

    def broken(*args, **kwargs):
        raise RuntimeError("digest composer crashed")

    monkeypatch.setattr(followup, "send_digests", broken)
    result = app.test_cli_runner().invoke(run_due)

    db.session.expire_all()
    assert result.exit_code != 0
    assert "digests" in result.output
    assert db.session.get(Proposal, proposal.id).status == "passed"  # settled and kept
    from inquiry_hub.activity.models import OutboxMessage

    unsent = db.session.scalar(select(func.count(OutboxMessage.id)).where(OutboxMessage.sent_at.is_(None)))
    assert unsent == 0  # the outbox step ran after the failing one
