"""A deliverable's whole journey in a real browser: a student uploads a PDF, the team shares it
by consent, the partner approves it."""

from __future__ import annotations

import io
import re
import sqlite3

import pytest

from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e
pytest.importorskip("playwright.sync_api", reason="the browser journeys need playwright")


def _pdf() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _agree(page, base: str, email: str, proposal_url: str) -> None:
    log_in(page, base, email)
    page.goto(proposal_url)
    page.check("input[name=stance][value=agree]")
    with page.expect_navigation():
        page.click("form[action$='/position'] button[type=submit]")


def test_student_uploads_team_shares_partner_approves(server, page_factory):
    base = server["url"]
    student = page_factory()
    log_in(student, base, "alice@demo.example")
    student.goto(base + "/inquiries/1/deliverables/new")
    student.fill("#title", "Synthèse intermédiaire (e2e)")
    with student.expect_navigation():
        student.click("main form button[type=submit]")
    deliverable_url = student.url
    assert re.search(r"/deliverables/\d+$", deliverable_url)

    upload = student.locator("form[action$='/versions/file']")
    student.click("summary:has-text('Déposer un fichier')")
    upload.locator("input[type=file]").set_input_files(
        {"name": "synthese.pdf", "mimeType": "application/pdf", "buffer": _pdf()}
    )
    upload.locator("input[name=changelog]").fill("Première version")
    with student.expect_navigation():
        upload.locator("button[type=submit]").click()
    version_url = student.url
    assert "/versions/" in version_url

    student.click("a[href$='/share']")
    with student.expect_navigation():
        student.click("form[action$='/share'] button[type=submit]")
    proposal_url = student.url
    assert "/decisions/" in proposal_url

    for email in ("bruno@demo.example", "chloe@demo.example"):
        _agree(page_factory(), base, email, proposal_url)

    partner = page_factory(width=390)
    log_in(partner, base, "partner-a@demo.example")
    response = partner.goto(version_url)
    assert response.status == 200
    partner.check("input[name=verdict][value=approve]")
    partner.fill("textarea[name=body]", "Très clair, merci.")
    with partner.expect_navigation():
        partner.click("form[action$='/reviews'] button[type=submit]")

    deliverable_id = int(deliverable_url.rsplit("/", 1)[1])
    with sqlite3.connect(server["database"]) as con:
        status = con.execute("SELECT status FROM deliverables WHERE id = ?", (deliverable_id,)).fetchone()[0]
    assert status == "approved"
