"""Who reaches which fieldwork URL: partners never (404), tutors read, students do everything."""

from __future__ import annotations

import pytest

from inquiry_hub import policy
from inquiry_hub.extensions import db
from inquiry_hub.fieldwork.models import InterviewFile
from tests.conftest import login
from tests.fieldwork.conftest import base


def _urls(app, fw) -> list[tuple[str, str]]:
    """Every (method, URL) of the fieldwork blueprint, ids filled with the fixture's objects."""
    ids = {"interview_id": fw["interview"].id, "note_id": fw["note"].id, "number": 1, "file_id": 1}
    found = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("fieldwork."):
            continue
        path = rule.rule.replace("<id:inquiry_id>", str(fw["inquiry"].id))
        for name, value in ids.items():
            path = path.replace(f"<id:{name}>", str(value))
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            found.append((method, path))
    return found


def _student_reads_the_interview(client, fw) -> bool:
    """The control: the same interview page is there for a student (the 404s are not a broken page)."""
    login(client, fw["student"])
    response = client.get(base(fw["inquiry"]) + f"/interviews/{fw['interview'].id}")
    return response.status_code == 200 and "E07" in response.get_data(as_text=True)


def test_every_fieldwork_url_is_listed(app, fw):
    assert len(_urls(app, fw)) >= 25


def test_partner_gets_404_on_every_fieldwork_url(app, client, fw):
    login(client, fw["partner"])
    statuses = {(m, u): client.open(u, method=m).status_code for m, u in _urls(app, fw)}
    assert {k: v for k, v in statuses.items() if v != 404} == {}
    assert _student_reads_the_interview(client, fw)


def test_outsider_gets_404_on_every_fieldwork_url(app, client, fw):
    login(client, fw["outsider"])
    statuses = {(m, u): client.open(u, method=m).status_code for m, u in _urls(app, fw)}
    assert {k: v for k, v in statuses.items() if v != 404} == {}
    assert _student_reads_the_interview(client, fw)


def test_admin_who_is_not_a_member_gets_404(app, client, fw):
    login(client, fw["admin"])
    assert client.get(base(fw["inquiry"]) + "/").status_code == 404


def test_anonymous_is_sent_to_login(client, fw):
    response = client.get(base(fw["inquiry"]) + "/")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


PAGES = [
    "/",
    "/interviews/{interview}",
    "/notes/{note}",
    "/notes/{note}/history",
    "/notes/{note}/revisions/1",
    "/guide",
    "/sampling",
    "/attributes",
    "/search?q=entreprise",
]


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize(
    "who, status", [("student", 200), ("tutor", 200), ("partner", 404), ("outsider", 404)]
)
def test_read_pages_by_role(client, fw, page, who, status):
    login(client, fw[who])
    url = base(fw["inquiry"]) + page.format(interview=fw["interview"].id, note=fw["note"].id)
    assert client.get(url).status_code == status


WRITES = [
    ("GET", "/interviews/new"),
    ("GET", "/interviews/{interview}/edit"),
    ("GET", "/interviews/{interview}/consent"),
    ("GET", "/interviews/{interview}/withdraw"),
    ("POST", "/interviews/{interview}/reveal"),
    ("POST", "/interviews/{interview}/identity"),
    ("POST", "/interviews/{interview}/delete"),
    ("GET", "/notes/new"),
    ("GET", "/notes/{note}/edit"),
    ("POST", "/notes/{note}/delete"),
    ("POST", "/attributes"),
    ("POST", "/guide"),
    ("POST", "/sampling"),
]


@pytest.mark.parametrize("method, page", WRITES)
@pytest.mark.parametrize("who, allowed", [("student", True), ("tutor", False), ("partner", False)])
def test_write_routes_by_role(client, fw, method, page, who, allowed):
    login(client, fw[who])
    url = base(fw["inquiry"]) + page.format(interview=fw["interview"].id, note=fw["note"].id)
    status = client.open(url, method=method).status_code
    if allowed:
        assert status in (200, 302, 422)
    else:
        assert status == (403 if who == "tutor" else 404)


@pytest.mark.parametrize(
    "action, student, tutor, partner",
    [
        ("fieldwork.view", True, True, False),
        ("fieldwork.search", True, True, False),
        ("fieldwork.edit", True, False, False),
        ("fieldwork.delete", True, False, False),
        ("fieldwork.reveal_identity", True, False, False),
    ],
)
def test_policy_matrix_on_an_interview(fw, action, student, tutor, partner):
    interview = fw["interview"]
    assert policy.can(fw["student"], action, interview) is student
    assert policy.can(fw["tutor"], action, interview) is tutor
    assert policy.can(fw["partner"], action, interview) is partner
    assert policy.can(fw["outsider"], action, interview) is False


def test_ids_of_another_inquiry_get_404(client, fw):
    from tests.conftest import make_inquiry

    other = make_inquiry("Autre", students=[fw["student"]])
    login(client, fw["student"])
    for page in (
        "/interviews/{interview}",
        "/notes/{note}",
        "/notes/{note}/edit",
        "/interviews/{interview}/edit",
    ):
        url = base(other) + page.format(interview=fw["interview"].id, note=fw["note"].id)
        assert client.get(url).status_code == 404, url
    assert client.get(base(other) + f"/notes/new?interview_id={fw['interview'].id}").status_code == 404


def test_file_of_another_interview_gets_404(client, fw):
    from inquiry_hub.fieldwork import services as fieldwork

    other = fieldwork.create_interview(fw["inquiry"], fw["student"], {"pseudonym": "E99"})
    row = InterviewFile(
        inquiry_id=fw["inquiry"].id,
        interview_id=other.id,
        sha256="a" * 64,
        filename="x.pdf",
        kind="attachment",
    )
    db.session.add(row)
    db.session.commit()
    login(client, fw["student"])
    url = base(fw["inquiry"]) + f"/interviews/{fw['interview'].id}/files/{row.id}"
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    "who, status", [("student", 302), ("tutor", 302), ("partner", 404), ("outsider", 404)]
)
def test_comment_by_role(client, fw, who, status):
    login(client, fw[who])
    url = base(fw["inquiry"]) + f"/notes/{fw['note'].id}/comments"
    assert client.post(url, data={"body": "Remarque"}).status_code == status
