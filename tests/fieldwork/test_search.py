"""Search in notes: accents and case on both databases, inflections on PostgreSQL, filters, snippets."""

from __future__ import annotations

from datetime import date

from inquiry_hub import search
from inquiry_hub.extensions import db
from inquiry_hub.fieldwork import services as fieldwork
from tests.conftest import login
from tests.fieldwork.conftest import base


def _titles(fw, query, **filters) -> list[str]:
    return [note.title for note, _ in fieldwork.search_notes(fw["inquiry"], query, search.Filters(**filters))]


def _add(fw, title, body, **kw):
    note = fieldwork.create_note(
        fw["inquiry"], fw["student"], title=title, body=body, kind="field_notes", **kw
    )
    db.session.commit()
    return note


def test_search_ignores_accents_and_case(fw):
    _add(fw, "AG", "L'assemblée générale des SOCIÉTAIRES de la coopérative.")
    assert _titles(fw, "societaires") == ["AG"]
    assert _titles(fw, "ASSEMBLEE generale") == ["AG"]
    assert _titles(fw, "Coopérative") == ["AG"]
    assert sorted(_titles(fw, "energie")) == ["Entretien E07"]  # the fixture's "énergie"


def test_search_matches_prefixes(fw):
    _add(fw, "AG", "Les sociétaires votent.")
    assert _titles(fw, "sociét") == ["AG"]


def test_search_finds_inflected_words(fw):
    # The fixture's note says "entreprises"; "entreprise" finds it everywhere (as a prefix on
    # SQLite), and on PostgreSQL the French stemmer also finds it from another inflection.
    assert _titles(fw, "entreprise") == ["Entretien E07"]
    if db.engine.dialect.name == "postgresql":
        _add(fw, "Jardins", "Les bénévoles jardinaient ensemble.")
        assert _titles(fw, "jardiner") == ["Jardins"]
        assert _titles(fw, "bénévole") == ["Jardins"]


def test_search_stays_in_the_inquiry(fw):
    fieldwork.create_note(
        fw["other_inquiry"], fw["outsider"], title="Ailleurs", body="entreprises", kind="field_notes"
    )
    db.session.commit()
    assert _titles(fw, "entreprises") == ["Entretien E07"]


def test_filters_by_interview_author_and_date(fw):
    _add(fw, "Libre", "entreprises du quartier", written_on=date(2026, 12, 10))
    assert _titles(fw, "entreprises", interview_id=fw["interview"].id) == ["Entretien E07"]
    assert sorted(_titles(fw, "entreprises", author_id=fw["student"].id)) == ["Entretien E07", "Libre"]
    assert _titles(fw, "entreprises", author_id=fw["tutor"].id) == []
    assert _titles(fw, "entreprises", date_from=date(2026, 12, 1)) == ["Libre"]
    assert _titles(fw, "entreprises", date_to=date(2026, 11, 30)) == ["Entretien E07"]


def test_operators_and_punctuation_are_harmless(fw):
    for query in ('"', "NEAR(", "a:* & !", "*", "'; DROP TABLE notes; --", "))"):
        fieldwork.search_notes(fw["inquiry"], query, search.Filters())


def test_search_page_highlights_matches_and_escapes_text(client, fw):
    _add(fw, "XSS", "<b>entreprises</b> et coopératives")
    login(client, fw["tutor"])
    page = client.get(base(fw["inquiry"]) + "/search?q=cooperatives").get_data(as_text=True)
    assert "<mark>coopératives</mark>" in page
    assert "<b>entreprises" not in page  # escaped (SQLite) or dropped as markup (PostgreSQL)


def test_search_page_filters_by_author(client, fw):
    login(client, fw["student"])
    unfiltered = client.get(base(fw["inquiry"]) + "/search?q=entreprises")
    assert unfiltered.status_code == 200 and "Entretien E07" in unfiltered.get_data(as_text=True)  # control
    url = base(fw["inquiry"]) + f"/search?q=entreprises&author={fw['students'][1].id}"
    response = client.get(url)
    assert response.status_code == 200
    assert "Entretien E07" not in response.get_data(as_text=True)


def test_edits_are_reindexed(fw):
    note = fw["note"]
    fieldwork.save_note(
        note, fw["student"], title=note.title, body="Rien sur le sujet.", base_version=note.version
    )
    db.session.commit()
    assert _titles(fw, "entreprises") == []
    assert _titles(fw, "sujet") == ["Entretien E07"]
