"""Password reset by emailed single-use link, and the account page."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from inquiry_hub.accounts import passwords
from inquiry_hub.accounts.models import PasswordResetToken, User
from inquiry_hub.activity.models import OutboxMessage
from inquiry_hub.db import utcnow
from inquiry_hub.extensions import db
from tests.conftest import PASSWORD, login, make_user

NEW_PASSWORD = "my recovered passphrase"


def _outbox() -> list[OutboxMessage]:
    return db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()


def _request_reset(client, email):
    return client.post("/auth/reset", data={"email": email})


def _reset_path(client, user) -> str:
    _request_reset(client, user.email)
    message = [m for m in _outbox() if m.to_addr == user.email][-1]
    return re.search(r"/auth/reset/[\w-]+", message.body).group(0)


def _choose(client, path, password=NEW_PASSWORD):
    return client.post(path, data={"password": password, "confirm": password})


def _fresh(user) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


# --- asking for a link ------------------------------------------------------------------


def test_reset_request_answers_the_same_for_known_and_unknown_addresses(client):
    user = make_user()
    known = _request_reset(client, user.email)
    unknown = _request_reset(client, "nobody.here@test.example")
    assert (known.status_code, known.headers["Location"]) == (
        unknown.status_code,
        unknown.headers["Location"],
    )


def test_reset_request_page_after_the_request_is_the_same_for_both(app):
    user = make_user()
    pages = []
    for email in (user.email, "nobody.here@test.example"):
        browser = app.test_client()
        _request_reset(browser, email)
        page = browser.get("/auth/login").get_data(as_text=True)
        pages.append(re.sub(r'name="csrf_token"[^>]*>', "", page))
    assert pages[0] == pages[1]


def test_reset_request_emails_only_an_existing_address(client):
    user = make_user()
    _request_reset(client, user.email)
    _request_reset(client, "nobody.here@test.example")
    assert [m.to_addr for m in _outbox()] == [user.email]


def test_reset_email_holds_an_absolute_link(app, client):
    user = make_user()
    _request_reset(client, user.email)
    assert re.search(re.escape(app.config["BASE_URL"]) + r"/auth/reset/[\w-]{20,}", _outbox()[0].body)


def test_reset_token_is_stored_hashed(client):
    user = make_user()
    path = _reset_path(client, user)
    token = path.rsplit("/", 1)[1]
    stored = db.session.scalars(select(PasswordResetToken.token_hash)).one()
    assert stored != token and token not in stored


# --- using the link ---------------------------------------------------------------------


def test_reset_link_changes_the_password(client):
    user = make_user()
    path = _reset_path(client, user)
    _choose(client, path)
    assert passwords.verify_password(_fresh(user).password_hash, NEW_PASSWORD)


def test_reset_link_works_only_once(client):
    user = make_user()
    path = _reset_path(client, user)
    _choose(client, path)
    assert _choose(client, path, "yet another passphrase").status_code == 410


def test_reused_reset_link_leaves_the_password_alone(client):
    user = make_user()
    path = _reset_path(client, user)
    _choose(client, path)
    _choose(client, path, "yet another passphrase")
    assert passwords.verify_password(_fresh(user).password_hash, NEW_PASSWORD)


@pytest.mark.parametrize(("minutes", "status"), [(59, 200), (61, 410)])
def test_reset_link_expires_after_one_hour(client, monkeypatch, minutes, status):
    user = make_user()
    path = _reset_path(client, user)
    later = utcnow() + timedelta(minutes=minutes)
    monkeypatch.setattr("inquiry_hub.accounts.models.utcnow", lambda: later)
    assert client.get(path).status_code == status


def test_unknown_reset_token_is_gone(client):
    assert client.get("/auth/reset/not-a-real-token").status_code == 410


def test_reset_refuses_a_weak_password(client):
    user = make_user()
    path = _reset_path(client, user)
    response = _choose(client, path, "password")
    assert response.status_code == 200 and passwords.verify_password(_fresh(user).password_hash, PASSWORD)


def test_resetting_ends_existing_sessions(app, client):
    user = make_user()
    logged_in = app.test_client()
    login(logged_in, user)
    _choose(client, _reset_path(client, user))
    assert logged_in.get("/account/").status_code == 302


def test_resetting_unlocks_a_locked_account(app, client):
    user = make_user()
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        client.post("/auth/login", data={"email": user.email, "password": "not the password!"})
    _choose(client, _reset_path(client, user))
    response = client.post("/auth/login", data={"email": user.email, "password": NEW_PASSWORD})
    assert response.status_code == 302


# --- the account page -------------------------------------------------------------------


def _save_profile(client, name="Renamed Person", locale="en", **extra):
    return client.post("/account/", data={"profile-name": name, "profile-locale": locale, **extra})


def test_account_page_saves_name_and_language(client):
    user = make_user()
    login(client, user)
    response = _save_profile(client)
    saved = _fresh(user)
    assert response.status_code == 302
    assert (saved.name, saved.locale) == ("Renamed Person", "en")


def test_profile_form_does_not_change_the_email(client):
    user = make_user()
    login(client, user)
    _save_profile(client, **{"profile-email": "renamed@test.example"})
    assert _fresh(user).email == user.email


def test_account_page_can_go_back_to_the_browser_language(client):
    user = make_user(locale="en")
    login(client, user)
    _save_profile(client, locale="")
    assert _fresh(user).locale is None


def _ask_email_change(client, email, password=PASSWORD):
    return client.post("/account/email", data={"email-email": email, "email-password": password})


def test_email_change_asks_for_the_current_password(client):
    user = make_user()
    login(client, user)
    response = _ask_email_change(client, "new.address@test.example", "not my password at all")
    assert response.status_code == 422 and "field-error" in response.get_data(as_text=True)


def test_email_change_refuses_the_current_address(client):
    user = make_user()
    login(client, user)
    assert _ask_email_change(client, user.email.upper()).status_code == 422


def test_email_change_to_a_used_address_answers_like_any_other(client):
    user = make_user()
    other = make_user()
    login(client, user)
    used = _ask_email_change(client, other.email)
    free = _ask_email_change(client, "free.address@test.example")
    assert (used.status_code, used.headers["Location"]) == (free.status_code, free.headers["Location"])


def test_a_new_email_change_voids_the_previous_link(client):
    user = make_user()
    login(client, user)
    _ask_email_change(client, "first@test.example")
    first = re.search(r"/account/email/[\w-]+", _outbox()[0].body).group(0)
    _ask_email_change(client, "second@test.example")
    assert client.get(first).status_code == 410


def test_email_change_can_be_cancelled(client):
    user = make_user()
    login(client, user)
    _ask_email_change(client, "first@test.example")
    link = re.search(r"/account/email/[\w-]+", _outbox()[0].body).group(0)
    client.post("/account/email/cancel")
    assert client.get(link).status_code == 410


def test_account_page_shows_the_pending_change(client):
    user = make_user()
    login(client, user)
    _ask_email_change(client, "pending.address@test.example")
    assert "pending.address@test.example" in client.get("/account/").get_data(as_text=True)


def test_email_change_token_is_stored_hashed(client):
    from inquiry_hub.accounts.models import EmailChange

    user = make_user()
    login(client, user)
    _ask_email_change(client, "first@test.example")
    token = re.search(r"/account/email/([\w-]+)", _outbox()[0].body).group(1)
    stored = db.session.scalars(select(EmailChange.token_hash)).one()
    assert token and stored  # control: a token was sent and a row stored
    assert token not in stored


def test_account_page_refuses_an_invalid_language(client):
    user = make_user()
    login(client, user)
    _save_profile(client, locale="de")
    assert _fresh(user).locale is None


def test_account_page_needs_login(client):
    response = client.get("/account/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/auth/login")


def test_reset_request_count_is_throttled_like_login(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT", "2 per minute")
    statuses = [_request_reset(client, f"n{i}@test.example").status_code for i in range(3)]
    assert statuses == [302, 302, 429]


def test_reset_request_creates_one_token_per_request(client):
    user = make_user()
    _request_reset(client, user.email)
    _request_reset(client, user.email)
    assert db.session.scalar(select(func.count(PasswordResetToken.id))) == 2
