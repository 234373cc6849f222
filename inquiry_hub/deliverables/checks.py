"""The pre-share check: what a version would reveal to the partner, run before any sharing.

Blockers stop the sharing: a name or alias of the identity vault in the text, a citation
of an interview whose consent forbids quotation or was withdrawn. Warnings only inform:
capitalised words that look like names but are in no allow list.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from inquiry_hub.deliverables import citations
from inquiry_hub.deliverables.files import extract_pdf_text
from inquiry_hub.fieldwork import pseudonymise
from inquiry_hub.fieldwork import services as fieldwork
from inquiry_hub.fieldwork.imports import ImportFailed, extract_text
from inquiry_hub.storage import get_storage

#: Sniffed types whose text the check reads, and the name the fieldwork reader expects.
_READABLE = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "file.docx",
    "application/vnd.oasis.opendocument.text": "file.odt",
}

#: Words never flagged in deliverables (programme vocabulary); pseudonyms are added per inquiry.
ALLOW_LIST = frozenset({"Master", "ESS", "SCOP", "SCIC", "Introduction", "Conclusion", "Annexe", "Synthèse"})


@dataclass
class CheckResult:
    blockers: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    #: False when the file's text could not be read (images, slides, damaged files).
    read: bool = True

    @property
    def ok(self) -> bool:
        return not self.blockers

    def as_dict(self) -> dict:
        return {"blockers": self.blockers, "warnings": self.warnings, "read": self.read}


def text_of(version) -> str | None:
    """The text of a version (Markdown, or extracted from DOCX/ODT/PDF); None if unreadable."""
    if version.is_text:
        return version.body
    if version.mimetype not in _READABLE and version.mimetype != "application/pdf":
        return None
    with get_storage().open(version.sha256) as handle:
        data = handle.read()
    try:
        if version.mimetype == "application/pdf":
            return extract_pdf_text(data)
        return extract_text(_READABLE[version.mimetype], data)
    except (ImportFailed, Exception):  # an unreadable file is reported, not fatal
        return None


def vault_hits(text: str, identities: list[tuple[str, list[str]]]) -> list[str]:
    """Pseudonyms whose real name or an alias appears in the text (never the name itself)."""
    folded = pseudonymise.fold(text)
    hits = []
    for pseudonym, names in identities:
        for name in names:
            pattern = r"(?<!\w)" + re.escape(pseudonymise.fold(name)) + r"(?!\w)"
            if name.strip() and re.search(pattern, folded):
                hits.append(pseudonym)
                break
    return hits


def citation_blockers(interviews) -> list[str]:
    """Messages for cited interviews that may not be quoted (withdrawn, or quotation forbidden)."""
    problems = []
    for interview in interviews:
        if not citations.quotable(interview):
            problems.append(
                str(_l("Interview %(pseudonym)s may not be quoted (consent).", pseudonym=interview.pseudonym))
            )
    return problems


def citation_problems(cited: list[citations.Citation]) -> list[str]:
    """Messages for citations the partner may not read: unknown, withdrawn or forbidden."""
    problems = []
    for citation in cited:
        if not citation.found:
            problems.append(
                str(
                    _l(
                        "Excerpt %(id)s cannot be found (deleted, or consent withdrawn).",
                        id=citation.excerpt_id,
                    )
                )
            )
        elif not citation.allowed:
            problems.append(
                str(_l("Interview %(pseudonym)s may not be quoted (consent).", pseudonym=citation.pseudonym))
            )
    return problems


def run(inquiry, version) -> CheckResult:
    """The pre-share check of one version."""
    result = CheckResult()
    text = text_of(version)
    if text is None:
        result.read = False
        result.warnings.append(str(_l("The text of this file could not be read: check it by hand.")))
        return result
    identities = fieldwork.names_by_pseudonym(inquiry)
    for pseudonym in vault_hits(text, identities):
        result.blockers.append(
            str(_l("A real name or alias of %(pseudonym)s appears in the text.", pseudonym=pseudonym))
        )
    result.blockers += citation_problems(citations.citations_in(inquiry, text))
    allowed = set(ALLOW_LIST) | {p for p, _ in identities} | set(citations.pseudonyms(inquiry))
    text_without_citations = citations.CITATION.sub(" ", text)
    result.warnings += pseudonymise.identifying_words(text_without_citations, allowed)
    return result
