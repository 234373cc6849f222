"""Notifications of each kind, email at once or in a daily digest, in the reader's language."""

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from inquiry_hub.activity import services as activity
from inquiry_hub.activity.models import Notification, OutboxMessage
from inquiry_hub.db import utcnow
from inquiry_hub.deliverables import notifications as deliverable_notifications
from inquiry_hub.extensions import db
from inquiry_hub.followup import notifications
from inquiry_hub.inquiries import engine
from inquiry_hub.tasks import services as tasks
from tests.conftest import login, make_inquiry, make_user
from tests.followup.conftest import add_task


def _kinds(user) -> list[str]:
    return list(db.session.scalars(select(Notification.kind).where(Notification.user_id == user.id)))


def _outbox(to: str) -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.to_addr == to)))


def test_assignment_notifies_the_assignee(team):
    column = tasks.columns_of(team["inquiry"])[0]
    tasks.create_task(
        team["inquiry"],
        title="Relancer",
        column=column,
        actor=team["student"],
        assignees=[team["students"][1]],
    )
    db.session.commit()
    assert "task.assigned" in _kinds(team["students"][1])


def test_due_date_coming_notifies_assignees_the_day_before_once(team):
    today = date(2027, 1, 10)
    add_task(
        team["inquiry"], "Due tomorrow", due_on=today + timedelta(days=1), assignees=team["students"][:1]
    )
    add_task(team["inquiry"], "Due later", due_on=today + timedelta(days=3), assignees=team["students"][:1])
    add_task(
        team["inquiry"],
        "Done already",
        "done",
        due_on=today + timedelta(days=1),
        assignees=team["students"][:1],
    )
    db.session.commit()
    assert notifications.notify_due_soon(today) == 1
    assert notifications.notify_due_soon(today) == 0
    db.session.commit()
    assert _kinds(team["student"]).count("task.due_soon") == 1


def test_due_date_reminder_delay_is_configurable(app, team):
    today = date(2027, 1, 10)
    add_task(
        team["inquiry"], "In three days", due_on=today + timedelta(days=3), assignees=team["students"][:1]
    )
    db.session.commit()
    app.config["DUE_REMINDER_DAYS"] = 3
    try:
        assert notifications.notify_due_soon(today) == 1
    finally:
        app.config.pop("DUE_REMINDER_DAYS")


def test_review_hooks_notify_requested_and_answered(team):
    deliverable_notifications.notify_review_requested(
        [team["tutor"]], team["inquiry"], "Note de cadrage", "/x"
    )
    deliverable_notifications.notify_review_answered(
        [team["student"]], team["inquiry"], team["tutor"], "Note de cadrage", "/x"
    )
    db.session.commit()
    assert "review.requested" in _kinds(team["tutor"]) and "review.answered" in _kinds(team["student"])


def test_proposal_opened_and_block_notify_the_team(team):
    proposal = engine.open_free_proposal(
        team["inquiry"], team["student"], "Changer de terrain", "", "consent", utcnow() + timedelta(days=2)
    )
    engine.take_position(proposal, team["students"][1], "block", "Trop tard")
    db.session.commit()
    kinds = _kinds(team["students"][2])
    assert "proposal.opened" in kinds and "proposal.blocked" in kinds


def test_proposal_closing_soon_reminds_who_has_not_answered(team):
    from inquiry_hub.governance.services.decisions import send_reminders

    engine.open_free_proposal(
        team["inquiry"], team["student"], "Choisir la date", "", "consent", utcnow() + timedelta(hours=12)
    )
    db.session.commit()
    send_reminders()
    db.session.commit()
    assert "proposal.reminder" in _kinds(team["students"][1])


@pytest.mark.parametrize("kind", sorted(notifications.KIND_LABELS))
def test_every_offered_kind_has_a_message(kind):
    assert kind in activity.NOTIFICATIONS


def test_immediate_choice_queues_an_email_at_once(team):
    student = team["students"][1]
    notifications.save_preferences(student, {"review.answered": "immediate"})
    deliverable_notifications.notify_review_answered(
        [student], team["inquiry"], team["tutor"], "Rapport", "/inquiries/1/x"
    )
    db.session.commit()
    [message] = _outbox(student.email)
    assert "Rapport" in message.subject and "http://localhost/inquiries/1/x" in message.body


def test_in_app_only_queues_no_email(team):
    deliverable_notifications.notify_review_answered(
        [team["student"]], team["inquiry"], team["tutor"], "Rapport", "/x"
    )
    db.session.commit()
    assert "review.answered" in _kinds(team["student"])  # control: notified in the app
    assert _outbox(team["student"].email) == []


def _digest_world(locale: str):
    reader = make_user("Reader", locale=locale)
    first = make_inquiry("Première enquête", students=[reader])
    second = make_inquiry("Seconde enquête", students=[reader])
    notifications.save_preferences(reader, {"review.requested": "digest", "task.due_soon": "digest"})
    db.session.commit()
    now = utcnow()
    for inquiry, title in ((first, "Rapport A"), (second, "Note B"), (first, "Synthèse C")):
        activity.notify([reader], "review.requested", inquiry, url="/x", title=title)
    db.session.commit()
    return reader, now


def test_digest_groups_news_by_inquiry(team):
    reader, now = _digest_world("en")
    assert notifications.send_digests(now + timedelta(minutes=1)) == 1
    [message] = _outbox(reader.email)
    body = message.body
    first, second = body.index("== Première enquête =="), body.index("== Seconde enquête ==")
    assert first < body.index("Rapport A") < body.index("Synthèse C") < second < body.index("Note B")


def test_digest_is_sent_once_a_day(team):
    reader, now = _digest_world("en")
    notifications.send_digests(now + timedelta(minutes=1))
    assert notifications.send_digests(now + timedelta(minutes=2)) == 0


def test_digest_is_written_in_english_for_an_english_reader(team):
    reader, now = _digest_world("en")
    notifications.send_digests(now + timedelta(minutes=1))
    assert "Your review is requested" in _outbox(reader.email)[0].body


def test_digest_is_written_in_french_for_a_french_reader(team):
    reader, now = _digest_world("fr")
    notifications.send_digests(now + timedelta(minutes=1))
    body = _outbox(reader.email)[0].body
    assert "Bonjour" in body and "Hello" not in body


def test_nothing_new_sends_no_digest(team):
    reader = make_user("Quiet")
    notifications.save_preferences(reader, {"review.requested": "digest"})
    db.session.commit()
    assert notifications.send_digests(datetime(2030, 1, 1)) == 0


def test_settings_page_saves_choices(client, team):
    login(client, team["student"])
    page = client.get("/me/notifications")
    assert page.status_code == 200 and "A task of mine is due soon" in page.get_data(as_text=True)
    client.post("/me/notifications", data={"task.due_soon": "digest", "task.assigned": "immediate"})
    prefs = notifications.preferences(team["student"])
    assert (prefs["task.due_soon"], prefs["task.assigned"], prefs["proposal.opened"]) == (
        "digest",
        "immediate",
        "never",
    )


def test_settings_ignore_unknown_values(team):
    notifications.save_preferences(team["student"], {"task.due_soon": "fax"})
    assert notifications.preferences(team["student"])["task.due_soon"] == "never"


def test_run_due_composes_digests(app, team):
    reader, _now = _digest_world("en")
    result = app.test_cli_runner().invoke(args=["run-due"])
    assert "digests: 1" in result.output
