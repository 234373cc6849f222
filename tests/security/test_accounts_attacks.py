"""Attacks on accounts: borrowing an invitation by email, credentials that outlive a change,
and a login lockout that tells who has an account or shuts its owner out.

Each attack has its positive control: the legitimate path really works (status and marker).
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from inquiry_hub.accounts import passwords
from inquiry_hub.accounts.models import User
from inquiry_hub.activity.models import OutboxMessage
from inquiry_hub.db import utcnow
from inquiry_hub.extensions import db
from inquiry_hub.inquiries import services as inquiries
from tests.api.conftest import Api, make_token
from tests.conftest import PASSWORD, login, make_inquiry, make_user

CO_TUTOR = "co-tutor@univ.example"
NEW_PASSWORD = "a fresh passphrase nobody knows"
THIEF_ADDRESS = "203.0.113.66"


def _fresh(user) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


def _messages_to(address: str) -> list[OutboxMessage]:
    return list(
        db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.to_addr == address).order_by(OutboxMessage.id)
        )
    )


def _link(address: str, path_prefix: str) -> str:
    """The last link starting with ``path_prefix`` emailed to ``address``."""
    for message in reversed(_messages_to(address)):
        found = re.search(re.escape(path_prefix) + r"[\w-]+", message.body)
        if found:
            return found.group(0)
    raise AssertionError(f"no {path_prefix} link emailed to {address}")


def _is_signed_in(client) -> bool:
    return client.get("/account/").status_code == 200


# --- 1. borrowing an invitation by taking the invited address -----------------------------


def _take_address(client, user, address):
    """Every way the account page offers to put ``address`` on the account, with the password."""
    client.post("/account/", data={"profile-name": user.name, "profile-email": address, "profile-locale": ""})
    client.post("/account/email", data={"email-email": address, "email-password": PASSWORD})


def _pass_invitation(client, app, team, how):
    """The team invites CO_TUTOR and the proposal passes, on the web or through the API."""
    from inquiry_hub.inquiries.models import Proposal

    inquiry, students = team["inquiry"], team["students"]
    if how == "any_member":
        inquiry.governance_rule = "any_member"
        db.session.commit()
    login(client, students[0])
    response = client.post(
        f"/inquiries/{inquiry.id}/members/invite", data={"email": CO_TUTOR, "role": "tutor"}
    )
    assert response.status_code == 302  # the invitation itself is accepted
    if how == "any_member":
        return
    proposal = db.session.scalar(select(Proposal).where(Proposal.action == "members.invite"))
    if how == "consent_web":
        for student in students:
            browser = app.test_client()
            login(browser, student)
            browser.post(
                f"/inquiries/{inquiry.id}/decisions/{proposal.id}/position", data={"stance": "agree"}
            )
    elif how == "consent_api":
        for student in students:
            Api(app.test_client(), make_token(student)).put(
                f"/api/v1/proposals/{proposal.id}/position", json={"stance": "agree"}
            )
    db.session.expire_all()
    assert proposal.status == "passed"  # the decision itself did go through


@pytest.mark.parametrize("how", ["any_member", "consent_web", "consent_api"])
def test_outsider_taking_the_invited_address_does_not_join(app, client, team, how):
    outsider = team["outsider"]
    thief = app.test_client()
    login(thief, outsider)
    _take_address(thief, outsider, CO_TUTOR)
    _pass_invitation(client, app, team, how)
    assert inquiries.membership_of(team["inquiry"], outsider.id) is None
    assert thief.get(f"/inquiries/{team['inquiry'].id}/fieldwork/").status_code == 404


@pytest.mark.parametrize("how", ["any_member", "consent_web", "consent_api"])
def test_positive_control_the_real_invitee_joins_through_the_emailed_link(app, client, team, how):
    thief = app.test_client()
    login(thief, team["outsider"])
    _take_address(thief, team["outsider"], CO_TUTOR)
    _pass_invitation(client, app, team, how)
    invitee = app.test_client()
    path = _link(CO_TUTOR, "/auth/invitation/")
    invitee.post(path, data={"name": "Co Tutor", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    page = invitee.get(f"/inquiries/{team['inquiry'].id}/")
    assert page.status_code == 200 and team["inquiry"].title in page.get_data(as_text=True)


def test_an_existing_account_with_the_invited_address_is_not_added_by_the_decision(app, client, team):
    holder = make_user("Holder", email=CO_TUTOR)
    _pass_invitation(client, app, team, "any_member")
    assert inquiries.membership_of(team["inquiry"], holder.id) is None


def test_positive_control_the_existing_account_joins_when_it_opens_the_link(app, client, team):
    holder = make_user("Holder", email=CO_TUTOR)
    _pass_invitation(client, app, team, "any_member")
    browser = app.test_client()
    login(browser, holder)
    browser.post(_link(CO_TUTOR, "/auth/invitation/"))
    assert inquiries.membership_of(team["inquiry"], holder.id).role == "tutor"


def test_admin_first_members_are_not_added_by_email_match(client, team):
    holder = make_user("Holder", email=CO_TUTOR)
    inquiry = make_inquiry()
    inquiries.invite(inquiry, CO_TUTOR, "tutor", actor=team["admin"])
    db.session.commit()
    assert inquiries.membership_of(inquiry, holder.id) is None and _messages_to(CO_TUTOR)


# --- 2. the email address changes only from the new mailbox, with the password -------------


def test_stolen_session_cannot_change_the_email_without_the_password(app, team):
    victim = team["student"]
    old = victim.email
    thief = app.test_client()
    login(thief, victim)
    thief.post(
        "/account/", data={"profile-name": victim.name, "profile-email": CO_TUTOR, "profile-locale": ""}
    )
    thief.post("/account/email", data={"email-email": CO_TUTOR, "email-password": "a wrong guess"})
    assert _fresh(victim).email == old and not _messages_to(CO_TUTOR)


def test_email_change_waits_for_the_link_sent_to_the_new_address(client, team):
    user = team["student"]
    old = user.email
    login(client, user)
    response = client.post("/account/email", data={"email-email": CO_TUTOR, "email-password": PASSWORD})
    assert response.status_code == 302
    assert _fresh(user).email == old  # nothing changes before the link is opened
    assert "/account/email/" in _messages_to(CO_TUTOR)[-1].body
    assert CO_TUTOR in _messages_to(old)[-1].body  # the old address is told


def test_positive_control_opening_the_link_changes_the_email(client, team):
    user = team["student"]
    login(client, user)
    client.post("/account/email", data={"email-email": CO_TUTOR, "email-password": PASSWORD})
    path = _link(CO_TUTOR, "/account/email/")
    assert client.get(path).status_code == 200
    assert client.post(path).status_code == 302
    assert _fresh(user).email == CO_TUTOR


def test_email_change_link_is_single_use(app, client, team):
    user = team["student"]
    login(client, user)
    client.post("/account/email", data={"email-email": CO_TUTOR, "email-password": PASSWORD})
    path = _link(CO_TUTOR, "/account/email/")
    client.post(path)
    assert app.test_client().post(path).status_code == 410


def test_email_change_link_expires(client, team, monkeypatch):
    user = team["student"]
    login(client, user)
    client.post("/account/email", data={"email-email": CO_TUTOR, "email-password": PASSWORD})
    path = _link(CO_TUTOR, "/account/email/")
    later = utcnow() + timedelta(days=2)
    monkeypatch.setattr("inquiry_hub.accounts.models.utcnow", lambda: later)
    assert client.post(path).status_code == 410 and _fresh(user).email != CO_TUTOR


def test_confirming_an_address_another_account_took_meanwhile_fails_cleanly(client, team):
    user = team["student"]
    login(client, user)
    client.post("/account/email", data={"email-email": CO_TUTOR, "email-password": PASSWORD})
    path = _link(CO_TUTOR, "/account/email/")
    make_user("Quicker", email=CO_TUTOR)
    response = client.post(path)
    assert response.status_code == 409 and _fresh(user).email != CO_TUTOR


# --- 3. a change of credentials ends what the old ones opened -----------------------------


def _change_password(browser, user):
    browser.post(
        "/account/password",
        data={
            "password-current": PASSWORD,
            "password-password": NEW_PASSWORD,
            "password-confirm": NEW_PASSWORD,
        },
    )
    assert passwords.verify_password(_fresh(user).password_hash, NEW_PASSWORD)


def _reset_password(browser, user):
    browser.post("/auth/reset", data={"email": user.email})
    path = _link(user.email, "/auth/reset/")
    browser.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert passwords.verify_password(_fresh(user).password_hash, NEW_PASSWORD)


def _change_email(browser, user):
    browser.post("/account/email", data={"email-email": CO_TUTOR, "email-password": PASSWORD})
    browser.post(_link(CO_TUTOR, "/account/email/"))
    assert _fresh(user).email == CO_TUTOR


CHANGES = {
    "password change": _change_password,
    "password reset": _reset_password,
    "email change": _change_email,
}


@pytest.fixture
def victim_with_credentials(app, team):
    """A student signed in on a second browser, with an API token and an unused reset link."""
    user = team["student"]
    other_browser = app.test_client()
    login(other_browser, user)
    api = Api(app.test_client(), make_token(user))
    app.test_client().post("/auth/reset", data={"email": user.email})
    old_reset = _link(user.email, "/auth/reset/")
    # Positive controls: each of them works before the change.
    assert _is_signed_in(other_browser)
    assert api.get("/api/v1/me").status_code == 200
    assert app.test_client().get(old_reset).status_code == 200
    return {"user": user, "other_browser": other_browser, "api": api, "old_reset": old_reset}


@pytest.mark.parametrize("change", CHANGES)
def test_a_change_ends_the_other_sessions(app, victim_with_credentials, change):
    browser = app.test_client()
    login(browser, victim_with_credentials["user"])
    assert _is_signed_in(victim_with_credentials["other_browser"])  # control: signed in before the change
    CHANGES[change](browser, victim_with_credentials["user"])
    assert not _is_signed_in(victim_with_credentials["other_browser"])


@pytest.mark.parametrize("change", CHANGES)
def test_a_change_revokes_the_api_tokens(app, victim_with_credentials, change):
    browser = app.test_client()
    login(browser, victim_with_credentials["user"])
    CHANGES[change](browser, victim_with_credentials["user"])
    assert victim_with_credentials["api"].get("/api/v1/me").status_code == 401


@pytest.mark.parametrize("change", CHANGES)
def test_a_change_voids_the_other_reset_links(app, victim_with_credentials, change):
    browser = app.test_client()
    login(browser, victim_with_credentials["user"])
    CHANGES[change](browser, victim_with_credentials["user"])
    assert app.test_client().get(victim_with_credentials["old_reset"]).status_code == 410


@pytest.mark.parametrize("change", CHANGES)
def test_a_change_ends_the_calendar_feed_address(app, team, change):
    browser = app.test_client()
    login(browser, team["student"])
    page = browser.post("/calendar/feed").get_data(as_text=True)
    feed = re.search(r"/calendar/[\w-]+\.ics", page).group(0)
    assert app.test_client().get(feed).status_code == 200  # positive control
    CHANGES[change](browser, team["student"])
    assert app.test_client().get(feed).status_code == 404


@pytest.mark.parametrize("change", ["password change", "email change"])
def test_positive_control_the_session_that_made_the_change_stays_in(app, team, change):
    browser = app.test_client()
    login(browser, team["student"])
    CHANGES[change](browser, team["student"])
    assert _is_signed_in(browser)


@pytest.mark.parametrize("change", ["password change", "password reset"])
def test_a_password_change_voids_a_pending_email_change(app, team, change):
    user = team["student"]
    thief = app.test_client()
    login(thief, user)
    thief.post("/account/email", data={"email-email": CO_TUTOR, "email-password": PASSWORD})
    pending = _link(CO_TUTOR, "/account/email/")
    assert app.test_client().get(pending).status_code == 200  # positive control
    browser = app.test_client()
    login(browser, user)
    CHANGES[change](browser, user)
    assert app.test_client().post(pending).status_code == 410 and _fresh(user).email != CO_TUTOR


# --- 4. the login lockout tells nothing and shuts nobody out -----------------------------


def _attempt(client, email, password="not the password!", address=THIEF_ADDRESS):
    return client.post(
        "/auth/login", data={"email": email, "password": password}, environ_base={"REMOTE_ADDR": address}
    )


def _answer(response) -> tuple[int, str]:
    html = re.sub(r'name="csrf_token"[^>]*>', "", response.get_data(as_text=True))
    return response.status_code, re.sub(r'value="[^"]*@[^"]*"', "", html)


def test_lockout_answers_the_same_for_known_and_unknown_addresses(app):
    known = make_user()
    attempts = app.config["LOGIN_MAX_FAILURES"] + 2
    seen = [
        [_answer(_attempt(app.test_client(), email)) for _ in range(attempts)]
        for email in (known.email, "nobody.here@test.example")
    ]
    assert seen[0] == seen[1]
    assert seen[0][-1][0] == 429  # positive control: the repeated failures are throttled


def test_unknown_and_known_addresses_cost_the_same_password_hashing(app, monkeypatch):
    known = make_user()
    _attempt(app.test_client(), "warm.up@test.example")  # a one-time set-up may hash once
    work = []
    for method in ("hash", "verify"):
        original = getattr(PasswordHasher, method)

        def counting(self, *args, _original=original, _method=method, **kwargs):
            work.append(_method)
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(PasswordHasher, method, counting)
    costs = []
    for email in (known.email, "nobody.here@test.example"):
        work.clear()
        _attempt(app.test_client(), email, address="198.51.100.7")
        costs.append(list(work))
        for _ in range(app.config["LOGIN_MAX_FAILURES"]):
            _attempt(app.test_client(), email, address="198.51.100.7")
        costs.append(list(work))
    assert costs[0] == costs[2] == ["verify"]  # positive control: a wrong password is really checked
    assert costs[1] == costs[3]


def test_failures_from_elsewhere_do_not_shut_the_owner_out(app):
    owner = make_user()
    for n in range(30):
        _attempt(app.test_client(), owner.email, address=f"203.0.113.{n + 1}")
        _attempt(app.test_client(), owner.email)
    response = _attempt(app.test_client(), owner.email, PASSWORD, address="192.0.2.10")
    assert response.status_code == 302


def test_positive_control_the_guessing_address_is_throttled_even_with_the_right_password(app):
    owner = make_user()
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        _attempt(app.test_client(), owner.email)
    assert _attempt(app.test_client(), owner.email, PASSWORD).status_code == 429


def test_account_delay_answers_like_the_per_address_limit(app, monkeypatch):
    owner = make_user()
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        _attempt(app.test_client(), owner.email)
    delayed = _attempt(app.test_client(), owner.email)
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT", "1 per minute")
    _attempt(app.test_client(), "someone@test.example", address="192.0.2.99")
    limited = _attempt(app.test_client(), "someone@test.example", address="192.0.2.99")
    assert _answer(delayed) == _answer(limited) and delayed.status_code == 429
    assert "Retry-After" in delayed.headers


def test_the_delay_grows_with_each_failure_after_it(app, monkeypatch):
    owner = make_user()
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        _attempt(app.test_client(), owner.email)
    first = int(_attempt(app.test_client(), owner.email).headers["Retry-After"])
    later = utcnow() + timedelta(seconds=first + 1)
    monkeypatch.setattr("inquiry_hub.accounts.throttle.utcnow", lambda: later)
    assert _attempt(app.test_client(), owner.email).status_code == 200  # the wait is over
    second = int(_attempt(app.test_client(), owner.email).headers["Retry-After"])
    assert second > first


def test_the_reset_link_works_for_a_throttled_account(app):
    owner = make_user()
    for _ in range(app.config["LOGIN_MAX_FAILURES"] + 3):
        _attempt(app.test_client(), owner.email)
    browser = app.test_client()
    browser.post("/auth/reset", data={"email": owner.email}, environ_base={"REMOTE_ADDR": THIEF_ADDRESS})
    browser.post(_link(owner.email, "/auth/reset/"), data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert _attempt(browser, owner.email, NEW_PASSWORD).status_code == 302


def test_many_addresses_failing_on_one_account_each_wait_sooner(app):
    owner = make_user()
    limit = app.config["LOGIN_ACCOUNT_MAX_FAILURES"]
    for n in range(limit):
        _attempt(app.test_client(), owner.email, address=f"198.18.{n // 200}.{n % 200 + 1}")
    _attempt(app.test_client(), owner.email, address="198.19.0.1")
    assert _attempt(app.test_client(), owner.email, address="198.19.0.1").status_code == 429
    # positive control: the owner, from an address that never failed, still signs in
    assert _attempt(app.test_client(), owner.email, PASSWORD, address="192.0.2.10").status_code == 302


def test_closing_the_account_voids_a_pending_email_change(app, team):
    user = team["student"]
    browser = app.test_client()
    login(browser, user)
    browser.post("/account/email", data={"email-email": CO_TUTOR, "email-password": PASSWORD})
    pending = _link(CO_TUTOR, "/account/email/")
    assert app.test_client().get(pending).status_code == 200  # positive control
    assert browser.post("/me/close", data={"password": PASSWORD, "confirm": "y"}).status_code == 302
    assert app.test_client().post(pending).status_code == 410 and _fresh(user).email != CO_TUTOR


def test_a_guesser_on_the_owners_network_does_not_make_the_owners_browser_wait(app):
    owner = make_user()
    owner_browser = app.test_client()
    assert _attempt(owner_browser, owner.email, PASSWORD).status_code == 302  # earlier visit
    owner_browser.post("/auth/logout")
    for _ in range(app.config["LOGIN_MAX_FAILURES"] * 2):
        _attempt(app.test_client(), owner.email)  # same public address, another browser
    # positive control: that address is really throttled for a browser the owner never used
    assert _attempt(app.test_client(), owner.email, PASSWORD).status_code == 429
    assert _attempt(owner_browser, owner.email, PASSWORD).status_code == 302


def test_a_forged_or_borrowed_device_cookie_does_not_escape_the_delay(app):
    owner = make_user()
    guesser = make_user()
    browser = app.test_client()
    _attempt(browser, guesser.email, PASSWORD)  # a genuine device cookie, for the guesser's own email
    browser.post("/auth/logout")
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        _attempt(browser, owner.email)
    assert _attempt(browser, owner.email, PASSWORD).status_code == 429
    browser.set_cookie("ih_device", "forged.value")
    assert _attempt(browser, owner.email, PASSWORD).status_code == 429
    assert _attempt(browser, guesser.email, PASSWORD).status_code == 302  # positive control
