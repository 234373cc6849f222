"""The email outbox: delivery over real SMTP, retries with back-off, giving up, run-due."""

import email
import socket
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller

from inquiry_hub.activity import services as activity
from inquiry_hub.activity.mail import smtp_sender
from inquiry_hub.activity.models import OutboxMessage
from inquiry_hub.db import utcnow
from inquiry_hub.extensions import db

TO = "someone@test.example"
SUBJECT = "Réunion d'équipe jeudi"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _Inbox:
    """aiosmtpd handler keeping every received message."""

    def __init__(self):
        self.messages: list[email.message.Message] = []
        self.recipients: list[list[str]] = []

    async def handle_DATA(self, server, session, envelope):
        self.recipients.append(list(envelope.rcpt_tos))
        self.messages.append(email.message_from_bytes(envelope.original_content or envelope.content))
        return "250 OK"


@pytest.fixture
def smtp_config(app, monkeypatch):
    """Plain SMTP on localhost; the port starts closed (nothing listens there)."""
    port = _free_port()
    for key, value in {
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": port,
        "MAIL_USE_TLS": False,
        "MAIL_USE_SSL": False,
        "MAIL_USERNAME": "",
        "MAIL_TIMEOUT": 5,
        "MAIL_DEFAULT_SENDER": "inquiry_hub <no-reply@test.example>",
    }.items():
        monkeypatch.setitem(app.config, key, value)
    return port


@pytest.fixture
def smtp_server(smtp_config):
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=smtp_config)
    controller.start()
    yield inbox
    controller.stop()


def _queue() -> OutboxMessage:
    message = activity.queue_email(TO, SUBJECT, "Bonjour,\n\nRendez-vous jeudi à 14 h.\n")
    db.session.commit()
    return message


def _reload(message) -> OutboxMessage:
    db.session.expire_all()
    return db.session.get(OutboxMessage, message.id)


# --- a failure, then a retry --------------------------------------------------------------


def test_unreachable_smtp_server_leaves_the_message_queued(smtp_config):
    message = _queue()
    now = utcnow()
    assert activity.deliver_outbox(smtp_sender, now=now) == (0, 1)
    message = _reload(message)
    assert (message.attempts, message.sent_at, message.failed_at) == (1, None, None)


def test_failed_attempt_records_the_error(smtp_config):
    message = _queue()
    activity.deliver_outbox(smtp_sender)
    assert "ConnectionRefusedError" in _reload(message).last_error


def test_failed_attempt_schedules_a_retry_later(smtp_config):
    message = _queue()
    now = utcnow()
    activity.deliver_outbox(smtp_sender, now=now)
    assert _reload(message).next_attempt_at > now


def test_reachable_smtp_server_gets_the_message_at_the_first_attempt(smtp_server):
    message = _queue()
    now = utcnow()
    activity.deliver_outbox(smtp_sender, now=now)
    message = _reload(message)
    assert (message.sent_at, message.attempts, len(smtp_server.messages)) == (now, 1, 1)


def test_retry_is_not_attempted_before_the_back_off(smtp_config):
    message = _queue()
    now = utcnow()
    activity.deliver_outbox(smtp_sender, now=now)
    assert activity.deliver_outbox(smtp_sender, now=now + timedelta(seconds=10)) == (0, 0)
    assert _reload(message).attempts == 1


def test_retry_after_the_back_off_delivers_over_smtp(smtp_config):
    message = _queue()
    now = utcnow()
    activity.deliver_outbox(smtp_sender, now=now)  # nothing listens yet
    retry_at = _reload(message).next_attempt_at + timedelta(seconds=1)

    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=smtp_config)
    controller.start()
    try:
        result = activity.deliver_outbox(smtp_sender, now=retry_at)
    finally:
        controller.stop()

    message = _reload(message)
    assert result == (1, 0)
    assert (message.sent_at, message.attempts, message.last_error) == (retry_at, 2, "")
    assert len(inbox.messages) == 1


def test_delivered_email_has_the_right_recipient_and_subject(smtp_server):
    _queue()
    activity.deliver_outbox(smtp_sender)
    received = smtp_server.messages[0]
    subject = str(email.header.make_header(email.header.decode_header(received["Subject"])))
    assert (smtp_server.recipients[0], received["To"], subject) == ([TO], TO, SUBJECT)


def test_delivered_email_carries_the_body(smtp_server):
    _queue()
    activity.deliver_outbox(smtp_sender)
    body = (
        smtp_server.messages[0].get_payload(decode=True).decode(smtp_server.messages[0].get_content_charset())
    )
    assert "Rendez-vous jeudi à 14 h." in body


def test_sent_message_is_not_sent_again(smtp_server):
    _queue()
    activity.deliver_outbox(smtp_sender)
    activity.deliver_outbox(smtp_sender, now=utcnow() + timedelta(days=1))
    assert len(smtp_server.messages) == 1


# --- giving up --------------------------------------------------------------------------


def test_message_fails_after_the_maximum_number_of_attempts(app, smtp_config, monkeypatch):
    monkeypatch.setitem(app.config, "OUTBOX_MAX_ATTEMPTS", 3)
    message = _queue()
    now = utcnow()
    for _ in range(3):
        activity.deliver_outbox(smtp_sender, now=now)
        now += timedelta(hours=7)  # past any back-off
    message = _reload(message)
    assert (message.attempts, message.failed_at is not None, message.sent_at) == (3, True, None)


def test_failed_message_is_never_attempted_again(app, smtp_config, monkeypatch):
    monkeypatch.setitem(app.config, "OUTBOX_MAX_ATTEMPTS", 1)
    message = _queue()
    activity.deliver_outbox(smtp_sender)
    assert activity.deliver_outbox(smtp_sender, now=utcnow() + timedelta(days=30)) == (0, 0)
    assert _reload(message).attempts == 1


def test_back_off_doubles_up_to_six_hours():
    delays = [activity.retry_delay(n) for n in (1, 2, 3, 4, 20)]
    assert delays == [
        timedelta(minutes=1),
        timedelta(minutes=2),
        timedelta(minutes=4),
        timedelta(minutes=8),
        timedelta(hours=6),
    ]


def test_one_failing_message_does_not_block_the_others(smtp_server):
    first = _queue()
    second = _queue()

    def flaky(message):
        if message.id == first.id:
            raise OSError("mailbox unavailable")
        smtp_sender(message)

    assert activity.deliver_outbox(flaky) == (1, 1)
    assert _reload(second).sent_at is not None and _reload(first).sent_at is None


# --- run-due ----------------------------------------------------------------------------


def test_run_due_delivers_through_the_console_without_mail_server(app, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "")
    message = _queue()
    result = app.test_cli_runner().invoke(args=["run-due"], catch_exceptions=False)
    assert result.exit_code == 0 and "emails sent: 1" in result.output
    assert _reload(message).sent_at is not None


def test_run_due_console_output_shows_the_message(app, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "")
    _queue()
    result = app.test_cli_runner().invoke(args=["run-due"], catch_exceptions=False)
    assert f"email to {TO}: {SUBJECT}" in result.output


def test_run_due_uses_smtp_when_a_mail_server_is_set(app, smtp_server):
    message = _queue()
    app.test_cli_runner().invoke(args=["run-due"], catch_exceptions=False)
    assert _reload(message).sent_at is not None and len(smtp_server.messages) == 1
