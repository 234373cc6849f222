"""Who reaches the coding pages: partners and outsiders never (404), tutors read and write memos, students code."""

from __future__ import annotations

import pytest

from inquiry_hub.extensions import db
from inquiry_hub.fieldwork.routes import coding as coding_routes
from inquiry_hub.fieldwork.services import coding
from tests.conftest import login
from tests.fieldwork.conftest import base


@pytest.fixture
def world(fw):
    """A code and an excerpt on the fixture's note."""
    code = coding.create_code(fw["inquiry"], fw["student"], name="Engagement")
    spare = coding.create_code(fw["inquiry"], fw["student"], name="Spare")
    excerpt = coding.code_span(fw["note"], fw["student"], 0, 3, [code.id])
    db.session.commit()
    return {**fw, "code": code, "spare": spare, "excerpt": excerpt}


def _coding_urls(app, w) -> list[tuple[str, str]]:
    """Every (method, URL) served by the coding module, ids filled with the fixture's objects."""
    ids = {"note_id": w["note"].id, "code_id": w["code"].id, "excerpt_id": w["excerpt"].id}
    endpoints = {
        f"fieldwork.{name}"
        for name, f in vars(coding_routes).items()
        if getattr(f, "__module__", "") == coding_routes.__name__
    }
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint not in endpoints:
            continue
        path = rule.rule.replace("<id:inquiry_id>", str(w["inquiry"].id)).replace("<fmt>", "csv")
        for name, value in ids.items():
            path = path.replace(f"<id:{name}>", str(value))
        assert "<" not in path, path
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            found.append((method, path))
    return found


def test_every_coding_url_is_listed(app, world):
    assert len(_coding_urls(app, world)) >= 20


@pytest.mark.parametrize("who", ["partner", "outsider", "admin"])
def test_non_readers_get_404_on_every_coding_url(app, client, world, who):
    login(client, world[who])
    statuses = {(m, u): client.open(u, method=m).status_code for m, u in _coding_urls(app, world)}
    assert {k: v for k, v in statuses.items() if v != 404} == {}
    assert db.session.get(type(world["code"]), world["code"].id) is not None
    login(client, world["student"])  # control: a student reads the same code's page
    response = client.get(base(world["inquiry"]) + f"/codes/{world['code'].id}")
    assert response.status_code == 200 and "Engagement" in response.get_data(as_text=True)


def test_anonymous_is_sent_to_login(app, client, world):
    for method, url in _coding_urls(app, world):
        response = client.open(url, method=method)
        assert response.status_code == 302 and "/auth/login" in response.headers["Location"], url


# (method, path template, form data, expected status for student, tutor)
ROUTES = [
    ("GET", "/codebook", None, 200, 200),
    ("GET", "/codebook.qdc", None, 200, 200),
    ("GET", "/codes/{code}", None, 200, 200),
    ("GET", "/codes/{code}/excerpts.csv", None, 200, 200),
    ("GET", "/codes/{code}/excerpts.md", None, 200, 200),
    ("GET", "/notes/{note}/coding", None, 200, 200),
    ("GET", "/excerpts?a={code}", None, 200, 200),
    ("GET", "/memos", None, 200, 200),
    ("GET", "/matrices", None, 200, 200),
    ("GET", "/agreement", None, 200, 200),
    ("POST", "/memos", {"title": "Piste"}, 302, 302),
    ("POST", "/codebook", {"name": "Nouveau", "colour": "#123456"}, 302, 403),
    ("GET", "/codes/{code}/edit", None, 200, 403),
    ("POST", "/codes/{code}/edit", {"name": "Renommé", "colour": "#123456"}, 302, 403),
    ("POST", "/codes/{code}/merge", {"target_id": "{spare}"}, 302, 403),
    ("GET", "/codes/{spare}/delete", None, 200, 403),
    ("POST", "/codes/{spare}/delete", {"confirmed": "1"}, 302, 403),
    ("POST", "/codebook/import", {}, 302, 403),
    ("POST", "/notes/{note}/excerpts", {"start": 0, "end": 2, "codes": "{code}"}, 302, 403),
    ("POST", "/notes/{note}/blind", {"on": "1"}, 302, 403),
    ("POST", "/excerpts/{excerpt}/delete", None, 302, 403),
]


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: f"{r[0]} {r[1]}")
@pytest.mark.parametrize("who", ["student", "tutor"])
def test_status_by_role(client, world, route, who):
    method, template, data, student, tutor = route
    values = {
        "code": world["code"].id,
        "spare": world["spare"].id,
        "note": world["note"].id,
        "excerpt": world["excerpt"].id,
    }
    url = f"/inquiries/{world['inquiry'].id}/fieldwork" + template.format(**values)
    form = {k: (v.format(**values) if isinstance(v, str) else v) for k, v in (data or {}).items()}
    login(client, world[who])
    response = client.open(url, method=method, data=form)
    assert response.status_code == (student if who == "student" else tutor)


def test_tutor_sees_no_coding_forms(client, world):
    login(client, world["tutor"])
    page = client.get(f"/inquiries/{world['inquiry'].id}/fieldwork/notes/{world['note'].id}/coding").get_data(
        as_text=True
    )
    assert "Entretien E07" in page  # control: the tutor reads the note's coding page
    assert 'id="span-form"' not in page and "Code this note blind" not in page
    book = client.get(f"/inquiries/{world['inquiry'].id}/fieldwork/codebook").get_data(as_text=True)
    assert "Engagement" in book  # control: and the codebook
    assert "New code" not in book
