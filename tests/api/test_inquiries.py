"""``/api/v1/inquiries``: list and read, through the policy; pagination."""

from __future__ import annotations

import pytest

from tests.conftest import make_inquiry

READ = {
    "student": 200,
    "tutor": 200,
    "partner": 200,
    "outsider": 404,
    "admin": 404,
    "anonymous": 401,
    "revoked": 401,
    "expired": 401,
}


@pytest.mark.parametrize("who", READ)
def test_read_inquiry_status_by_caller(as_, team, who):
    assert as_(who).get(f"/api/v1/inquiries/{team['inquiry'].id}").status_code == READ[who]


def test_unknown_inquiry_is_404_json(as_):
    response = as_("student").get("/api/v1/inquiries/999999")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_list_shows_only_own_inquiries(as_, team):
    body = as_("student").get("/api/v1/inquiries").get_json()
    assert [i["id"] for i in body] == [team["inquiry"].id]


def test_admin_who_is_not_a_member_lists_nothing(as_, team):
    response = as_("admin").get("/api/v1/inquiries")
    assert response.status_code == 200
    assert response.get_json() == []


def test_capabilities_come_from_the_policy(as_, team):
    student = as_("student").get(f"/api/v1/inquiries/{team['inquiry'].id}").get_json()
    partner = as_("partner").get(f"/api/v1/inquiries/{team['inquiry'].id}").get_json()
    assert "tasks.create" in student["capabilities"]
    assert "fieldwork.view" not in partner["capabilities"]


def test_pagination_with_link_header(as_, team):
    for n in range(4):
        make_inquiry(f"Enquête {n}", students=[team["student"]])
    api = as_("student")
    response = api.get("/api/v1/inquiries?per_page=2&page=2")
    assert len(response.get_json()) == 2
    assert response.headers["X-Total-Count"] == "5"
    link = response.headers["Link"]
    assert 'rel="next"' in link and 'rel="prev"' in link and "page=3" in link
    last = api.get("/api/v1/inquiries?per_page=2&page=3")
    assert len(last.get_json()) == 1 and 'rel="next"' not in last.headers["Link"]


def test_per_page_over_the_maximum_is_422_with_details(as_):
    response = as_("student").get("/api/v1/inquiries?per_page=1000")
    assert response.status_code == 422
    assert "per_page" in response.get_json()["error"]["details"]["query"]
