"""Out-of-range integers in paths and query strings: a 404 or an ignored filter, never a 500.

Paths use the app's ``<id:...>`` converter (the API's too); query arguments go through
``urls.int_arg``. Each attack has its control: the same page with sane values answers 200.
"""

from __future__ import annotations

import pytest

from inquiry_hub.urls import MAX_ID, int_arg
from tests.conftest import login
from tests.security._hardening import HUGE, make_field


@pytest.fixture
def field(team):
    return make_field(team)


#: name → (path with {inquiry}, {code}, {note}…, the query argument that carries the attack, a sane value).
QUERY_ROUTES = {
    "code page, attribute": ("/inquiries/{inquiry}/fieldwork/codes/{code}", "attribute", "{attribute}"),
    "retrieval, attribute": ("/inquiries/{inquiry}/fieldwork/excerpts?a={code}", "attribute", "{attribute}"),
    "retrieval, code a": ("/inquiries/{inquiry}/fieldwork/excerpts", "a", "{code}"),
    "retrieval, code b": ("/inquiries/{inquiry}/fieldwork/excerpts?a={code}", "b", "{code}"),
    "matrices, attribute": ("/inquiries/{inquiry}/fieldwork/matrices", "attribute", "{attribute}"),
    "agreement, coder a": ("/inquiries/{inquiry}/fieldwork/agreement", "a", "{student}"),
    "new note, interview": ("/inquiries/{inquiry}/fieldwork/notes/new", "interview_id", "{interview}"),
    "attributes, edit": ("/inquiries/{inquiry}/fieldwork/attributes", "edit", "{attribute}"),
    "note history, a": ("/inquiries/{inquiry}/fieldwork/notes/{note}/history", "a", "1"),
    "guide, version": ("/inquiries/{inquiry}/fieldwork/guide", "version", "1"),
    "notifications, page": ("/notifications/", "page", "1"),
    "activity, page": ("/inquiries/{inquiry}/activity/", "page", "1"),
    "activity, person": ("/inquiries/{inquiry}/activity/", "person", "{student}"),
    "task list, page": ("/inquiries/{inquiry}/tasks/list", "page", "1"),
    "new task, column": ("/inquiries/{inquiry}/tasks/new", "column", "1"),
}

#: Paths with one id replaced by one the database cannot hold → (path, who looks, the id that exists).
PATH_ROUTES = {
    "inquiry home": ("/inquiries/{id}/", "student", "inquiry"),
    "fieldwork index": ("/inquiries/{id}/fieldwork/", "student", "inquiry"),
    "tasks board": ("/inquiries/{id}/tasks/", "student", "inquiry"),
    "deliverables": ("/inquiries/{id}/deliverables/", "student", "inquiry"),
    "activity": ("/inquiries/{id}/activity/", "student", "inquiry"),
    "archive": ("/inquiries/{id}/archive/", "student", "inquiry"),
    "audit": ("/inquiries/{id}/audit/", "student", "inquiry"),
    "note": ("/inquiries/{inquiry}/fieldwork/notes/{id}", "student", "note"),
    "interview": ("/inquiries/{inquiry}/fieldwork/interviews/{id}", "student", "interview"),
    "code": ("/inquiries/{inquiry}/fieldwork/codes/{id}", "student", "code"),
    "tutor view": ("/tutor/{id}", "tutor", "inquiry"),
    "partner portal": ("/partner/{id}", "partner", "inquiry"),
}


def _values(field) -> dict:
    return {
        "inquiry": field["inquiry"].id,
        "code": field["code"].id,
        "note": field["note"].id,
        "interview": field["interview"].id,
        "attribute": field["attribute"].id,
        "student": field["student"].id,
    }


def _url(path: str, name: str, value: str, values: dict) -> str:
    path = path.format(**values)
    return f"{path}{'&' if '?' in path else '?'}{name}={value.format(**values)}"


@pytest.mark.parametrize("route", list(QUERY_ROUTES))
def test_a_sane_query_argument_shows_the_page(client, field, route):
    login(client, field["student"])
    path, name, sane = QUERY_ROUTES[route]
    response = client.get(_url(path, name, sane, _values(field)))
    assert response.status_code == 200
    assert b"<main" in response.data


@pytest.mark.parametrize("value", [HUGE, str(MAX_ID + 1), "-1", "0", "1e9", "١٢"])
@pytest.mark.parametrize("route", list(QUERY_ROUTES))
def test_an_out_of_range_query_argument_is_ignored_or_refused(client, field, route, value):
    login(client, field["student"])
    path, name, _sane = QUERY_ROUTES[route]
    response = client.get(_url(path, name, value, _values(field)))
    assert response.status_code in (200, 400, 404), response.status_code


@pytest.mark.parametrize("route", list(PATH_ROUTES))
def test_an_existing_id_in_the_path_shows_the_page(client, field, route):
    path, who, existing = PATH_ROUTES[route]
    login(client, field[who])
    values = _values(field)
    url = path.format(inquiry=values["inquiry"], id=values[existing])
    response = client.get(url, follow_redirects=True)
    assert response.status_code == 200
    assert b"<main" in response.data


@pytest.mark.parametrize("value", [HUGE, str(MAX_ID + 1), "0"])
@pytest.mark.parametrize("route", list(PATH_ROUTES))
def test_an_out_of_range_id_in_the_path_is_a_404(client, field, route, value):
    path, who, _existing = PATH_ROUTES[route]
    login(client, field[who])
    assert client.get(path.format(inquiry=field["inquiry"].id, id=value)).status_code == 404


@pytest.mark.parametrize("value", [HUGE, str(MAX_ID + 1)])
def test_an_out_of_range_notification_is_a_404(client, field, value):
    login(client, field["student"])
    assert client.get("/notifications/").status_code == 200
    assert client.get(f"/notifications/{value}").status_code == 404


def test_the_api_refuses_an_out_of_range_id_with_the_same_rule(client, field):
    from tests.api.conftest import Api, make_token

    api = Api(client, make_token(field["student"]))
    assert api.get(f"/api/v1/inquiries/{field['inquiry'].id}").status_code == 200
    response = api.get(f"/api/v1/inquiries/{HUGE}")
    assert response.status_code == 404
    assert response.json["error"]["code"] == "not_found"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("12", 12), (" 7 ", 7), ("", None), ("abc", None), ("-3", None), ("0", None), (HUGE, None), ("٣", None)],
)
def test_int_arg_reads_only_id_sized_integers(app, raw, expected):
    with app.test_request_context(f"/?n={raw}"):
        assert int_arg("n") == expected


def test_every_integer_in_a_path_is_a_bounded_id(app):
    from werkzeug.routing import IntegerConverter

    from inquiry_hub.urls import IdConverter

    loose = [
        rule.rule
        for rule in app.url_map.iter_rules()
        for converter in rule._converters.values()
        if isinstance(converter, IntegerConverter) and not isinstance(converter, IdConverter)
    ]
    assert loose == []
    bounded = [
        r for r in app.url_map.iter_rules() if any(isinstance(c, IdConverter) for c in r._converters.values())
    ]
    assert len(bounded) > 50  # control: the scan does see the routes with ids
