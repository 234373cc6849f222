"""axe-core in real pages: no "serious" or "critical" accessibility violation."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e
pytest.importorskip("playwright.sync_api", reason="the browser journeys need playwright")

AXE = (Path(__file__).parent / "vendor" / "axe-core-4.14.1" / "axe.min.js").read_text()

#: (who, path, width): the pages people use most, at desktop and phone width.
PAGES = [
    ("", "/auth/login", 1280),
    ("alice@demo.example", "/inquiries/1/", 1280),
    ("alice@demo.example", "/inquiries/1/", 390),
    ("alice@demo.example", "/inquiries/1/members/", 1280),
    ("alice@demo.example", "/inquiries/1/tasks/", 1280),
    ("alice@demo.example", "/inquiries/1/tasks/", 390),
    ("alice@demo.example", "/inquiries/1/tasks/list", 1280),
    ("alice@demo.example", "/inquiries/1/tasks/calendar", 1280),
    ("alice@demo.example", "/inquiries/1/fieldwork/", 1280),
    ("alice@demo.example", "/inquiries/1/decisions/", 1280),
    ("alice@demo.example", "/inquiries/1/meetings/", 1280),
    ("alice@demo.example", "/inquiries/1/logbook/", 1280),
    ("alice@demo.example", "/inquiries/1/deliverables/", 1280),
    ("alice@demo.example", "/inquiries/1/deliverables/1", 1280),
    ("tutor@demo.example", "/tutor/", 1280),
    ("partner-a@demo.example", "/partner/1", 390),
    ("alice@demo.example", "/me/", 1280),
    ("alice@demo.example", "/inquiries/1/activity/", 1280),
    ("alice@demo.example", "/account/", 1280),
    ("alice@demo.example", "/notifications/", 390),
    ("tutor@demo.example", "/inquiries/2/", 1280),
    ("partner-a@demo.example", "/inquiries/1/", 390),
    ("admin@demo.example", "/admin/", 1280),
    ("admin@demo.example", "/admin/inquiries/new", 390),
    # The pages of the fieldwork and tutor journeys.
    ("alice@demo.example", "/inquiries/1/fieldwork/interviews/2", 1280),
    # A recorded withdrawal (banner with the mistake button) and the re-pseudonymisation preview.
    ("bruno@demo.example", "/inquiries/1/fieldwork/interviews/5", 390),
    ("alice@demo.example", "/inquiries/1/fieldwork/repseudonymise", 390),
    ("alice@demo.example", "/inquiries/1/fieldwork/notes/new?interview_id=2", 1280),
    ("alice@demo.example", "/inquiries/1/fieldwork/notes/2", 1280),
    ("alice@demo.example", "/inquiries/1/fieldwork/notes/2/coding", 1280),
    ("alice@demo.example", "/inquiries/1/fieldwork/notes/2/coding", 390),
    ("alice@demo.example", "/inquiries/1/fieldwork/codes/6", 1280),
    ("tutor@demo.example", "/tutor/", 390),
    ("tutor@demo.example", "/tutor/1", 1280),
    ("tutor@demo.example", "/tutor/1", 390),
]


def _violations(page) -> list[dict]:
    # evaluate() runs through the DevTools protocol, so the page's CSP still holds for the app.
    page.evaluate(AXE)
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [v for v in result["violations"] if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize(("who", "path", "width"), PAGES, ids=[f"{w}{p}@{x}" for w, p, x in PAGES])
def test_page_has_no_serious_accessibility_violation(server, page_factory, who, path, width):
    page = page_factory(width=width)
    if who:
        log_in(page, server["url"], who)
    response = page.goto(server["url"] + path)
    assert response.status == 200
    problems = [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes'][:3]]}"
        for v in _violations(page)
    ]
    assert problems == []
