"""Tokens: bearer only, revocation, expiry, read-only scope, last use, rate limit, CSRF."""

from __future__ import annotations

from datetime import timedelta

from inquiry_hub.accounts import services as accounts
from inquiry_hub.accounts.models import ApiToken
from inquiry_hub.db import utcnow
from inquiry_hub.extensions import db
from tests.api.conftest import Api, make_token
from tests.conftest import login


def test_no_token_gets_401_json(client):
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_unknown_token_gets_401(client):
    assert Api(client, "ih_not-a-real-token").get("/api/v1/me").status_code == 401


def test_token_identifies_its_owner(as_, team):
    body = as_("student").get("/api/v1/me").get_json()
    assert body["id"] == team["student"].id
    assert body["token"]["read_only"] is False


def test_only_the_hash_is_stored(team):
    token, clear = accounts.create_api_token(team["student"], "script")
    assert clear not in (token.token_hash, token.prefix)
    assert token.token_hash == accounts.token_hash(clear)
    assert clear.startswith(token.prefix)


def test_revoked_token_gets_401(client, team):
    clear = make_token(team["student"])
    api = Api(client, clear)
    assert api.get("/api/v1/me").status_code == 200
    accounts.revoke_api_token(accounts.find_api_token(clear))
    db.session.commit()
    response = api.get("/api/v1/me")
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"


def test_expired_token_gets_401(as_):
    assert as_("expired").get("/api/v1/me").status_code == 401


def test_token_with_future_expiry_works(as_):
    api = as_("student", expires_at=utcnow() + timedelta(days=1))
    assert api.get("/api/v1/me").status_code == 200


def test_every_use_updates_last_used(client, team):
    clear = make_token(team["student"])
    assert accounts.find_api_token(clear).last_used_at is None
    Api(client, clear).get("/api/v1/me")
    db.session.expire_all()
    assert accounts.find_api_token(clear).last_used_at is not None


def test_read_only_token_reads(as_, world):
    api = as_("read_only")
    assert api.get(f"/api/v1/tasks/{world['task'].id}").status_code == 200


def test_read_only_token_gets_403_on_writes(as_, world):
    api = as_("read_only")
    task = world["task"]
    created = api.post(f"/api/v1/inquiries/{world['inquiry'].id}/tasks", json={"title": "Nouvelle"})
    patched = api.patch(f"/api/v1/tasks/{task.id}", json={"version": task.version, "title": "x"})
    deleted = api.delete(f"/api/v1/tasks/{task.id}")
    assert [created.status_code, patched.status_code, deleted.status_code] == [403, 403, 403]
    assert deleted.get_json()["error"]["code"] == "forbidden"


def test_session_cookie_alone_does_not_authenticate(client, world):
    login(client, world["student"])
    assert client.get("/api/v1/me").status_code == 401
    response = client.post(f"/api/v1/inquiries/{world['inquiry'].id}/tasks", json={"title": "Cookie"})
    assert response.status_code == 401


def test_api_writes_need_no_csrf_token(client, world, csrf_enabled):
    api = Api(client, make_token(world["student"]))
    response = api.post(f"/api/v1/inquiries/{world['inquiry'].id}/tasks", json={"title": "Sans CSRF"})
    assert response.status_code == 201


def test_bearer_token_wins_over_session_cookie(client, world):
    login(client, world["student"])
    api = Api(client, make_token(world["tutor"]))
    assert api.get("/api/v1/me").get_json()["id"] == world["tutor"].id
    response = api.post(f"/api/v1/inquiries/{world['inquiry'].id}/tasks", json={"title": "x"})
    assert response.status_code == 403


def test_rate_limit_is_per_token(app, client, team):
    rate_limit, app.config["API_RATE_LIMIT"] = app.config["API_RATE_LIMIT"], "3 per minute"
    try:
        first = Api(client, make_token(team["student"]))
        statuses = [first.get("/api/v1/me").status_code for _ in range(4)]
        other = Api(client, make_token(team["tutor"]))
        assert statuses == [200, 200, 200, 429]
        assert other.get("/api/v1/me").status_code == 200
        assert first.get("/api/v1/me").get_json()["error"]["code"] == "too_many_requests"
    finally:
        app.config["API_RATE_LIMIT"] = rate_limit


def test_cli_create_token_prints_a_working_token(app, client, team):
    result = app.test_cli_runner().invoke(args=["create-token", team["student"].email, "--name", "import"])
    assert result.exit_code == 0, result.output
    clear = result.output.strip()
    assert Api(client, clear).get("/api/v1/me").get_json()["token"]["name"] == "import"


def test_cli_create_token_refuses_an_unknown_email(app):
    result = app.test_cli_runner().invoke(args=["create-token", "nobody@test.example"])
    assert result.exit_code != 0


def test_account_page_creates_a_token_shown_once(client, team):
    login(client, team["student"])
    response = client.post("/account/tokens", data={"token-name": "Mon script", "token-read_only": "y"})
    assert response.status_code == 201
    token = db.session.scalar(db.select(ApiToken).where(ApiToken.user_id == team["student"].id))
    assert token.read_only and token.name == "Mon script"
    page = response.get_data(as_text=True)
    assert token.prefix in page and "ih_" in page
    assert token.prefix + "…" in client.get("/account/").get_data(as_text=True)
    shown_again = client.get("/account/").get_data(as_text=True)
    assert 'id="new-api-token"' not in shown_again


def test_account_page_revokes_own_token(client, team):
    clear = make_token(team["student"])
    token = accounts.find_api_token(clear)
    login(client, team["student"])
    assert client.post(f"/account/tokens/{token.id}/revoke").status_code == 302
    db.session.expire_all()
    assert accounts.find_api_token(clear).revoked_at is not None


def test_account_page_cannot_revoke_someone_elses_token(client, team):
    token = accounts.find_api_token(make_token(team["tutor"]))
    login(client, team["student"])
    assert client.post(f"/account/tokens/{token.id}/revoke").status_code == 404


def test_account_token_form_needs_its_csrf_token(client, team, csrf_enabled):
    import re

    login_page = client.get("/auth/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login_page).group(1)
    client.post(
        "/auth/login",
        data={"email": team["student"].email, "password": "correct horse battery staple", "csrf_token": csrf},
    )
    assert client.post("/account/tokens", data={"token-name": "Sans jeton"}).status_code == 400
    page = client.get("/account/").get_data(as_text=True)
    token_csrf = re.search(
        r'id="token-csrf_token" name="token-csrf_token" type="hidden" value="([^"]+)"', page
    )
    response = client.post(
        "/account/tokens", data={"token-name": "Avec jeton", "token-csrf_token": token_csrf.group(1)}
    )
    assert response.status_code == 201


def test_token_created_with_expiry_days_expires(client, team):
    login(client, team["student"])
    client.post("/account/tokens", data={"token-name": "Court", "token-expires_in_days": "2"})
    token = db.session.scalar(db.select(ApiToken).where(ApiToken.user_id == team["student"].id))
    assert timedelta(days=1) < token.expires_at - utcnow() <= timedelta(days=2)


def test_invalid_token_form_is_422(client, team):
    login(client, team["student"])
    assert client.post("/account/tokens", data={"token-name": ""}).status_code == 422
