"""Site-wide protections: CSRF, headers, cookies, error pages, Markdown, secrets, locale."""

import re
from datetime import date
from html.parser import HTMLParser

import pytest
from flask import render_template_string
from flask_babel import refresh

from inquiry_hub import create_app
from inquiry_hub.extensions import db
from inquiry_hub.markdown import render
from tests.conftest import PASSWORD, login, make_user


def _token_in(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


def _html_lang(response) -> str:
    return re.search(r'<html lang="([^"]+)"', response.get_data(as_text=True)).group(1)


# --- CSRF -------------------------------------------------------------------------------


def _login_with_token(client, user):
    token = _token_in(client.get("/auth/login").get_data(as_text=True))
    response = client.post(
        "/auth/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302


def test_login_without_csrf_token_is_refused(client, csrf_enabled):
    user = make_user()
    response = client.post("/auth/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400


def test_login_with_a_forged_csrf_token_is_refused(client, csrf_enabled):
    user = make_user()
    client.get("/auth/login")
    data = {"email": user.email, "password": PASSWORD, "csrf_token": "forged.token.value"}
    assert client.post("/auth/login", data=data).status_code == 400


def test_login_with_the_token_of_the_page_works(client, csrf_enabled):
    user = make_user()
    token = _token_in(client.get("/auth/login").get_data(as_text=True))
    response = client.post(
        "/auth/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302


def _post_targets(inquiry):
    return {
        "logout": ("/auth/logout", {}),
        "language": ("/language", {"lang": "en"}),
        "inquiry edit": (f"/inquiries/{inquiry.id}/edit", {"title": "Nouveau titre", "question": "Q ?"}),
    }


@pytest.mark.parametrize("target", ["logout", "language", "inquiry edit"])
def test_state_changing_post_without_csrf_token_is_refused(client, csrf_enabled, team, target):
    _login_with_token(client, team["student"])
    path, data = _post_targets(team["inquiry"])[target]
    assert client.post(path, data=data).status_code == 400


@pytest.mark.parametrize("target", ["logout", "language", "inquiry edit"])
def test_state_changing_post_with_the_page_token_works(client, csrf_enabled, team, target):
    _login_with_token(client, team["student"])
    inquiry = team["inquiry"]
    token = _token_in(client.get(f"/inquiries/{inquiry.id}/edit").get_data(as_text=True))
    path, data = _post_targets(inquiry)[target]
    assert client.post(path, data={**data, "csrf_token": token}).status_code == 302


def test_post_without_csrf_token_changes_nothing(client, csrf_enabled, team):
    _login_with_token(client, team["student"])
    inquiry = team["inquiry"]
    client.post(f"/inquiries/{inquiry.id}/edit", data={"title": "Nouveau titre", "question": "Q ?"})
    db.session.expire_all()
    assert inquiry.title == "Enquête test"


def test_csrf_refusal_is_an_html_page_in_the_layout(client, csrf_enabled):
    response = client.post("/language", data={"lang": "en"})
    assert response.mimetype == "text/html" and 'class="site-header"' in response.get_data(as_text=True)


# --- headers and cookies ----------------------------------------------------------------


@pytest.fixture
def login_page(client):
    return client.get("/auth/login")


def test_csp_has_no_unsafe_inline(login_page):
    csp = login_page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp


def test_csp_forbids_framing(login_page):
    assert "frame-ancestors 'none'" in login_page.headers["Content-Security-Policy"]


def test_content_type_sniffing_is_off(login_page):
    assert login_page.headers["X-Content-Type-Options"] == "nosniff"


def test_referrer_policy_keeps_urls_on_site(login_page):
    assert login_page.headers["Referrer-Policy"] in {"same-origin", "strict-origin", "no-referrer"}


@pytest.mark.parametrize("path", ["/healthz", "/nowhere", "/api/v1/nowhere"])
def test_security_headers_are_on_every_kind_of_response(client, path):
    headers = client.get(path).headers
    assert "Content-Security-Policy" in headers and headers["X-Content-Type-Options"] == "nosniff"


def test_hsts_only_over_https(client):
    plain = client.get("/auth/login")
    secure = client.get("/auth/login", base_url="https://localhost")
    assert ("Strict-Transport-Security" in plain.headers, "Strict-Transport-Security" in secure.headers) == (
        False,
        True,
    )


def _session_set_cookie(response) -> str:
    cookies = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
    assert cookies, response.headers
    return cookies[-1]


def _login_response(client, base_url="http://localhost"):
    user = make_user()
    return client.post("/auth/login", data={"email": user.email, "password": PASSWORD}, base_url=base_url)


def test_session_cookie_is_httponly(client):
    assert "HttpOnly" in _session_set_cookie(_login_response(client))


def test_session_cookie_is_samesite_lax(client):
    assert "SameSite=Lax" in _session_set_cookie(_login_response(client))


def test_session_cookie_is_secure_over_https(client):
    assert "Secure" in _session_set_cookie(_login_response(client, "https://localhost"))


def test_session_cookie_is_not_secure_over_plain_http_in_development(client):
    cookie = _session_set_cookie(_login_response(client))
    assert "HttpOnly" in cookie  # control: the session cookie itself, with its flags
    assert "Secure" not in cookie


# --- error pages ------------------------------------------------------------------------


def test_404_is_an_html_page_in_the_site_layout(client):
    response = client.get("/no/such/page")
    html = response.get_data(as_text=True)
    assert response.status_code == 404 and response.mimetype == "text/html"
    assert "<html" in html and 'class="site-header"' in html


def test_403_is_an_html_page_in_the_site_layout(client):
    login(client, make_user())
    response = client.get("/admin/")
    html = response.get_data(as_text=True)
    assert response.status_code == 403 and response.mimetype == "text/html"
    assert 'class="site-header"' in html


def test_api_404_is_json(client):
    response = client.get("/api/v1/no-such-thing")
    body = response.get_json()
    assert response.status_code == 404
    assert body["error"]["code"] == "not_found" and isinstance(body["error"]["message"], str)


def test_request_body_over_the_limit_gets_413(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1024)
    response = client.post("/auth/login", data={"email": "a@test.example", "password": "x" * 4096})
    assert response.status_code == 413


def test_request_body_under_the_limit_is_accepted(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1024)
    response = client.post("/auth/login", data={"email": "a@test.example", "password": "x" * 100})
    assert response.status_code == 200


def test_default_upload_limit_is_25_megabytes(app):
    assert app.config["MAX_CONTENT_LENGTH"] == 25 * 1024 * 1024


def test_unexpected_error_gives_a_500_page_without_details(app, client, monkeypatch):
    def boom(*args, **kwargs):
        raise ValueError("secret internal detail")

    monkeypatch.setattr("inquiry_hub.main.redirect", boom)
    response = client.get("/")
    assert response.status_code == 500 and "secret internal detail" not in response.get_data(as_text=True)


# --- Markdown ---------------------------------------------------------------------------


class _Elements(HTMLParser):
    def __init__(self, html):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def _dangerous(html: str) -> list:
    found = []
    for tag, attrs in _Elements(html).tags:
        if tag in {"script", "iframe", "object", "embed", "style", "img", "svg", "form"}:
            found.append(tag)
        for name, value in attrs.items():
            if name.startswith("on") or (value or "").strip().lower().startswith(("javascript:", "data:")):
                found.append((tag, name, value))
    return found


PAYLOADS = [
    "<script>alert(1)</script>",
    "Hello <script>alert(1)</script> world",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "<img src=x onerror=alert(1)>",
    '<a href="#" onclick="alert(1)">x</a>',
    "![x](javascript:alert(1))",
    "<svg onload=alert(1)>",
    "<iframe src=https://evil.example></iframe>",
]


@pytest.mark.parametrize("text", PAYLOADS)
def test_markdown_output_is_inert(text):
    assert _dangerous('<p><a href="javascript:alert(1)">x</a></p>')  # control: the detector sees danger
    assert _dangerous(str(render(text))) == []


def test_markdown_keeps_ordinary_formatting_and_links():
    html = str(render("**gras** et [lien](https://example.org)"))
    assert "<strong>gras</strong>" in html and 'href="https://example.org"' in html


def test_markdown_links_get_noopener(client):
    assert "noopener" in str(render("[lien](https://example.org)"))


def test_inquiry_page_renders_the_question_inert(client, team):
    inquiry = team["inquiry"]
    inquiry.question = (
        "Q\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1))\n\n<img src=x onerror=alert(1)>"
    )
    db.session.commit()
    login(client, team["student"])
    response = client.get(f"/inquiries/{inquiry.id}/")
    html = response.get_data(as_text=True)
    question = html.split('class="question"', 1)[1].split("</div>", 1)[0]
    assert response.status_code == 200 and "<p>Q</p>" in question  # control: the question is rendered
    assert _dangerous("<div " + question) == []


# --- secrets in production --------------------------------------------------------------


@pytest.mark.parametrize("key", [None, "", "dev", "change-me", "secret", "x" * 31])
def test_production_refuses_a_missing_or_weak_secret_key(tmp_path, key):
    with pytest.raises(RuntimeError):
        create_app(
            {
                "ENV_NAME": "production",
                "SECRET_KEY": key,
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.sqlite3'}",
            }
        )


def test_production_accepts_a_long_random_secret_key(tmp_path):
    key = "k3y-" + "a1b2c3d4" * 6
    app = create_app(
        {
            "ENV_NAME": "production",
            "SECRET_KEY": key,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.sqlite3'}",
        }
    )
    assert app.config["SECRET_KEY"] == key


def test_development_generates_a_secret_key_once(tmp_path):
    from inquiry_hub.config import load_secret_key

    first = load_secret_key({"ENV_NAME": "development", "SECRET_KEY": None}, str(tmp_path))
    second = load_secret_key({"ENV_NAME": "development", "SECRET_KEY": None}, str(tmp_path))
    assert first == second and len(first) >= 32 and (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


# --- locale -----------------------------------------------------------------------------


def test_default_language_is_french(client):
    assert _html_lang(client.get("/auth/login")) == "fr"


def test_lang_parameter_selects_english(client):
    assert _html_lang(client.get("/auth/login?lang=en")) == "en"


def test_lang_parameter_is_remembered_for_the_browser(client):
    client.get("/auth/login?lang=en")
    assert _html_lang(client.get("/auth/login")) == "en"


def test_unknown_lang_parameter_is_ignored(client):
    assert _html_lang(client.get("/auth/login?lang=de")) == "fr"


def test_accept_language_english_gives_english(client):
    assert _html_lang(client.get("/auth/login", headers={"Accept-Language": "en-GB,en;q=0.9"})) == "en"


def test_accept_language_without_a_known_language_falls_back_to_french(client):
    assert _html_lang(client.get("/auth/login", headers={"Accept-Language": "de-DE,es;q=0.5"})) == "fr"


def test_saved_preference_wins_over_accept_language(client):
    user = make_user(locale="en")
    login(client, user)
    response = client.get("/account/", headers={"Accept-Language": "fr-FR,fr;q=0.9"})
    assert _html_lang(response) == "en"


def test_lang_parameter_wins_over_saved_preference(client):
    user = make_user(locale="en")
    login(client, user)
    assert _html_lang(client.get("/account/?lang=fr")) == "fr"


def test_language_switch_saves_the_preference_of_a_logged_in_user(client):
    user = make_user()
    login(client, user)
    client.post("/language", data={"lang": "en", "next": "/account/"})
    db.session.expire_all()
    assert user.locale == "en"


def test_language_switch_returns_to_a_local_page_only(client):
    response = client.post("/language", data={"lang": "en", "next": "//evil.example/"})
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize(("lang", "expected"), [("fr", "5 mars 2026"), ("en", "Mar 5, 2026")])
def test_date_filter_formats_per_locale(app, lang, expected):
    with app.test_request_context(f"/?lang={lang}"):
        refresh()  # this request shares the test's app context: no locale cached from before
        assert render_template_string("{{ d|date }}", d=date(2026, 3, 5)) == expected
