"""Citations of coded excerpts in text versions: ``[[excerpt:123]]``.

The team sees the quotation, its pseudonym and profile, linked to the source interview.
The partner sees it only where the interviewee's consent allows quotation (named or
anonymised) and a neutral placeholder otherwise.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask_babel import gettext as _
from markupsafe import Markup, escape

from inquiry_hub import markdown
from inquiry_hub.fieldwork import disclosure
from inquiry_hub.fieldwork import services as fieldwork
from inquiry_hub.urls import path_for

CITATION = re.compile(r"\[\[excerpt:(\d+)\]\]")
_TOKEN = "CITATION{}ENDCITATION"
_TOKEN_RE = re.compile(r"CITATION(\d+)ENDCITATION")


@dataclass
class Citation:
    excerpt_id: int
    #: None when the excerpt does not exist (any more) in this inquiry, or its consent was withdrawn.
    text: str | None
    interview: object | None
    pseudonym: str = ""
    profile: str = ""
    #: Consent terms as the coding room reports them (used when there is no interview row).
    quotation: str | None = None
    consent_status: str | None = None

    @property
    def found(self) -> bool:
        return self.text is not None

    @property
    def allowed(self) -> bool:
        """May the partner read this quotation?"""
        if not self.found:
            return False
        if self.interview is not None:
            return quotable(self.interview)
        # A note tied to no interview quotes no interviewee: no consent to ask.
        return self.quotation is None and self.consent_status is None


def _field(obj, name):
    if obj is None:
        return None
    if isinstance(obj, dict):
        return obj.get(name)
    return getattr(obj, name, None)


def _lookup(inquiry, excerpt_id: int, viewer=None):
    """The excerpt through the fieldwork room (as ``viewer`` may see it: blind coding), if it offers citations."""
    finder = getattr(fieldwork, "excerpt_for_citation", None)
    return finder(inquiry, excerpt_id, viewer=viewer) if finder is not None else None


def quotable(interview) -> bool:
    """May this interviewee be quoted outside the team? The disclosure gate's one rule."""
    return disclosure.may_quote(interview)


def _profile(interview, names: dict[str, str]) -> str:
    values = getattr(interview, "profile", None) or {}
    return ", ".join(f"{names.get(k, k)}: {v}" for k, v in values.items() if v)


def _interview_of(found):
    return (
        _field(found, "interview")
        or _field(_field(_field(found, "excerpt"), "note"), "interview")
        or _field(_field(found, "note"), "interview")
    )


def citations_in(inquiry, text: str, viewer=None) -> list[Citation]:
    """Every citation of the text, in order, each excerpt once; not found when ``viewer`` may not see it."""
    if not CITATION.search(text or ""):
        return []
    names = {str(a.id): a.name for a in fieldwork.attributes_of(inquiry)}
    result: dict[int, Citation] = {}
    for match in CITATION.finditer(text or ""):
        excerpt_id = int(match.group(1))
        if excerpt_id in result:
            continue
        found = _lookup(inquiry, excerpt_id, viewer)
        interview = _interview_of(found)
        result[excerpt_id] = Citation(
            excerpt_id,
            _field(found, "text"),
            interview,
            pseudonym=_field(found, "pseudonym") or (interview.pseudonym if interview is not None else ""),
            profile=_profile(interview, names) if interview is not None else "",
            quotation=_field(found, "quotation"),
            consent_status=_field(found, "consent_status"),
        )
    return list(result.values())


def hidden_from(inquiry, text: str, viewer) -> list[int]:
    """Ids of excerpts the text cites that exist but ``viewer`` may not see (they code the note blind)."""
    seen = {c.excerpt_id for c in citations_in(inquiry, text, viewer) if c.found}
    return [c.excerpt_id for c in citations_in(inquiry, text) if c.found and c.excerpt_id not in seen]


def pseudonyms(inquiry) -> list[str]:
    """Every pseudonym of the inquiry: never a warning in the pre-share check."""
    from inquiry_hub.fieldwork import face as fieldwork

    return fieldwork.pseudonyms(inquiry)


def _quotation(citation: Citation, for_team: bool, passes: bool = True) -> Markup:
    if not citation.found:
        return Markup('<span class="citation-missing">{}</span>').format(_("[Quotation not available]"))
    if not for_team and not (citation.allowed and passes):
        return Markup('<span class="citation-withheld">{}</span>').format(_("[Quotation not shown]"))
    who = citation.pseudonym
    caption = escape(who) + (Markup(" · ") + escape(citation.profile) if citation.profile else "")
    if for_team and citation.interview is not None:
        link = path_for(
            "fieldwork.interview",
            inquiry_id=citation.interview.inquiry_id,
            interview_id=citation.interview.id,
        )
        caption = Markup('<a href="{}">{}</a>').format(link, caption)
    return Markup('<q class="citation">{}</q> <cite>— {}</cite>').format(citation.text, caption)


#: An anonymised quotation's profile must fit at least this many interviewees of the inquiry.
K_ANONYMITY = 3


def _profiles(inquiry) -> list[dict]:
    """The profiles of the inquiry's interviewees (interviews held, not withdrawn)."""
    from inquiry_hub.fieldwork import face as fieldwork

    return fieldwork.interviewee_profiles(inquiry)


def coarse_profile(interview, profiles: list[dict], names: dict[str, str], k: int = K_ANONYMITY) -> str:
    """The interviewee's profile with attributes dropped until at least ``k`` interviewees fit it.

    Greedy: each time, drop the attribute whose removal lets the most interviewees fit.
    """
    kept = [(key, value) for key, value in (getattr(interview, "profile", None) or {}).items() if value]

    def fitting(pairs) -> int:
        return sum(1 for p in profiles if all(p.get(key) == value for key, value in pairs))

    while kept and fitting(kept) < k:
        drop = max(range(len(kept)), key=lambda i: fitting(kept[:i] + kept[i + 1 :]))
        kept.pop(drop)
    return ", ".join(f"{names.get(key, key)}: {value}" for key, value in kept)


def _for_partner(inquiry, cited: list[Citation]) -> dict[int, bool]:
    """Excerpt id → may the partner read it now (the gate on its current text and consent)?"""
    shown = [c for c in cited if c.found and c.allowed]
    pieces = [
        disclosure.Piece(
            f"Excerpt {c.excerpt_id}", c.text or "", (c.interview.id,) if c.interview is not None else ()
        )
        for c in shown
    ]
    verdicts = disclosure.check_each(inquiry, pieces) if pieces else []
    passes = {c.excerpt_id: v.ok for c, v in zip(shown, verdicts, strict=True)}
    profiles = None
    names = {str(a.id): a.name for a in fieldwork.attributes_of(inquiry)}
    for citation in shown:
        consent = getattr(citation.interview, "consent", None)
        if consent is not None and consent.quotation != "named":
            profiles = _profiles(inquiry) if profiles is None else profiles
            citation.profile = coarse_profile(citation.interview, profiles, names)
    return passes


def render(inquiry, text: str, for_team: bool, viewer=None) -> Markup:
    """The Markdown of a version as safe HTML, citations replaced by quotations (or placeholders).

    Outside the team each quotation goes through the disclosure gate as it reads now, and an
    anonymised one shows only a profile that fits several interviewees.
    """
    cited = citations_in(inquiry, text, viewer)
    by_id = {c.excerpt_id: c for c in cited}
    passes = {} if for_team else _for_partner(inquiry, cited)
    html = str(markdown.render(CITATION.sub(lambda m: _TOKEN.format(m.group(1)), text or "")))

    def replace(match):
        citation = by_id.get(int(match.group(1)))
        if citation is None:
            return match.group(0)
        return str(_quotation(citation, for_team, passes.get(citation.excerpt_id, for_team)))

    return Markup(_TOKEN_RE.sub(replace, html))
