"""Journeys of the foundation in a real browser against a real server."""

from __future__ import annotations

import re
import sqlite3

import pytest

from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e
pytest.importorskip("playwright.sync_api", reason="the browser journeys need playwright")


def test_student_logs_in_lands_on_her_inquiry_and_logs_out(server, page_factory):
    page = page_factory()
    log_in(page, server["url"], "alice@demo.example")
    assert page.locator("h1").inner_text() == "Les Jardins du Lien"
    page.click("details.dropdown summary:has-text('Alice Martin')")
    page.click("button:has-text('Se déconnecter')")
    assert page.url.endswith("/auth/login")
    page.goto(server["url"] + "/inquiries/")
    assert "/auth/login" in page.url
    assert page.locator(".flash").inner_text() == "Connectez-vous pour voir cette page."


def test_language_switches_to_english_and_back(server, page_factory):
    page = page_factory()
    log_in(page, server["url"], "bruno@demo.example")
    assert page.locator("html").get_attribute("lang") == "fr"
    page.click("button[name=lang][value=en]")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("nav.rooms").get_by_text("Overview").is_visible()
    page.click("button[name=lang][value=fr]")
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.locator("nav.rooms").get_by_text("Vue d'ensemble").is_visible()


def test_admin_creates_an_inquiry_and_the_invitation_is_accepted_in_a_private_window(server, page_factory):
    admin = page_factory()
    log_in(admin, server["url"], "admin@demo.example")
    admin.goto(server["url"] + "/admin/inquiries/new")
    admin.fill("#title", "Mutuelle des Solidarités")
    admin.fill("#question", "Comment la mutuelle associe-t-elle ses adhérent·es ?")
    admin.fill("#starts_on", "2026-11-02")
    admin.fill("#ends_on", "2027-06-30")
    admin.fill("#students", "nouvelle.etudiante@demo.example")
    admin.click("main button[type=submit]")
    assert "Mutuelle des Solidarités" in admin.locator("table").inner_text()

    with sqlite3.connect(server["database"]) as con:
        body = con.execute(
            "SELECT body FROM outbox_messages WHERE to_addr = 'nouvelle.etudiante@demo.example'"
        ).fetchone()[0]
    link = re.search(r"https?://\S+", body).group(0)

    private = page_factory(width=390)
    private.goto(link)
    private.fill("#name", "Nouvelle Étudiante")
    private.fill("#password", "une longue phrase de passe")
    private.fill("#confirm", "une longue phrase de passe")
    private.click("main button[type=submit]")
    assert private.locator("h1").inner_text() == "Mutuelle des Solidarités"
    assert "Nouvelle Étudiante" in private.locator("aside").inner_text()

    private.goto(link)
    assert private.locator("h1").count() == 1
    assert "Mutuelle" not in private.locator("h1").inner_text()


def test_home_fits_a_phone_screen(server, page_factory):
    page = page_factory(width=390)
    log_in(page, server["url"], "chloe@demo.example")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
