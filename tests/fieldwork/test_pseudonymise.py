"""Replacing vault names by pseudonyms: accents, case, whole words only."""

from __future__ import annotations

import pytest

from inquiry_hub.fieldwork.pseudonymise import identifying_words, pseudonymise, replace_names

IDENTITIES = [("E07", ["Léa Dupont", "Léa"]), ("E12", ["Hervé Martin"])]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Léa Dupont est venue.", "E07 est venue."),
        ("lea dupont est venue.", "E07 est venue."),
        ("LÉA est venue, puis Lea.", "E07 est venue, puis E07."),
        ("Herve  Martin et HERVÉ MARTIN", "E12 et E12"),
        ("Léandre et le fléau ne sont pas Léa.", "Léandre et le fléau ne sont pas E07."),
        ("l'avis de Léa: oui", "l'avis de E07: oui"),
    ],
)
def test_names_are_replaced_whatever_the_accents_and_case(text, expected):
    assert replace_names(text, IDENTITIES).text == expected


def test_names_inside_words_do_not_match():
    result = replace_names("Les Léandres, Cléa et Dupontel", IDENTITIES)
    assert result.text == "Les Léandres, Cléa et Dupontel"
    assert not result.changed


def test_longest_name_wins():
    result = replace_names("Léa Dupont puis Léa", IDENTITIES)
    assert result.text == "E07 puis E07"
    assert result.replaced == {("Léa Dupont", "E07"): 1, ("Léa", "E07"): 1}


def test_warnings_list_capitalised_words_inside_sentences():
    words = identifying_words(
        "Hier, nous avons vu Madame Bernard à Villeurbanne. Elle était là. Lundi aussi."
    )
    assert words == ["Madame", "Bernard", "Villeurbanne"]


def test_pseudonyms_and_allowed_words_are_not_warnings():
    result = pseudonymise("Selon Léa, la Fabrique aide.", IDENTITIES, allowed={"Fabrique"})
    assert result.text == "Selon E07, la Fabrique aide."
    assert result.warnings == []
