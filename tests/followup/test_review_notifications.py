"""Reviews requested and answered: who is notified when the team submits, shares, and reviewers answer."""

from __future__ import annotations

from sqlalchemy import select

from inquiry_hub.activity.models import Notification, OutboxMessage
from inquiry_hub.deliverables import services as deliverables
from inquiry_hub.extensions import db
from inquiry_hub.followup import notifications
from tests.conftest import login
from tests.deliverables.conftest import make_deliverable, share_now, text_version


def _recipients(kind: str) -> set[int]:
    return set(db.session.scalars(select(Notification.user_id).where(Notification.kind == kind)))


def _clear():
    db.session.execute(Notification.__table__.delete())
    db.session.commit()


def _base(version) -> str:
    return f"/inquiries/{version.inquiry_id}/deliverables/{version.deliverable_id}/versions/{version.id}"


def _draft(team):
    deliverable = make_deliverable(team["inquiry"], team["student"])
    return text_version(deliverable, team["student"])


def test_a_new_version_requests_the_tutors_review_only(team):
    _draft(team)
    assert _recipients("review.requested") == {team["tutor"].id}


def test_a_new_version_added_over_http_requests_the_review(client, team):
    deliverable = make_deliverable(team["inquiry"], team["student"])
    login(client, team["students"][1])
    response = client.post(
        f"/inquiries/{team['inquiry'].id}/deliverables/{deliverable.id}/versions/text",
        data={"body": "# Plan\n\nDeux parties.", "changelog": "plan"},
    )
    assert response.status_code == 302
    assert _recipients("review.requested") == {team["tutor"].id}


def test_sharing_requests_the_partners_review_and_tells_the_tutor_once(team):
    version = _draft(team)
    _clear()
    share_now(version)
    assert _recipients("review.requested") == {team["partner"].id}
    assert _recipients("deliverable.shared") == {team["tutor"].id}
    students = {u.id for u in team["students"]}
    assert not students & (_recipients("review.requested") | _recipients("deliverable.shared"))


def test_tutor_feedback_answers_every_student_but_not_the_tutor(client, team):
    version = _draft(team)
    _clear()
    login(client, team["tutor"])
    response = client.post(f"{_base(version)}/reviews", data={"verdict": "needs_work", "body": "Plus court"})
    assert response.status_code == 302
    assert _recipients("review.answered") == {u.id for u in team["students"]}
    assert _recipients("deliverable.reviewed") == set()


def test_partner_changes_request_answers_the_students(client, team):
    version = _draft(team)
    share_now(version)
    _clear()
    login(client, team["partner"])
    client.post(f"{_base(version)}/reviews", data={"verdict": "changes", "body": "Plus de chiffres"})
    assert _recipients("review.answered") == {u.id for u in team["students"]}


def test_partner_approval_is_one_approval_notice_not_an_answer(client, team):
    version = _draft(team)
    share_now(version)
    _clear()
    login(client, team["partner"])
    client.post(f"{_base(version)}/reviews", data={"verdict": "approve", "body": ""})
    assert _recipients("deliverable.approved") == {u.id for u in team["students"]} | {team["tutor"].id}
    assert _recipients("review.answered") == set()


def test_tutor_comment_answers_the_students(client, team):
    version = _draft(team)
    _clear()
    login(client, team["tutor"])
    client.post(f"{_base(version)}/comments", data={"anchor": "Premier jet", "body": "Trop court"})
    assert _recipients("review.answered") == {u.id for u in team["students"]}


def test_students_reply_answers_the_tutor_who_commented(team):
    version = _draft(team)
    comment = deliverables.add_comment(version, team["tutor"], "Trop court", "Premier jet")
    db.session.commit()
    _clear()
    deliverables.add_comment(version, team["students"][1], "Corrigé", parent=comment)
    db.session.commit()
    assert _recipients("review.answered") == {team["tutor"].id}


def test_a_students_own_comment_notifies_nobody(team):
    version = _draft(team)
    _clear()
    deliverables.add_comment(version, team["student"], "Note pour nous", "Premier jet")
    db.session.commit()
    assert _recipients("review.answered") == set()


def test_review_answered_by_email_follows_the_students_setting(client, team):
    student = team["students"][1]
    notifications.save_preferences(student, {"review.answered": "immediate"})
    db.session.commit()
    version = _draft(team)
    login(client, team["tutor"])
    client.post(f"{_base(version)}/reviews", data={"verdict": "ready", "body": "Bien"})
    sent = db.session.scalars(select(OutboxMessage).where(OutboxMessage.to_addr == student.email)).all()
    assert len(sent) == 1 and "Rapport final" in sent[0].subject
    assert (
        db.session.scalars(select(OutboxMessage).where(OutboxMessage.to_addr == team["student"].email)).all()
        == []
    )


def test_settings_page_offers_the_new_kinds_and_not_the_retired_one(client, team):
    login(client, team["student"])
    page = client.get("/me/notifications").get_data(as_text=True)
    assert 'name="task.checklist_assigned"' in page and 'name="review.answered"' in page
    assert 'name="deliverable.reviewed"' not in page
