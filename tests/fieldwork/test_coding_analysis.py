"""Coding analysis: kappa and agreement, matrices, REFI-QDA exchange — against hand-computed values."""

from __future__ import annotations

import re
import uuid
import xml.etree.ElementTree as ET
from datetime import date

import pytest
from sqlalchemy import func, select

from inquiry_hub.extensions import db
from inquiry_hub.fieldwork import refi
from inquiry_hub.fieldwork import services as fieldwork
from inquiry_hub.fieldwork.models import Code
from inquiry_hub.fieldwork.services import agreement, coding, coding_analysis
from tests.conftest import login
from tests.fieldwork.conftest import base

NS = "{urn:QDA-XML:codebook:1.0}"

# --- pure functions ---------------------------------------------------------------------


def test_kappa_against_a_hand_computed_table():
    # 10 units: both yes 4, A only 2, B only 1, neither 3.
    # po = 7/10; pe = (6*5 + 4*5)/100 = 0.5; kappa = (0.7-0.5)/0.5 = 0.4
    pairs = [(True, True)] * 4 + [(True, False)] * 2 + [(False, True)] + [(False, False)] * 3
    assert agreement.percent_agreement(pairs) == pytest.approx(0.7)
    assert agreement.cohen_kappa(pairs) == pytest.approx(0.4)


def test_kappa_of_perfect_and_of_opposite_coders():
    assert agreement.cohen_kappa([(True, True), (False, False)]) == pytest.approx(1.0)
    assert agreement.cohen_kappa([(True, False), (False, True)]) == pytest.approx(-1.0)


def test_kappa_is_undefined_when_chance_agreement_is_total():
    assert agreement.cohen_kappa([(True, True)] * 3) is None
    assert agreement.cohen_kappa([]) is None
    assert agreement.percent_agreement([]) is None


def test_paragraph_offsets():
    assert coding.paragraphs("ab\n\n  cd \n \nef") == [(0, 2), (6, 8), (12, 14)]


# --- a fixture coded by two coders ------------------------------------------------------

# Four paragraphs; coder A codes P1, P2 with X and P3 with Y; coder B codes P1 with X, P3 with X and Y.
BODY = "Un.\n\nDeux.\n\nTrois.\n\nQuatre."


@pytest.fixture
def two_coders(fw):
    inquiry, (a, b, _c) = fw["inquiry"], fw["students"]
    x = coding.create_code(inquiry, a, name="X")
    y = coding.create_code(inquiry, a, name="Y")
    note = fieldwork.create_note(
        inquiry, a, title="Double", body=BODY, kind="transcript", interview=fw["interview"]
    )
    for coder in (a, b):
        coding.set_blind(note, coder, True)
    coding.code_paragraph(note, a, 1, [x.id])
    coding.code_paragraph(note, a, 2, [x.id])
    coding.code_paragraph(note, a, 3, [y.id])
    coding.code_paragraph(note, b, 1, [x.id])
    coding.code_paragraph(note, b, 3, [x.id, y.id])
    db.session.commit()
    return {**fw, "x": x, "y": y, "a": a, "b": b, "dnote": note}


def test_agreement_per_code_on_the_fixture(two_coders):
    table, disagreements = agreement.agreement(two_coders["inquiry"], two_coders["a"], two_coders["b"])
    rows = {r.code.name: r for r in table}
    # X: A = (1,1,0,0), B = (1,0,1,0) → po 2/4; pe = (2*2 + 2*2)/16 = 0.5; kappa 0.
    assert rows["X"].percent == pytest.approx(0.5) and rows["X"].kappa == pytest.approx(0.0)
    # Y: A = (0,0,1,0), B = (0,0,1,0) → po 1, kappa 1.
    assert rows["Y"].percent == pytest.approx(1.0) and rows["Y"].kappa == pytest.approx(1.0)
    assert [u.number for u in disagreements] == [2, 3]


def test_agreement_page_shows_side_by_side_disagreements(client, two_coders):
    login(client, two_coders["tutor"])
    page = client.get(
        base(two_coders["inquiry"]) + f"/agreement?a={two_coders['a'].id}&b={two_coders['b'].id}"
    ).get_data(as_text=True)
    assert "0.00" in page and "1.00" in page and "paragraph 2" in page


def test_agreement_page_hides_disagreements_on_a_note_the_viewer_still_codes_blind(client, two_coders):
    login(client, two_coders["a"])
    page = client.get(
        base(two_coders["inquiry"]) + f"/agreement?a={two_coders['a'].id}&b={two_coders['b'].id}"
    ).get_data(as_text=True)
    assert "paragraph 2" not in page and "No disagreement." in page


# --- matrices ---------------------------------------------------------------------------


@pytest.fixture
def matrix(fw):
    """Two interviews (volunteer in November, employee in December) and three codes."""
    inquiry, s = fw["inquiry"], fw["student"]
    status = fieldwork.save_attribute(inquiry, s, "Statut", "bénévole\nsalarié")
    fw["interview"].profile = {str(status.id): "bénévole"}
    e08 = fieldwork.create_interview(
        inquiry, s, {"pseudonym": "E08", "status": "conducted", "conducted_on": date(2026, 12, 2)}
    )
    e08.profile = {str(status.id): "salarié"}
    a, b, c = (coding.create_code(inquiry, s, name=n) for n in "ABC")
    n1 = fieldwork.create_note(
        inquiry, s, title="N1", body="0123456789" * 3, kind="transcript", interview=fw["interview"]
    )
    n2 = fieldwork.create_note(
        inquiry, s, title="N2", body="0123456789" * 3, kind="transcript", interview=e08
    )
    coding.code_span(n1, s, 0, 10, [a.id, b.id])  # A+B in one excerpt
    coding.code_span(n1, s, 5, 15, [c.id])  # C overlaps it
    coding.code_span(n1, s, 20, 25, [a.id])  # A alone
    coding.code_span(n2, s, 0, 10, [a.id])
    coding.code_span(n2, s, 10, 20, [b.id])  # touching, not overlapping
    db.session.commit()
    return {**fw, "status": status, "A": a, "B": b, "C": c}


def test_code_by_profile_matrix(matrix):
    counts = coding_analysis.attribute_matrix(matrix["inquiry"], matrix["status"], viewer=None)
    ids = {k: matrix[k].id for k in "ABC"}
    assert counts == {
        (ids["A"], "bénévole"): 2,
        (ids["B"], "bénévole"): 1,
        (ids["C"], "bénévole"): 1,
        (ids["A"], "salarié"): 1,
        (ids["B"], "salarié"): 1,
    }


def test_cooccurrence_matrix(matrix):
    ids = {k: matrix[k].id for k in "ABC"}
    pair = lambda p, q: tuple(sorted((ids[p], ids[q])))  # noqa: E731
    assert coding_analysis.cooccurrence(matrix["inquiry"], viewer=None) == {
        pair("A", "B"): 1,
        pair("A", "C"): 1,
        pair("B", "C"): 1,
    }


def test_codes_over_time(matrix):
    ids = {k: matrix[k].id for k in "ABC"}
    assert coding_analysis.codes_over_time(matrix["inquiry"], viewer=None) == {
        (ids["A"], "2026-11"): 2,
        (ids["B"], "2026-11"): 1,
        (ids["C"], "2026-11"): 1,
        (ids["A"], "2026-12"): 1,
        (ids["B"], "2026-12"): 1,
    }


def test_matrix_page_links_counts_to_excerpts(client, matrix):
    login(client, matrix["student"])
    page = client.get(base(matrix["inquiry"]) + "/matrices").get_data(as_text=True)
    assert (
        f'/codes/{matrix["A"].id}?attribute={matrix["status"].id}&amp;value=b%C3%A9n%C3%A9vole">2</a>' in page
    )


# --- REFI-QDA ---------------------------------------------------------------------------


@pytest.fixture
def book(fw):
    inquiry, s = fw["inquiry"], fw["student"]
    root = coding.create_code(
        inquiry,
        s,
        name="Engagement",
        colour="#aa0000",
        description="Inclure : militer.",
        example="« je milite »",
    )
    coding.create_code(inquiry, s, name="Bénévolat", parent=root)
    coding.create_code(inquiry, s, name="Salariat & <précarité>", colour="#00aa00")
    db.session.commit()
    return fw


def _shape(inquiry):
    codes = coding.codes_of(inquiry)
    by_id = {c.id: c for c in codes}
    return sorted(
        (c.guid, c.name, c.colour, c.description, c.example, by_id[c.parent_id].guid if c.parent_id else None)
        for c in codes
    )


def test_qdc_export_has_the_refi_structure(book):
    root = ET.fromstring(coding_analysis.export_qdc(book["inquiry"]))
    assert root.tag == f"{NS}CodeBook"
    codes = root.find(f"{NS}Codes")
    assert codes is not None
    every = list(root.iter(f"{NS}Code"))
    assert len(every) == 3
    for element in every:
        assert {"guid", "name", "isCodable"} <= set(element.attrib)
        uuid.UUID(element.get("guid"))
        assert re.fullmatch(r"[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}", element.get("guid"))
        assert element.get("isCodable") in ("true", "false")
        assert re.fullmatch(r"#[0-9A-F]{6}", element.get("color"))
        # Children of a Code are only Description and Code, in the schema's order.
        tags = [child.tag for child in element]
        assert tags == sorted(tags, key=lambda t: t != f"{NS}Description")
        assert set(tags) <= {f"{NS}Description", f"{NS}Code"}
    top = codes.findall(f"{NS}Code")
    assert [c.get("name") for c in top[0].findall(f"{NS}Code")] == ["Bénévolat"]


def test_qdc_round_trip_into_an_empty_inquiry(book):
    data = coding_analysis.export_qdc(book["inquiry"])
    coding_analysis.import_qdc(book["other_inquiry"], book["outsider"], data)
    db.session.commit()
    assert _shape(book["other_inquiry"]) == _shape(book["inquiry"])


def test_qdc_import_through_the_page(client, book):
    data = coding_analysis.export_qdc(book["inquiry"])
    login(client, book["outsider"])
    from io import BytesIO

    response = client.post(
        base(book["other_inquiry"]) + "/codebook/import", data={"codebook": (BytesIO(data), "book.qdc")}
    )
    assert response.status_code == 302
    assert len(coding.codes_of(book["other_inquiry"])) == 3


@pytest.mark.parametrize(
    "data",
    [
        b"not xml at all",
        b'<CodeBook xmlns="urn:other"><Codes/></CodeBook>',
        b'<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes><Code name="A" isCodable="true"/></Codes></CodeBook>',
        b'<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes><Code guid="12345678-1234-1234-1234-123456789abc" name="A" isCodable="true"/>'
        b'<Code guid="not-a-guid" name="B" isCodable="true"/></Codes></CodeBook>',
        b'<!DOCTYPE x [<!ENTITY a "b">]><CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes/></CodeBook>',
    ],
)
def test_malformed_qdc_is_refused_and_nothing_saved(client, fw, data):
    from io import BytesIO

    login(client, fw["student"])
    response = client.post(
        base(fw["inquiry"]) + "/codebook/import", data={"codebook": (BytesIO(data), "bad.qdc")}
    )
    assert response.status_code in (302, 303)
    assert db.session.scalar(select(func.count()).select_from(Code)) == 0
    page = client.get(base(fw["inquiry"]) + "/codebook").get_data(as_text=True)
    assert "The codebook was not imported" in page


def test_refi_parser_names_the_problem():
    with pytest.raises(refi.RefiError, match="guid"):
        refi.parse_codebook(
            b'<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes><Code name="A" isCodable="true"/></Codes></CodeBook>'
        )
