"""Replacing real names by pseudonyms in field material, and flagging what still looks identifying.

Matching ignores case and accents and only takes whole words: "Léa" matches "lea" and
"LÉA" but not "Léandre" nor "fléau".
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

_ALLOW_WORDS = """
    a alors apres au aussi aujourd avant avec bah bon bref c ca car ce cela ces cet cette
    chaque comme comment d dans de des donc du elle elles en enfin enqueteur enqueteuse
    enquetrice entretien est et eux hier il ils j je l la le les leur lui m ma mais me meme
    mes moi mon n ne ni non nos notre nous on or ou oui par parce pas peut-etre plus pour
    pourquoi puis quand que quel quelle qui quoi s sa sans se ses si son sur t ta te tes toi
    ton tous tout tu un une vous vos votre voila y lundi mardi mercredi jeudi vendredi
    samedi dimanche janvier fevrier mars avril mai juin juillet aout septembre octobre
    novembre decembre ess scop scic ag ca rsa pole emploi france internet covid ok question
    reponse
"""
#: Capitalised words that are not names: sentence words, days, months, interview markers.
ALLOW = frozenset(_ALLOW_WORDS.split())

_WORD = re.compile(r"[^\W\d_][\w'’-]*", re.UNICODE)
_SENTENCE_END = re.compile(r"[.!?:…»\n]\s*$|^\s*$")


def fold(text: str) -> str:
    """Lower case without accents: "Éloïse" → "eloise"."""
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _folded_with_origins(text: str) -> tuple[str, list[int]]:
    """The folded text, and for each of its characters the index it came from."""
    out: list[str] = []
    origins: list[int] = []
    for i, char in enumerate(text):
        for piece in fold(char):
            out.append(piece)
            origins.append(i)
    return "".join(out), origins


@dataclass
class Result:
    text: str
    #: (text found, pseudonym) → how many times.
    replaced: Counter = field(default_factory=Counter)
    #: Capitalised words that may identify someone, in order of first appearance.
    warnings: list[str] = field(default_factory=list)
    #: Each replacement as (start, end) in the original text and the pseudonym put there, in order.
    spans: list[tuple[int, int, str]] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.replaced)


def _pattern(names: dict[str, str]) -> re.Pattern | None:
    """One alternation of folded names, longest first so "Marie Dupont" wins over "Marie"."""
    alternatives = sorted(names, key=len, reverse=True)
    if not alternatives:
        return None
    parts = [r"\s+".join(re.escape(w) for w in name.split()) for name in alternatives]
    return re.compile(r"(?<!\w)(?:" + "|".join(parts) + r")(?!\w)")


def replace_names(text: str, identities: list[tuple[str, list[str]]]) -> Result:
    """Replace every name of ``identities`` [(pseudonym, [names...])] by its pseudonym."""
    names: dict[str, str] = {}
    for pseudonym, variants in identities:
        for variant in variants:
            key = " ".join(fold(variant).split())
            if len(key) >= 2:
                names.setdefault(key, pseudonym)
    result = Result(text=text)
    pattern = _pattern(names)
    if pattern is None or not text:
        return result
    folded, origins = _folded_with_origins(text)
    pieces: list[str] = []
    cursor = 0
    for match in pattern.finditer(folded):
        start = origins[match.start()]
        end = origins[match.end() - 1] + 1
        pseudonym = names[" ".join(match.group().split())]
        pieces.append(text[cursor:start])
        pieces.append(pseudonym)
        result.replaced[(text[start:end], pseudonym)] += 1
        result.spans.append((start, end, pseudonym))
        cursor = end
    pieces.append(text[cursor:])
    result.text = "".join(pieces)
    return result


def shift(spans: list[tuple[int, int, str]], offset: int, *, end: bool = False) -> int:
    """Where an offset of the original text lands in the replaced one (``spans`` of a Result).

    An offset inside a replaced name moves to the edge of its pseudonym that keeps the whole
    pseudonym in the span: a start goes before it, an end (``end=True``) after it.
    """
    delta = 0
    for start, stop, pseudonym in spans:
        if offset <= start:
            break
        if offset < stop or (end and offset == stop):
            return start + delta + (len(pseudonym) if end else 0)
        delta += len(pseudonym) - (stop - start)
    return offset + delta


def identifying_words(text: str, allowed: set[str] | frozenset[str] = frozenset()) -> list[str]:
    """Capitalised words inside sentences that are neither common words nor allowed."""
    allow = ALLOW | {fold(a) for a in allowed}
    found: dict[str, None] = {}
    for match in _WORD.finditer(text):
        word = match.group().rstrip("'’-")
        if not word[0].isupper() or len(word) < 3 or word.isupper() and len(word) <= 4:
            continue
        if _SENTENCE_END.search(text[max(0, match.start() - 3) : match.start()]):
            continue  # a capital at the start of a sentence says nothing
        if fold(word) in allow or fold(word.split("'")[-1]) in allow:
            continue
        found.setdefault(word, None)
    return list(found)


def pseudonymise(text: str, identities, allowed=frozenset()) -> Result:
    """Names replaced, then warnings about what still looks identifying."""
    result = replace_names(text, identities)
    pseudonyms = {p for p, _ in identities}
    result.warnings = [w for w in identifying_words(result.text, allowed | pseudonyms)]
    return result


# --- the pseudonym itself ---------------------------------------------------------------

#: A pseudonym: letters, digits, spaces and - . ' ’ only, at most 40 characters (web form and API).
PSEUDONYM = re.compile(r"[\w .'’-]+")


def pseudonym_error(value) -> str | None:
    """Why ``value`` cannot be a pseudonym (a message for users), or None when it can.

    The one rule of the web form and the API: no markup, no line break, no path separator
    can reach the pages, file names and exports that print pseudonyms.
    """
    from flask_babel import gettext as _

    text = (value or "").strip() if isinstance(value, str) else ""
    if not text:
        return _("A pseudonym is required.")
    if len(text) > 40:
        return _("A pseudonym has at most 40 characters.")
    if not PSEUDONYM.fullmatch(value):  # unstripped: a line break or tab anywhere is refused
        return _("Letters, digits, spaces and - . ' only.")
    return None
