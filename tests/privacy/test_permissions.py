"""Role × action for the privacy routes: who gets which status."""

from __future__ import annotations

import pytest

from tests.conftest import login

WHO = ("student", "tutor", "partner", "outsider", "admin")

#: route (formatted with the inquiry id) → expected status per person.
GETS = {
    "/inquiries/{id}/audit/": {"student": 200, "tutor": 200, "partner": 404, "outsider": 404, "admin": 404},
    "/inquiries/{id}/archive/": {"student": 200, "tutor": 403, "partner": 403, "outsider": 404, "admin": 404},
    "/inquiries/{id}/retention": {
        "student": 200,
        "tutor": 200,
        "partner": 200,
        "outsider": 404,
        "admin": 404,
    },
    "/admin/privacy/": {"student": 403, "tutor": 403, "partner": 403, "outsider": 403, "admin": 200},
    "/admin/privacy/{id}": {"student": 403, "tutor": 403, "partner": 403, "outsider": 403, "admin": 200},
    "/privacy": dict.fromkeys(WHO, 200),
    "/me/data.zip": dict.fromkeys(WHO, 200),
    "/me/close": dict.fromkeys(WHO, 200),
}


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("route", sorted(GETS))
def test_privacy_routes_answer_each_role_as_specified(client, team, route, who):
    login(client, team[who])
    response = client.get(route.format(id=team["inquiry"].id))
    assert response.status_code == GETS[route][who]


@pytest.mark.parametrize("who,status", [("tutor", 403), ("partner", 403), ("outsider", 404), ("admin", 404)])
def test_only_students_propose_a_retention_date(client, team, who, status):
    login(client, team[who])
    response = client.post(f"/inquiries/{team['inquiry'].id}/retention", data={"until": "2031-06-30"})
    assert response.status_code == status


@pytest.mark.parametrize("route", ["/privacy", "/me/data.zip", "/inquiries/1/audit/"])
def test_anonymous_visitors_are_sent_to_login(client, route):
    assert client.get(route).status_code == 302


def test_processing_record_is_linked_from_the_footer(client, team):
    login(client, team["student"])
    assert 'href="/privacy"' in client.get("/account/").get_data(as_text=True)


def test_processing_record_exists_in_french_and_english(client, team):
    login(client, team["student"])
    english = client.get("/privacy").get_data(as_text=True)
    french = client.get("/privacy?lang=fr").get_data(as_text=True)
    assert "Identity vault" in english and "Coffre d'identité" in french
