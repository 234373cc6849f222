"""The API reference page and personal tokens, in a real browser."""

from __future__ import annotations

import json
import urllib.request

import pytest

from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e
pytest.importorskip("playwright.sync_api", reason="the browser journeys need playwright")


def test_api_reference_renders_with_vendored_swagger_ui_under_csp(server, page_factory):
    page = page_factory(locale="en-GB")
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("requestfailed", lambda r: problems.append(r.url))
    page.goto(server["url"] + "/api/v1/docs")
    page.wait_for_selector(".opblock-summary-path", timeout=15_000)
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert any("/api/v1/tasks/" in p for p in paths)
    assert not [p for p in problems if "Content Security Policy" in p or "http" in p]


def test_student_creates_a_token_and_uses_it(server, page_factory):
    page = page_factory(locale="en-GB")
    log_in(page, server["url"], "alice@demo.example")
    page.goto(server["url"] + "/account/?lang=en")
    page.fill("#token-name", "My spreadsheet import")
    page.click("#api-tokens button[type=submit]:has-text('Create a token')")
    token = page.locator("#new-api-token").inner_text().strip()
    request = urllib.request.Request(
        server["url"] + "/api/v1/me", headers={"Authorization": f"Bearer {token}"}
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        assert json.load(response)["email"] == "alice@demo.example"
    page.goto(server["url"] + "/account/")
    assert page.locator("#new-api-token").count() == 0
