"""The disclosure gate: the one door through which field-derived text leaves the team.

Whatever the partner, an email, a feed, an export or a public page will show is first
cut into ``Piece`` objects (a version's text, a page of its file, a cited excerpt as it
will be rendered, a title, a changelog, published minutes...) and passed to ``check``,
which answers "may this reach someone outside the team, and if not, why and where".

Three things are looked for:
- the real names and aliases of the identity vault, with case, accents, hyphens, line
  breaks, Markdown emphasis and HTML entities folded away, on word boundaries;
- person names found by the French named-entity model (``fr_core_news_sm``), except the
  inquiry's pseudonyms, its members' own names and the names the team marked public;
- consent: a piece quoting interviews passes only if each interviewee's consent (oral or
  written) allows quoting, named or anonymised (``may_quote``: the one rule).

Findings never carry the real name: they say where, which pseudonym, and what to do.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from inquiry_hub import policy
from inquiry_hub.extensions import db
from inquiry_hub.fieldwork.person_names import MODEL, MODEL_LOAD, nlp, persons  # noqa: F401 (the gate's face)


@dataclass(frozen=True)
class Piece:
    """One piece of text about to leave the team."""

    #: Where it is, for the person who must fix it: "Version 2, page 3", "Changelog", "Excerpt 12".
    where: str
    text: str
    #: Interviews this piece quotes: each must have a consent that allows quoting.
    interview_ids: tuple[int, ...] = ()
    #: Look for person names too (False for a file's properties, full of authors' names).
    persons: bool = True


@dataclass(frozen=True)
class Finding:
    where: str
    #: "vault_name", "person_name", "consent" or "citation".
    kind: str
    #: A translated sentence that says what is wrong and what to do (never the real name itself).
    message: str


@dataclass
class Verdict:
    findings: list[Finding] = field(default_factory=list)
    #: Folded words of the names found: hints elsewhere on the page must not print them.
    hidden: set[str] = field(default_factory=set, repr=False)

    @property
    def ok(self) -> bool:
        return not self.findings

    @property
    def messages(self) -> list[str]:
        """One sentence per finding, each once, in order."""
        return list(dict.fromkeys(f.message for f in self.findings))

    def as_dict(self) -> dict:
        return {"ok": self.ok, "findings": [f.__dict__ for f in self.findings]}


# --- the one consent rule ------------------------------------------------------------------

#: Consent states under which an interviewee may be quoted; anything else blocks.
QUOTABLE_STATUSES = frozenset({"oral", "written"})
QUOTABLE_TERMS = frozenset({"named", "anonymised"})


def may_quote(interview) -> bool:
    """May this interviewee be quoted outside the team (consent given, quoting allowed)?"""
    if interview is None or getattr(interview, "withdrawn", False):
        return False
    consent = interview.consent
    return consent is not None and consent.status in QUOTABLE_STATUSES and consent.quotation in QUOTABLE_TERMS


def consent_label(interview) -> str:
    """Why an interviewee may not be quoted, in a few words."""
    consent = getattr(interview, "consent", None)
    if interview is None or getattr(interview, "withdrawn", False):
        return str(_l("withdrawn"))
    if consent is None or consent.status == "not_asked":
        return str(_l("not asked"))
    if consent.status == "withdrawn":
        return str(_l("withdrawn"))
    if consent.quotation == "forbidden":
        return str(_l("quotation forbidden"))
    return str(_l("not given"))


# --- folding text the way a reader would read it ---------------------------------------------

_INVISIBLE = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff]")
_TAG = re.compile(r"<[^<>]*>")
_HYPHEN_BREAK = re.compile(r"[\-\u2010\u2011]\s*\n\s*")
_MARKUP = re.compile(r"[*_~`\\|]")
#: Whatever may stand between the words of a name: spaces, dashes, apostrophes, dots.
_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015\u2212'’ʼ.]+")


#: Combining marks (accents, cedillas...) once a text is decomposed.
_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


def _strip_accents(text: str) -> str:
    return _COMBINING.sub("", unicodedata.normalize("NFKD", text))


def fold(text: str) -> str:
    """A name or text as the gate compares it: "Jean-Pierre  MOREAU" → "jean pierre moreau"."""
    return _SEPARATORS.sub(" ", _strip_accents(text).casefold()).strip()


def readings(text: str) -> tuple[str, str]:
    """Two folded readings of a text: markup and hyphenated line breaks joined, then split.

    ``Jea**nne** Mo-\\nreau`` reads "jeanne moreau" once joined; ``Jeanne<br>Moreau`` once split.
    """
    text = _INVISIBLE.sub("", html.unescape(text or ""))
    joined = _MARKUP.sub("", _TAG.sub("", _HYPHEN_BREAK.sub("", text)))
    split = _MARKUP.sub(" ", _TAG.sub(" ", _HYPHEN_BREAK.sub(" ", text)))
    return fold(joined), fold(split)


def plain(text: str) -> str:
    """The text with markup removed but case and accents kept, for the named-entity model."""
    text = _INVISIBLE.sub("", html.unescape(text or ""))
    return _MARKUP.sub("", _TAG.sub(" ", _HYPHEN_BREAK.sub("", text)))


_PARAGRAPHS = re.compile(r"\n[ \t]*\n")
_WORD = re.compile(r"\w+")


def paragraphs(text: str) -> list[str]:
    """The text cut at blank lines: the unit a finding points to."""
    return _PARAGRAPHS.split(text or "")


#: Words that may stand in a person entity without naming anyone.
_TITLES = frozenset(
    fold(w)
    for w in ["monsieur", "madame", "mademoiselle", "m", "mme", "mlle", "mr", "dr", "docteur", "maitre"]
)


# --- what the gate knows about the inquiry -----------------------------------------------------


@dataclass
class _Known:
    #: folded name → pseudonym, for every real name and alias of the vault.
    vault: dict[str, str]
    #: folded names and words that may appear (pseudonyms, members, public names).
    allowed: set[str]
    #: first word → [(all the words of a vault name, its pseudonym)].
    starts: dict[str, list[tuple[tuple[str, ...], str]]]


def _known(inquiry) -> _Known:
    from inquiry_hub.fieldwork.models import Interview, PublicName
    from inquiry_hub.fieldwork.services.identity import names_by_pseudonym

    vault: dict[str, str] = {}
    starts: dict[str, list[tuple[tuple[str, ...], str]]] = {}
    for pseudonym, names in names_by_pseudonym(inquiry):
        for name in names:
            words = tuple(_WORD.findall(fold(name)))
            key = " ".join(words)
            if len(key) >= 2 and key not in vault:
                vault[key] = pseudonym
                starts.setdefault(words[0], []).append((words, pseudonym))
    allowed: set[str] = set()
    members = [user.name for user in policy.members_who_can(inquiry)]
    pseudonyms = db.session.scalars(select(Interview.pseudonym).where(Interview.inquiry_id == inquiry.id))
    public = db.session.scalars(select(PublicName.name).where(PublicName.inquiry_id == inquiry.id))
    for name in [*members, *pseudonyms, *public]:
        key = fold(name)
        allowed.add(key)
        allowed.update(key.split())
    return _Known(vault, allowed - {""}, starts)


def _initials(name: str) -> str:
    return " ".join(w[0].upper() + "." for w in fold(name).split() if w)


def _person_allowed(name: str, known: _Known) -> bool:
    words = [w for w in fold(name).split() if w not in _TITLES]
    if not words or all(len(w) < 2 for w in words):
        return True
    key = " ".join(words)
    if key in known.allowed or all(w in known.allowed for w in words):
        return True
    # A vault name is already reported as such, with its pseudonym.
    return " ".join(_WORD.findall(key)) in known.vault


def _vault_hits(text: str, known: _Known) -> list[str]:
    """Pseudonyms whose real name or alias the text holds, in any of its readings."""
    if not known.starts:
        return []
    found: dict[str, None] = {}
    for reading in readings(text):
        # Word by word rather than one big alternation: linear in the text, whatever the vault's size.
        words = _WORD.findall(reading)
        for i, word in enumerate(words):
            for name, pseudonym in known.starts.get(word, ()):
                if tuple(words[i : i + len(name)]) == name:
                    found.setdefault(pseudonym, None)
    return list(found)


def _vault_finding(where: str, pseudonym: str) -> Finding:
    message = _l(
        "%(where)s: a real name or alias of %(pseudonym)s appears; write the pseudonym instead.",
        where=where,
        pseudonym=pseudonym,
    )
    return Finding(where, "vault_name", str(message))


def _consent_findings(piece: Piece, interviews: dict) -> list[Finding]:
    findings = []
    for interview_id in dict.fromkeys(piece.interview_ids):
        interview = interviews.get(interview_id)
        if may_quote(interview):
            continue
        pseudonym = interview.pseudonym if interview is not None else "?"
        findings.append(
            Finding(
                piece.where,
                "consent",
                str(
                    _l(
                        "%(where)s quotes %(pseudonym)s, whose consent does not allow it (%(why)s): "
                        "remove the quotation or record the consent first.",
                        where=piece.where,
                        pseudonym=pseudonym,
                        why=consent_label(interview),
                    )
                ),
            )
        )
    return findings


def check(inquiry, pieces: Iterable[Piece], *, persons_too: bool = True) -> Verdict:
    """May these pieces reach someone outside the team? The findings say why not, and where."""
    verdict = Verdict()
    for one in check_each(inquiry, pieces, persons_too=persons_too):
        verdict.findings += one.findings
        verdict.hidden |= one.hidden
    return verdict


def check_each(inquiry, pieces: Iterable[Piece], *, persons_too: bool = True) -> list[Verdict]:
    """One verdict per piece (what the vault, the public names and consents say, read once)."""
    from inquiry_hub.fieldwork.models import Interview

    pieces = list(pieces)
    known = _known(inquiry)
    ids = {i for p in pieces for i in p.interview_ids}
    interviews = {}
    if ids:
        rows = db.session.scalars(
            select(Interview)
            .where(Interview.inquiry_id == inquiry.id, Interview.id.in_(ids))
            .options(db.selectinload(Interview.consent))
        )
        interviews = {i.id: i for i in rows}
    verdicts = [Verdict() for _ in pieces]
    located: list[tuple[int, str, str]] = []
    for index, piece in enumerate(pieces):
        verdicts[index].findings += _consent_findings(piece, interviews)
        parts = [p for p in paragraphs(piece.text) if p.strip()]
        hits: set[str] = set()
        for number, paragraph in enumerate(parts, 1):
            where = piece.where if len(parts) == 1 else _located(piece.where, number)
            for pseudonym in _vault_hits(paragraph, known):
                hits.add(pseudonym)
                verdicts[index].findings.append(_vault_finding(where, pseudonym))
            if piece.persons:
                located.append((index, where, paragraph))
        # A name cut over two paragraphs (two lines of a slide, two cells) still reads as one.
        for pseudonym in _vault_hits(piece.text, known) if len(parts) > 1 else []:
            if pseudonym not in hits:
                hits.add(pseudonym)
                verdicts[index].findings.append(_vault_finding(piece.where, pseudonym))
        if hits:
            verdicts[index].hidden |= {w for name in known.vault for w in name.split()}
    if persons_too and located:
        texts = [plain(p) for _, _, p in located]
        allowed = known.allowed
        found = persons(texts, lambda word: fold(word) in allowed)
        for (index, where, _), names in zip(located, found, strict=True):
            for name in dict.fromkeys(names):
                if _person_allowed(name, known):
                    continue
                verdicts[index].hidden |= set(fold(name).split())
                message = _l(
                    "%(where)s: a person's name (%(initials)s) appears; write a pseudonym, "
                    "or have the team mark it public if it is a public figure.",
                    where=where,
                    initials=_initials(name),
                )
                verdicts[index].findings.append(Finding(where, "person_name", str(message)))
    return verdicts


def _located(where: str, number: int) -> str:
    return str(_l("%(where)s, paragraph %(n)s", where=where, n=number))


# --- when what the gate knows changes ------------------------------------------------------------

#: Rooms that show material outside the team register a function that re-checks it.
RECHECKS: list[Callable] = []


def register_recheck(func: Callable) -> Callable:
    """Register ``func(inquiry)``: re-check what the room already shows outside the team."""
    if func not in RECHECKS:
        RECHECKS.append(func)
    return func


def material_changed(inquiry) -> None:
    """A vault name, alias, public name or consent of the inquiry changed.

    Re-checks everything already shown outside the team (shared versions, published
    minutes...) and withholds at once what no longer passes; the team is told.
    """
    if inquiry is None:
        return
    db.session.flush()
    for recheck in list(RECHECKS):
        recheck(inquiry)
