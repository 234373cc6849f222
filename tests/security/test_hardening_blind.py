"""Blind coding holds everywhere: while a coder codes a note blind, the others' excerpts on it
are absent from pages, exports, matrices, memos, the API and citations (one query: coding.visible_query).

The field fixture's excerpt is coded by students[0] ("the coder"); students[1] ("the blind one")
codes the same note blind. Each attack has its control: the coder, or the blind one before
entering blind mode, sees the excerpt.
"""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import func, select

from inquiry_hub.deliverables.models import Version
from inquiry_hub.extensions import db
from inquiry_hub.fieldwork.services import coding, coding_analysis
from tests.api.conftest import Api, make_token
from tests.conftest import login
from tests.deliverables.conftest import make_deliverable, text_version
from tests.security._hardening import make_field

QUOTE = "décide ensemble"


@pytest.fixture
def field(team):
    world = make_field(team)
    coding.create_memo(
        world["inquiry"], world["students"][0], title="Mémo secret", body="", excerpt=world["excerpt"]
    )
    db.session.commit()
    return world


def _blind(field):
    coding.set_blind(field["note"], field["students"][1], True)
    db.session.commit()


def _pages(field) -> dict[str, str]:
    base = f"/inquiries/{field['inquiry'].id}/fieldwork"
    code = field["code"].id
    return {
        "code page": f"{base}/codes/{code}",
        "excerpts csv": f"{base}/codes/{code}/excerpts.csv",
        "excerpts md": f"{base}/codes/{code}/excerpts.md",
        "retrieval": f"{base}/excerpts?a={code}",
        "retrieval by profile": f"{base}/excerpts?a={code}&b={code}",
        "memos": f"{base}/memos",
    }


def _read(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.get_data(as_text=True)


@pytest.mark.parametrize(
    "page", ["code page", "excerpts csv", "excerpts md", "retrieval", "retrieval by profile"]
)
def test_the_coder_sees_the_excerpt(client, field, page):
    _blind(field)
    login(client, field["students"][0])
    assert QUOTE in _read(client, _pages(field)[page])


@pytest.mark.parametrize(
    "page", ["code page", "excerpts csv", "excerpts md", "retrieval", "retrieval by profile"]
)
def test_the_blind_coder_does_not_see_it(client, field, page):
    login(client, field["students"][1])
    assert QUOTE in _read(client, _pages(field)[page])  # control: before blind mode
    _blind(field)
    assert QUOTE not in _read(client, _pages(field)[page])


def test_the_csv_export_has_no_row_for_the_hidden_excerpt(client, field):
    _blind(field)
    login(client, field["students"][1])
    rows = list(csv.reader(io.StringIO(_read(client, _pages(field)["excerpts csv"]))))
    assert rows == [["excerpt", "code", "interview", "profile", "note", "coder", "text"]]


def test_memos_on_a_hidden_excerpt_are_hidden(client, field):
    login(client, field["students"][1])
    assert "Mémo secret" in _read(client, _pages(field)["memos"])
    _blind(field)
    assert "Mémo secret" not in _read(client, _pages(field)["memos"])
    assert "Mémo secret" not in _read(client, _pages(field)["code page"])


def test_matrices_do_not_count_the_hidden_excerpt(field):
    inquiry, coder, blind = field["inquiry"], field["students"][0], field["students"][1]
    _blind(field)
    assert len(coding_analysis.codes_over_time(inquiry, viewer=coder)) >= 1  # the coder sees it counted
    assert coding_analysis.codes_over_time(inquiry, viewer=blind) == {}
    assert coding_analysis.cooccurrence(inquiry, viewer=blind) == {}


def test_the_api_hides_it_by_list_and_by_id(client, field):
    _blind(field)
    api = Api(client, make_token(field["students"][1]))
    coder_api = Api(client, make_token(field["students"][0]))
    url = f"/api/v1/excerpts/{field['excerpt'].id}"
    assert coder_api.get(url).status_code == 200
    assert api.get(url).status_code == 404
    listed = api.get(f"/api/v1/inquiries/{field['inquiry'].id}/excerpts").json
    assert field["excerpt"].id not in [e["id"] for e in listed]


# --- citations ---------------------------------------------------------------------------------


def _cite(client, field, who) -> int:
    deliverable = make_deliverable(field["inquiry"], field["students"][0])
    login(client, who)
    url = f"/inquiries/{field['inquiry'].id}/deliverables/{deliverable.id}/versions/text"
    body = f"# Rapport\n\nComme le dit E07 : [[excerpt:{field['excerpt'].id}]]"
    return client.post(url, data={"body": body, "changelog": "v1"})


def _versions() -> int:
    return db.session.scalar(select(func.count(Version.id)))


def test_the_blind_coder_cannot_cite_the_hidden_excerpt(client, field):
    _blind(field)
    response = _cite(client, field, field["students"][1])
    assert response.status_code == 422
    assert "cannot be cited while you code its note blind" in response.get_data(as_text=True)
    assert _versions() == 0


def test_the_coder_can_cite_it(client, field):
    _blind(field)
    assert _cite(client, field, field["students"][0]).status_code == 302
    assert _versions() == 1


def test_the_api_refuses_the_citation_too(client, field):
    _blind(field)
    deliverable = make_deliverable(field["inquiry"], field["students"][0])
    api = Api(client, make_token(field["students"][1]))
    body = {"body": f"[[excerpt:{field['excerpt'].id}]]", "changelog": "v1"}
    response = api.post(f"/api/v1/deliverables/{deliverable.id}/versions", json=body)
    assert response.status_code == 422
    assert _versions() == 0


def test_a_version_citing_it_does_not_show_the_quote_to_the_blind_coder(client, field):
    deliverable = make_deliverable(field["inquiry"], field["students"][0])
    version = text_version(deliverable, field["students"][0], body=f"Voir [[excerpt:{field['excerpt'].id}]]")
    _blind(field)
    base = f"/inquiries/{field['inquiry'].id}/deliverables/{deliverable.id}/versions/{version.id}"
    login(client, field["students"][0])
    assert QUOTE in _read(client, base)
    login(client, field["students"][1])
    assert QUOTE not in _read(client, base)
    assert QUOTE not in _read(client, base + "/evidence")
