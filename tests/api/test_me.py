"""``GET /api/v1/me`` for every caller."""

from __future__ import annotations

import pytest

EXPECTED = {
    "student": 200,
    "tutor": 200,
    "partner": 200,
    "outsider": 200,
    "anonymous": 401,
    "revoked": 401,
    "expired": 401,
}


@pytest.mark.parametrize("who", EXPECTED)
def test_me_status_by_caller(as_, team, who):
    assert as_(who).get("/api/v1/me").status_code == EXPECTED[who]


def test_me_never_shows_the_token_hash(as_):
    response = as_("student").get("/api/v1/me")
    assert response.status_code == 200 and "email" in response.get_json()
    assert "token_hash" not in response.get_data(as_text=True)
