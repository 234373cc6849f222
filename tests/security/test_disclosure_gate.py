"""The disclosure gate: what may leave the team, checked in one place (attacks and controls)."""

from __future__ import annotations

import pytest

from inquiry_hub.extensions import db
from inquiry_hub.fieldwork import disclosure
from inquiry_hub.fieldwork.disclosure import Piece


def _interview(
    inquiry,
    actor,
    pseudonym="E01",
    *,
    status="written",
    quotation="anonymised",
    full_name="Jeanne Moreau",
    aliases="Jeannette",
    profile=None,
):
    from inquiry_hub.fieldwork import services as fieldwork

    interview = fieldwork.create_interview(inquiry, actor, {"pseudonym": pseudonym})
    interview.consent.status = status
    interview.consent.quotation = quotation
    if profile is not None:
        interview.profile = profile
    if full_name:
        fieldwork.set_identity(interview, actor, full_name, "", aliases)
    db.session.commit()
    return interview


# --- check(): the vault, person names, consent ------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Selon Jeanne Moreau, tout va bien.",
        "Selon JEANNE MOREAU, tout va bien.",
        "Selon jeanne moreau, tout va bien.",
        "Selon Jeanne-Moreau, tout va bien.",
        "Selon **Jeanne** Mo-\nreau, tout va bien.",
        "Selon Jeanne\nMoreau, tout va bien.",
        "Selon Jéanne Moréau, tout va bien.",
        "Selon _Jeanne_ Moreau, tout va bien.",
        "Selon Jea&shy;nne Moreau, tout va bien.",
        "Comme dit Jeannette.",
    ],
)
def test_vault_names_are_found_whatever_their_spelling(team, text):
    _interview(team["inquiry"], team["student"])
    verdict = disclosure.check(team["inquiry"], [Piece("Version 1", text)], persons_too=False)
    assert [f.kind for f in verdict.findings] == ["vault_name"]
    assert "E01" in verdict.findings[0].message and "Moreau" not in verdict.findings[0].message


def test_a_vault_name_inside_a_longer_word_is_not_a_hit(team):
    _interview(team["inquiry"], team["student"], full_name="Léa Dupont", aliases="Léa")
    verdict = disclosure.check(
        team["inquiry"], [Piece("Version 1", "Un fléau pour Léandre.")], persons_too=False
    )
    assert verdict.ok


def test_a_third_party_name_is_found_and_its_initials_only_are_given(team):
    verdict = disclosure.check(
        team["inquiry"], [Piece("Excerpt 3", "Mon voisin Jean-Pierre Moreau est venu hier.")]
    )
    assert [f.kind for f in verdict.findings] == ["person_name"]
    assert "J. P. M." in verdict.findings[0].message and "Moreau" not in verdict.findings[0].message


def test_members_pseudonyms_and_public_names_are_allowed(team):
    from inquiry_hub.fieldwork.models import PublicName

    _interview(team["inquiry"], team["student"], full_name="")
    db.session.add(
        PublicName(inquiry_id=team["inquiry"].id, name="Emmanuel Macron", folded="emmanuel macron")
    )
    db.session.commit()
    text = "Student 0 a rencontré E01. Emmanuel Macron a visité la coopérative. Macron est reparti."
    assert disclosure.check(team["inquiry"], [Piece("Version 1", text)]).ok


@pytest.mark.parametrize(
    ("status", "quotation", "ok"),
    [
        ("written", "anonymised", True),
        ("oral", "named", True),
        ("not_asked", "anonymised", False),
        ("withdrawn", "anonymised", False),
        ("written", "forbidden", False),
    ],
)
def test_quoting_needs_a_consent_that_allows_it(team, status, quotation, ok):
    interview = _interview(team["inquiry"], team["student"], status=status, quotation=quotation, full_name="")
    piece = Piece("Excerpt 1", "On décide tout ensemble.", (interview.id,))
    verdict = disclosure.check(team["inquiry"], [piece], persons_too=False)
    assert verdict.ok is ok
    if not ok:
        assert verdict.findings[0].kind == "consent" and "E01" in verdict.findings[0].message
