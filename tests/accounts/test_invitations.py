"""Invitations: a single-use, expiring, hashed link that brings a person into one inquiry."""

import re
from datetime import date, timedelta

from sqlalchemy import func, select, text

from inquiry_hub import policy
from inquiry_hub.accounts import services as accounts
from inquiry_hub.accounts.models import Invitation, User
from inquiry_hub.activity.models import OutboxMessage
from inquiry_hub.db import utcnow
from inquiry_hub.extensions import db
from inquiry_hub.inquiries import services as inquiries
from inquiry_hub.inquiries.models import Cohort, Membership, Organisation
from tests.conftest import login, make_inquiry, make_user

NEW_PASSWORD = "a long enough passphrase"
INVITEE = "new.person@test.example"


def _invite(email=INVITEE, role=policy.Role.STUDENT):
    inquiry = make_inquiry(students=[make_user()])
    invitation, token = accounts.create_invitation(inquiry, email, role)
    db.session.commit()
    return inquiry, invitation, token


def _accept(client, token, name="New Person"):
    return client.post(
        f"/auth/invitation/{token}",
        data={"name": name, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _membership(inquiry, email):
    return db.session.scalar(
        select(Membership)
        .join(User, User.id == Membership.user_id)
        .where(Membership.inquiry_id == inquiry.id, User.email == email)
    )


# --- a new person -----------------------------------------------------------------------


def test_invitation_page_shows_the_account_form(client):
    _, _, token = _invite()
    response = client.get(f"/auth/invitation/{token}")
    assert response.status_code == 200 and 'name="password"' in response.get_data(as_text=True)


def test_accepting_creates_the_account_with_the_chosen_password(client):
    _, _, token = _invite()
    _accept(client, token)
    user = accounts.find_user(INVITEE)
    assert user is not None and user.name == "New Person"
    assert accounts.authenticate(INVITEE, NEW_PASSWORD, "127.0.0.1") is not None


def test_accepting_creates_the_membership_with_the_invited_role(client):
    inquiry, _, token = _invite(role=policy.Role.PARTNER)
    _accept(client, token)
    assert _membership(inquiry, INVITEE).role == "partner"


def test_accepting_logs_in_and_lands_on_the_inquiry(client):
    inquiry, _, token = _invite()
    response = _accept(client, token)
    assert response.headers["Location"] == f"/inquiries/{inquiry.id}/"
    assert client.get(f"/inquiries/{inquiry.id}/").status_code == 200


def test_accepting_marks_the_invitation_used(client):
    _, invitation, token = _invite()
    _accept(client, token)
    db.session.expire_all()
    assert invitation.accepted_at is not None and invitation.accepted_by_id == accounts.find_user(INVITEE).id


def test_accepting_refuses_a_short_password(client):
    _, _, token = _invite()
    response = client.post(
        f"/auth/invitation/{token}", data={"name": "New Person", "password": "short", "confirm": "short"}
    )
    assert response.status_code == 200 and accounts.find_user(INVITEE) is None


def test_reused_invitation_is_gone(app, client):
    _, _, token = _invite()
    _accept(client, token)
    response = _accept(app.test_client(), token, name="Someone Else")
    assert response.status_code == 410


def test_reused_invitation_creates_nothing(app, client):
    _, _, token = _invite()
    _accept(client, token)
    counts = (_count(User), _count(Membership))
    _accept(app.test_client(), token, name="Someone Else")
    assert (_count(User), _count(Membership)) == counts


def test_expired_invitation_is_gone(client):
    _, invitation, token = _invite()
    invitation.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert client.get(f"/auth/invitation/{token}").status_code == 410


def test_expired_invitation_cannot_be_accepted(client):
    _, invitation, token = _invite()
    invitation.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    response = _accept(client, token)
    assert response.status_code == 410 and accounts.find_user(INVITEE) is None


def test_invitation_lasts_the_configured_number_of_days(app):
    _, invitation, _ = _invite()
    lifetime = invitation.expires_at - invitation.created_at
    assert abs(lifetime - timedelta(days=app.config["INVITATION_DAYS"])) < timedelta(minutes=1)


def test_unknown_token_is_gone(client):
    assert client.get("/auth/invitation/not-a-real-token").status_code == 410


def test_token_is_stored_hashed(client):
    _, invitation, token = _invite()
    row = db.session.execute(text("SELECT * FROM invitations WHERE id = :id"), {"id": invitation.id}).one()
    assert all(token not in str(value) for value in row)
    assert row.token_hash == accounts.token_hash(token)


# --- a person who already has an account ------------------------------------------------


def test_existing_account_is_sent_to_log_in_first(client):
    _, _, token = _invite()
    make_user(email=INVITEE)
    response = client.get(f"/auth/invitation/{token}")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login?next=")


def test_whoever_opens_the_link_signed_in_joins_with_their_own_account(client):
    inquiry, _, token = _invite()
    make_user(email=INVITEE)
    other = make_user()
    login(client, other)
    client.post(f"/auth/invitation/{token}")
    assert _membership(inquiry, INVITEE) is None and _membership(inquiry, other.email) is not None


def test_join_page_names_the_account_that_will_join(client):
    _, _, token = _invite()
    other = make_user()
    login(client, other)
    page = client.get(f"/auth/invitation/{token}")
    assert page.status_code == 200 and other.email in page.get_data(as_text=True)


def test_signed_in_join_uses_the_link(app, client):
    _, _, token = _invite()
    login(client, make_user())
    client.post(f"/auth/invitation/{token}")
    browser = app.test_client()
    login(browser, make_user())
    assert browser.post(f"/auth/invitation/{token}").status_code == 410


def test_existing_account_joins_after_logging_in_as_that_address(client):
    inquiry, _, token = _invite(role=policy.Role.TUTOR)
    user = make_user(email=INVITEE)
    client.get(f"/auth/invitation/{token}")
    client.post(f"/auth/login?next=/auth/invitation/{token}", data={"email": INVITEE, "password": "x"})
    login(client, user)
    response = client.post(f"/auth/invitation/{token}")
    assert response.headers["Location"] == f"/inquiries/{inquiry.id}/"
    assert _membership(inquiry, INVITEE).role == "tutor"


def test_existing_account_keeps_its_password_when_joining(client):
    _, _, token = _invite()
    user = make_user(email=INVITEE)
    old_hash = user.password_hash
    login(client, user)
    client.post(
        f"/auth/invitation/{token}", data={"name": "X", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    )
    db.session.expire_all()
    assert db.session.get(User, user.id).password_hash == old_hash


# --- the email ---------------------------------------------------------------------------


def _invitation_email():
    return db.session.scalars(select(OutboxMessage).where(OutboxMessage.to_addr == INVITEE)).one()


def test_inviting_a_new_address_queues_an_email_with_the_link(app):
    inquiry = make_inquiry(students=[make_user()])
    inquiries.invite(inquiry, INVITEE, policy.Role.STUDENT)  # outside a request, as run-due does
    db.session.commit()
    body = _invitation_email().body
    assert re.search(re.escape(app.config["BASE_URL"]) + r"/auth/invitation/[\w-]{20,}", body)


def test_link_in_the_email_opens_the_invitation(client):
    inquiry = make_inquiry(students=[make_user()])
    inquiries.invite(inquiry, INVITEE, policy.Role.STUDENT)
    db.session.commit()
    path = re.search(r"/auth/invitation/[\w-]+", _invitation_email().body).group(0)
    assert client.get(path).status_code == 200


def test_invitation_email_names_the_inquiry(client):
    inquiry = make_inquiry("Les ruches partagées", students=[make_user()])
    inquiries.invite(inquiry, INVITEE, policy.Role.STUDENT)
    db.session.commit()
    message = _invitation_email()
    assert "Les ruches partagées" in message.subject and "Les ruches partagées" in message.body


def test_inviting_an_existing_account_sends_a_link_and_adds_nobody(client):
    inquiry = make_inquiry(students=[make_user()])
    make_user(email=INVITEE)
    inquiries.invite(inquiry, INVITEE, policy.Role.STUDENT)
    db.session.commit()
    assert (_membership(inquiry, INVITEE), _count(Invitation)) == (None, 1)
    assert "/auth/invitation/" in _invitation_email().body


def test_admin_invites_each_listed_address_once(client):
    admin = make_user(admin=True)
    make_user(email=INVITEE)
    login(client, admin)
    cohort = Cohort(name="C", starts_on=date(2026, 9, 1), ends_on=date(2027, 8, 31))
    organisation = Organisation(name="O", legal_form="association")
    db.session.add_all([cohort, organisation])
    db.session.commit()
    response = client.post(
        "/admin/inquiries/new",
        data={
            "title": "Nouvelle enquête",
            "question": "",
            "organisation_id": organisation.id,
            "cohort_id": cohort.id,
            "starts_on": "2026-10-01",
            "ends_on": "2027-06-30",
            "students": f"{INVITEE}\n{INVITEE.upper()}",
            "tutors": INVITEE,
            "partners": "",
        },
    )
    assert response.status_code == 302
    assert (_count(Membership), _count(Invitation)) == (0, 1)


def test_a_member_opening_someone_elses_link_leaves_it_unused(app, client):
    inquiry, invitation, token = _invite()
    member = make_user()
    inquiries.add_member(inquiry, member, policy.Role.STUDENT)
    db.session.commit()
    login(client, member)
    client.post(f"/auth/invitation/{token}")
    fresh = app.test_client()
    assert fresh.get(f"/auth/invitation/{token}").status_code == 200


def test_a_link_used_meanwhile_is_gone_not_an_error(client):
    inquiry, invitation, token = _invite()
    login(client, make_user())
    page = client.get(f"/auth/invitation/{token}")
    db.session.execute(
        Invitation.__table__.update().where(Invitation.id == invitation.id).values(accepted_at=utcnow())
    )
    db.session.commit()
    assert page.status_code == 200 and client.post(f"/auth/invitation/{token}").status_code == 410
