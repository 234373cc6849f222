"""Fieldwork in a real browser: a student writes an interview note, selects a passage of it with
the mouse in the coding view and codes it; the excerpt then shows on the code's page."""

from __future__ import annotations

import sqlite3

import pytest

from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e
pytest.importorskip("playwright.sync_api", reason="the browser journeys need playwright")

#: Two paragraphs; the name from the identity vault is replaced by the pseudonym before saving.
BODY = (
    "Gérard Pelletier raconte que les décisions se prennent au café du mardi.\n\n"
    "Personne ne vote vraiment : on se met d'accord en marchant entre les serres, "
    "puis on l'annonce en conseil."
)
PASSAGE = "on se met d'accord en marchant entre les serres"
CODE = "Instances formelles"


def _select_with_the_mouse(page, text: str) -> None:
    """Press the mouse just before the first character of ``text`` in the note and release it
    just after the last one, as a person selecting the passage would."""
    box = page.evaluate(
        """(text) => {
            for (const p of document.querySelectorAll(".paragraph-text")) {
                const node = p.firstChild;
                const at = node ? node.textContent.indexOf(text) : -1;
                if (at < 0) continue;
                const range = document.createRange();
                range.setStart(node, at);
                range.setEnd(node, at + 1);
                const first = range.getBoundingClientRect();
                range.setStart(node, at + text.length - 1);
                range.setEnd(node, at + text.length);
                const last = range.getBoundingClientRect();
                return {x1: first.left + 1, y1: first.top + first.height / 2,
                        x2: last.right - 1, y2: last.top + last.height / 2};
            }
            return null;
        }""",
        text,
    )
    assert box is not None, f"{text!r} is not in the coding view"
    page.mouse.move(box["x1"], box["y1"])
    page.mouse.down()
    page.mouse.move((box["x1"] + box["x2"]) / 2, (box["y1"] + box["y2"]) / 2, steps=5)
    page.mouse.move(box["x2"], box["y2"], steps=5)
    page.mouse.up()


def test_student_writes_an_interview_note_and_codes_a_passage(server, page_factory):
    base = server["url"]
    page = page_factory()
    log_in(page, base, "alice@demo.example")
    page.goto(base + "/inquiries/1/fieldwork/")
    with page.expect_navigation():
        page.click("main table a:text-is('J02')")
    assert "/fieldwork/interviews/" in page.url

    with page.expect_navigation():
        page.click("a[href*='/notes/new?interview_id=']")
    page.fill("#title", "Notes après l'entretien J02 (e2e)")
    page.fill("#body", BODY)
    with page.expect_navigation():
        page.click("button[name=action][value=save]")
    # The pseudonymisation check: the real name found in the vault, replaced by the pseudonym.
    check = page.locator("section.pseudonymisation")
    assert "Gérard Pelletier" in check.locator("del").first.inner_text()
    assert check.locator("ins").first.inner_text() == "J02"
    assert "Gérard" not in page.input_value("#body")
    with page.expect_navigation():
        page.click("button[name=action][value=save]")
    assert page.locator(".flash").first.inner_text().strip() == "Note enregistrée."
    assert "J02 raconte que les décisions" in page.locator(".note-body").inner_text()

    with page.expect_navigation():
        page.click("a[href$='/coding']")
    preview = page.locator("#selection-preview")
    _select_with_the_mouse(page, PASSAGE)
    assert page.evaluate("window.getSelection().toString()") == PASSAGE
    assert preview.inner_text() == f"« {PASSAGE} »"
    start = int(page.input_value("#start"))
    end = int(page.input_value("#end"))
    assert end - start == len(PASSAGE)
    page.select_option("#span-form select[name=codes]", label=CODE)
    with page.expect_navigation():
        page.click("#span-form button[type=submit]")
    assert page.locator(".flash").first.inner_text().strip() == "Passage codé."
    margin = page.locator(".coded-paragraph", has_text=PASSAGE).locator(".margin")
    assert CODE in margin.inner_text()

    with sqlite3.connect(server["database"]) as con:
        stored = con.execute(
            "SELECT excerpts.text FROM excerpts JOIN notes ON notes.id = excerpts.note_id"
            " WHERE notes.title = ?",
            ("Notes après l'entretien J02 (e2e)",),
        ).fetchall()
    assert stored == [(PASSAGE,)]

    page.goto(base + "/inquiries/1/fieldwork/codebook")
    with page.expect_navigation():
        page.click(f"main a:text-is('{CODE}')")
    quotes = page.locator("article.excerpt blockquote").all_inner_texts()
    assert PASSAGE in quotes
    excerpt = page.locator("article.excerpt", has_text=PASSAGE)
    assert "Notes après l'entretien J02 (e2e)" in excerpt.locator("footer").inner_text()


def test_a_whole_paragraph_is_coded_without_javascript(server, page_factory):
    base = server["url"]
    page = page_factory(javascript=False)
    log_in(page, base, "bruno@demo.example")
    page.goto(base + "/inquiries/1/fieldwork/")
    with page.expect_navigation():
        page.click("main table a:text-is('J02')")
    with page.expect_navigation():
        page.click("a[href*='/notes/new?interview_id=']")
    page.fill("#title", "Deuxième lecture (e2e, sans script)")
    page.fill("#body", "Le café du mardi.\n\nOn y décide sans vote, en conseil informel.")
    with page.expect_navigation():
        page.click("button[name=action][value=save]")
    with page.expect_navigation():
        page.click("a[href$='/coding']")
    page.fill("#par-paragraph", "2")
    page.select_option("select[name=par-codes]", label=CODE)
    with page.expect_navigation():
        page.click("button:text-is('Coder le paragraphe')")
    assert page.locator(".flash").first.inner_text().strip() == "Passage codé."
    margin = page.locator(".coded-paragraph", has_text="On y décide sans vote").locator(".margin")
    assert CODE in margin.inner_text()
