"""Login, throttling, lockout, session lifetime and password hashing."""

import re

import pytest
from sqlalchemy import select

from inquiry_hub.accounts import passwords
from inquiry_hub.accounts.models import LoginFailure, User
from inquiry_hub.extensions import db
from tests.conftest import PASSWORD, login, make_user

NEW_PASSWORD = "a brand new passphrase for tests"


def _csrf_token(client, path="/auth/login") -> str:
    html = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


def _session_cookie(client) -> str | None:
    cookie = client.get_cookie("session")
    return cookie.value if cookie else None


def _is_logged_in(client) -> bool:
    return client.get("/account/").status_code == 200


def _fresh_user(user_id: int) -> User:
    db.session.expire_all()
    return db.session.get(User, user_id)


# --- success and failure ----------------------------------------------------------------


def test_successful_login_redirects_to_my_inquiries(client):
    user = make_user()
    response = client.post("/auth/login", data={"email": user.email, "password": PASSWORD})
    assert (response.status_code, response.headers["Location"]) == (302, "/inquiries/")


def test_login_accepts_the_email_in_another_case(client):
    user = make_user()
    response = client.post("/auth/login", data={"email": user.email.upper(), "password": PASSWORD})
    assert response.status_code == 302


def test_wrong_password_shows_the_form_again_with_a_message(client):
    user = make_user()
    response = client.post("/auth/login", data={"email": user.email, "password": "not the password!"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'name="password"' in html and "flash-error" in html


def test_wrong_password_opens_no_session(client):
    user = make_user()
    response = client.post("/auth/login", data={"email": user.email, "password": "not the password!"})
    assert response.status_code == 200 and 'name="password"' in response.get_data(as_text=True)
    assert not _is_logged_in(client)
    login(client, user)  # control: the right password opens the session
    assert _is_logged_in(client)


def test_unknown_email_gets_the_same_answer_as_a_wrong_password(client):
    user = make_user()
    wrong = client.post("/auth/login", data={"email": user.email, "password": "not the password!"})
    unknown = client.post("/auth/login", data={"email": "nobody@test.example", "password": "whatever1234"})
    assert (unknown.status_code, "flash-error" in unknown.get_data(as_text=True)) == (
        wrong.status_code,
        True,
    )


# --- ?next= -----------------------------------------------------------------------------


def test_next_sends_to_a_local_path(client):
    user = make_user()
    response = client.post(
        "/auth/login?next=/account/%3Ftab%3D1", data={"email": user.email, "password": PASSWORD}
    )
    assert response.headers["Location"] == "/account/?tab=1"


@pytest.mark.parametrize(
    "target",
    ["//evil.example", "https://evil.example", "/\\evil", "javascript:alert(1)", "/\tevil", ""],
)
def test_next_never_leaves_the_site(client, target):
    user = make_user()
    response = client.post(
        "/auth/login", query_string={"next": target}, data={"email": user.email, "password": PASSWORD}
    )
    assert response.headers["Location"] == "/inquiries/"


# --- throttling and lockout -------------------------------------------------------------


def test_login_posts_are_throttled_per_ip(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT", "3 per minute")
    statuses = [
        client.post(
            "/auth/login", data={"email": f"x{i}@test.example", "password": "wrong password!"}
        ).status_code
        for i in range(4)
    ]
    assert statuses == [200, 200, 200, 429]


def test_throttling_counts_each_ip_separately(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT", "2 per minute")
    data = {"email": "x@test.example", "password": "wrong password!"}
    for _ in range(3):
        client.post("/auth/login", data=data, environ_base={"REMOTE_ADDR": "10.0.0.1"})
    response = client.post("/auth/login", data=data, environ_base={"REMOTE_ADDR": "10.0.0.2"})
    assert response.status_code == 200


def test_showing_the_login_form_is_not_throttled(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT", "1 per minute")
    statuses = {client.get("/auth/login").status_code for _ in range(3)}
    assert statuses == {200}


def _fail(client, user, times, address="10.1.0.1"):
    for _ in range(times):
        client.post(
            "/auth/login",
            data={"email": user.email, "password": "not the password!"},
            environ_base={"REMOTE_ADDR": address},
        )


def _login_from(client, user, address):
    return client.post(
        "/auth/login", data={"email": user.email, "password": PASSWORD}, environ_base={"REMOTE_ADDR": address}
    )


def test_failures_are_counted_in_the_database(app, client):
    user = make_user()
    _fail(client, user, 3)
    assert db.session.scalar(select(LoginFailure.failures)) == 3


def test_failures_store_neither_the_email_nor_the_address(app, client):
    user = make_user()
    _fail(client, user, 1)
    row = db.session.execute(select(LoginFailure.account_key, LoginFailure.client_key)).one()
    assert len(row.account_key) >= 16 and len(row.client_key) >= 16  # control: keyed digests are stored
    assert user.email not in str(row) and "10.1.0.1" not in str(row)


def test_address_that_failed_too_often_waits_even_with_the_right_password(app, client):
    user = make_user()
    _fail(client, user, app.config["LOGIN_MAX_FAILURES"])
    assert _login_from(client, user, "10.1.0.1").status_code == 429


def test_waiting_address_opens_no_session(app, client):
    user = make_user()
    _fail(client, user, app.config["LOGIN_MAX_FAILURES"])
    assert _login_from(client, user, "10.1.0.1").status_code == 429
    assert not _is_logged_in(client)
    assert _login_from(client, user, "10.9.9.9").status_code == 302  # control: from elsewhere it does
    assert _is_logged_in(client)


def test_the_owner_signs_in_from_another_address_meanwhile(app, client):
    user = make_user()
    _fail(client, user, app.config["LOGIN_MAX_FAILURES"] * 3)
    assert _login_from(client, user, "10.9.9.9").status_code == 302


def test_one_failure_less_than_the_maximum_still_lets_the_owner_in(app, client):
    user = make_user()
    _fail(client, user, app.config["LOGIN_MAX_FAILURES"] - 1)
    assert _login_from(client, user, "10.1.0.1").status_code == 302


def test_successful_login_resets_the_failure_count(app, client):
    user = make_user()
    _fail(client, user, 2)
    _login_from(client, user, "10.1.0.1")
    assert db.session.scalar(select(LoginFailure.failures)) is None


def test_the_wait_ends(app, client):
    from datetime import timedelta

    from inquiry_hub.accounts import throttle
    from inquiry_hub.db import utcnow

    user = make_user()
    _fail(client, user, app.config["LOGIN_MAX_FAILURES"])
    later = utcnow() + timedelta(seconds=app.config["LOGIN_DELAY_SECONDS"] + 1)
    assert throttle.wait_seconds(user.email, "10.1.0.1", now=later) == 0


def test_the_wait_never_passes_the_maximum(app, client):
    from inquiry_hub.accounts import throttle

    user = make_user()
    for _ in range(app.config["LOGIN_MAX_FAILURES"] + 30):
        throttle.record_failure(user.email, "10.1.0.1")
    assert throttle.wait_seconds(user.email, "10.1.0.1") <= app.config["LOGIN_MAX_DELAY_MINUTES"] * 60


def test_old_failures_are_forgotten(app, client):
    from datetime import timedelta

    from inquiry_hub.accounts import throttle
    from inquiry_hub.db import utcnow

    user = make_user()
    _fail(client, user, app.config["LOGIN_MAX_FAILURES"] - 1)
    later = utcnow() + timedelta(minutes=app.config["LOGIN_FAILURE_WINDOW_MINUTES"] + 1)
    throttle.record_failure(user.email, "10.1.0.1", now=later)
    assert db.session.scalar(select(LoginFailure.failures)) == 1


def test_wrong_current_password_on_the_account_page_counts_as_a_failure(app, client):
    user = make_user()
    login(client, user)
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        _change_password(client, current="not my password at all")
    assert _change_password(client).status_code == 429


# --- sessions ---------------------------------------------------------------------------


def test_session_cookie_changes_at_login(client):
    user = make_user()
    client.get("/auth/login?lang=en")  # stores something in the pre-login session
    before = _session_cookie(client)
    login(client, user)
    assert before is not None and _session_cookie(client) != before


def test_csrf_token_from_before_login_is_refused_after(client, csrf_enabled):
    user = make_user()
    token = _csrf_token(client)
    client.post("/auth/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    response = client.post("/language", data={"lang": "en", "csrf_token": token})
    assert response.status_code == 400


def test_csrf_token_issued_after_login_works(client, csrf_enabled):
    user = make_user()
    token = _csrf_token(client)
    client.post("/auth/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    response = client.post("/language", data={"lang": "en", "csrf_token": _csrf_token(client, "/account/")})
    assert response.status_code == 302


def test_logout_requires_post(client):
    user = make_user()
    login(client, user)
    assert client.get("/auth/logout").status_code == 405


def test_logout_ends_the_session(client):
    user = make_user()
    login(client, user)
    client.post("/auth/logout")
    response = client.get("/inquiries/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/auth/login")


def test_cookie_copied_before_logout_is_refused_after(app, client):
    user = make_user()
    login(client, user)
    stolen = _session_cookie(client)
    client.post("/auth/logout")
    thief = app.test_client()
    thief.set_cookie("session", stolen)
    response = thief.get("/inquiries/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/auth/login")


def _change_password(client, current=PASSWORD, new=NEW_PASSWORD):
    return client.post(
        "/account/password",
        data={"password-current": current, "password-password": new, "password-confirm": new},
    )


def test_password_change_ends_the_other_sessions(app, client):
    user = make_user()
    other_browser = app.test_client()
    login(client, user)
    login(other_browser, user)
    assert _is_logged_in(other_browser)  # control: signed in before the change
    assert _change_password(client).status_code == 302
    assert not _is_logged_in(other_browser)
    assert _is_logged_in(client)


def test_password_change_keeps_the_current_session(client):
    user = make_user()
    login(client, user)
    _change_password(client)
    assert _is_logged_in(client)


def test_password_change_needs_the_current_password(client):
    user = make_user()
    login(client, user)
    response = _change_password(client, current="not my password at all")
    assert response.status_code == 422 and passwords.verify_password(
        _fresh_user(user.id).password_hash, PASSWORD
    )


def test_new_password_works_at_next_login(app, client):
    user = make_user()
    login(client, user)
    _change_password(client)
    response = app.test_client().post("/auth/login", data={"email": user.email, "password": NEW_PASSWORD})
    assert response.status_code == 302


# --- hashing ----------------------------------------------------------------------------


def test_login_rehashes_a_hash_made_with_other_parameters(client):
    user = make_user()
    old = passwords._hasher(time_cost=1, memory_cost=2048, parallelism=1).hash(PASSWORD)
    user.password_hash = old
    db.session.commit()
    login(client, user)
    new = _fresh_user(user.id).password_hash
    assert new != old and not passwords.needs_rehash(new) and passwords.verify_password(new, PASSWORD)


def test_login_keeps_a_hash_that_already_uses_the_current_parameters(client):
    user = make_user()
    old = user.password_hash
    login(client, user)
    assert _fresh_user(user.id).password_hash == old


def test_production_parameters_are_owasp_argon2id():
    digest = passwords._hasher(**passwords.OWASP_PARAMETERS).hash("some passphrase")
    assert digest.startswith("$argon2id$v=19$m=19456,t=2,p=1$")


def test_hashing_uses_the_owasp_parameters_without_an_override(app, monkeypatch):
    monkeypatch.setitem(app.config, "ARGON2_PARAMETERS", None)
    assert passwords.hash_password("some passphrase").startswith("$argon2id$v=19$m=19456,t=2,p=1$")


def test_stored_hash_is_argon2id_not_the_password():
    user = make_user()
    assert user.password_hash.startswith("$argon2id$") and PASSWORD not in user.password_hash


# --- password rules ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "accepted"),
    [
        ("short pass1", False),  # 11 characters
        ("tq7#vLp2wz9k", True),  # exactly 12 characters
        ("exactly12chr", False),  # 12 characters but guessable (zxcvbn score 2)
        ("password1234", False),  # a leaked password with digits added
        ("azertyuiop123", False),  # a French keyboard walk
        ("jean.dupont@test.example", False),  # made of the person's own email address
        ("123456789012", False),  # common, though 12 characters
        ("1q2w3e4r5t6y", False),  # common
        ("aaaaaaaaaaaaaaaa", False),  # a single repeated character
        ("correct horse battery staple", True),  # lowercase passphrase: no composition rule
        ("x" * 256 + "y", False),  # over the maximum length
    ],
)
def test_password_rules(password, accepted):
    email = "jean.dupont@test.example" if "@" in password else ""
    assert (passwords.password_problem(password, email) is None) is accepted


def test_a_password_built_on_the_email_address_is_too_guessable():
    assert passwords.password_problem("Jean.Dupont2026", "jean.dupont@test.example") is not None
    assert passwords.password_problem("Jean.Dupont2026", "") is None


def test_password_equal_to_the_email_is_refused():
    assert passwords.password_problem("someone.long@test.example", "Someone.Long@test.example") is not None
    assert passwords.password_problem("someone.long@test.example", "another@test.example") is None


def test_password_change_refuses_a_short_password(client):
    user = make_user()
    login(client, user)
    response = _change_password(client, new="too short")
    assert response.status_code == 422 and passwords.verify_password(
        _fresh_user(user.id).password_hash, PASSWORD
    )


def test_password_change_accepts_a_long_lowercase_passphrase(client):
    user = make_user()
    login(client, user)
    _change_password(client, new="only lowercase words here")
    assert passwords.verify_password(_fresh_user(user.id).password_hash, "only lowercase words here")
