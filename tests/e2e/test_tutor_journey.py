"""The tutor's view in a real browser, at desktop and phone width: every team the tutor follows
side by side with its figures, then one team's burn-up charts."""

from __future__ import annotations

import re
import sqlite3

import pytest

from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e
pytest.importorskip("playwright.sync_api", reason="the browser journeys need playwright")

#: Some room for a scrollbar's rounding; a table that does not fit would overflow by far more.
TOLERANCE = 2


def _inquiries(server) -> list[tuple[int, str, int, int]]:
    """(id, title, tasks done, tasks open) of the inquiries the demo tutor follows, as stored now."""
    with sqlite3.connect(server["database"]) as con:
        return con.execute(
            "SELECT inquiries.id, inquiries.title,"
            " SUM(CASE WHEN task_columns.kind = 'done' THEN 1 ELSE 0 END),"
            " SUM(CASE WHEN task_columns.kind = 'done' THEN 0 ELSE 1 END)"
            " FROM memberships JOIN users ON users.id = memberships.user_id"
            " JOIN inquiries ON inquiries.id = memberships.inquiry_id"
            " JOIN tasks ON tasks.inquiry_id = inquiries.id"
            " JOIN task_columns ON task_columns.id = tasks.column_id"
            " WHERE users.email = 'tutor@demo.example' AND memberships.role = 'tutor'"
            " GROUP BY inquiries.id, inquiries.title ORDER BY inquiries.id"
        ).fetchall()


def _fits(page, width: int) -> None:
    """No sideways scrolling of the page itself; wide tables scroll in their own container."""
    assert page.evaluate("document.documentElement.scrollWidth") <= width + TOLERANCE


@pytest.mark.parametrize("width", [1280, 390])
def test_tutor_follows_both_teams_and_opens_one(server, page_factory, width):
    base = server["url"]
    inquiries = _inquiries(server)
    assert len(inquiries) == 2  # both demo inquiries
    page = page_factory(width=width)
    log_in(page, base, "tutor@demo.example")

    menu = page.locator("header details.dropdown", has=page.locator("a[href$='/tutor/']"))
    menu.locator("summary").click()
    with page.expect_navigation():
        menu.locator("a[href$='/tutor/']").click()
    assert page.url == base + "/tutor/"
    assert page.locator("h1").inner_text() == "Équipes que je suis"
    rows = page.locator("table.followup tbody tr")
    assert rows.count() == len(inquiries)
    for (inquiry_id, title, done, open_), row in zip(inquiries, rows.all(), strict=True):
        assert row.locator("th a").inner_text() == title
        assert row.locator("th a").get_attribute("href").endswith(f"/tutor/{inquiry_id}")
        assert f"{done} terminées, {open_} ouvertes" in row.locator("td").nth(1).inner_text()
        assert row.locator("progress").count() == 1
    _fits(page, width)

    inquiry_id, title, done, open_ = inquiries[0]
    with page.expect_navigation():
        page.locator("table.followup").get_by_role("link", name=title).click()
    assert page.url == f"{base}/tutor/{inquiry_id}"
    assert page.locator("h1").inner_text() == f"Avancement de {title}"
    assert f"{done} terminées, {open_} ouvertes" in page.locator("dl.figures").inner_text()

    charts = page.locator("svg.burnup")
    assert charts.count() == 2
    for chart in charts.all():
        assert chart.locator("polyline").count() == 2
        assert chart.bounding_box()["width"] <= width
    # Images to assistive technologies, named by their lines' latest values.
    # French puts a (narrow no-break) space before the colon.
    for name in (r"^Création\s: \d+; Terminé\s: \d+$", r"^Prévus\s: \d+; Réalisés\s: \d+$"):
        assert page.get_by_role("img", name=re.compile(name)).count() == 1
    # The figures behind each chart, for those who cannot see it.
    page.locator("details summary:has-text('Tableau des données')").first.click()
    assert page.locator("details[open] table tbody tr").count() >= 1
    _fits(page, width)
