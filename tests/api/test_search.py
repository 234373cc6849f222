"""``/api/v1/inquiries/<id>/search``: through the search interface, never for partners."""

from __future__ import annotations

import pytest

UNAUTHENTICATED = {"anonymous": 401, "revoked": 401, "expired": 401}
SEARCH = {"student": 200, "tutor": 200, "partner": 404, "outsider": 404, **UNAUTHENTICATED}


@pytest.mark.parametrize("who", SEARCH)
def test_search_by_caller(as_, world, who):
    assert (
        as_(who).get(f"/api/v1/inquiries/{world['inquiry'].id}/search?q=collectif").status_code == SEARCH[who]
    )


def test_search_finds_notes_ignoring_accents(as_, world):
    hits = as_("student").get(f"/api/v1/inquiries/{world['inquiry'].id}/search?q=energie").get_json()
    assert [h["note_id"] for h in hits] == [world["note"].id]
    assert "<mark>" in hits[0]["snippet_html"]


def test_search_without_q_is_422(as_, world):
    assert as_("student").get(f"/api/v1/inquiries/{world['inquiry'].id}/search").status_code == 422
