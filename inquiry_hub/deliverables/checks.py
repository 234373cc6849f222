"""The pre-share check: a version cut into the pieces the partner would read, through the gate.

The pieces are everything that reaches the partner with a version: the deliverable's
title, the version's changelog, its Markdown text or its file's text (page by page, slide
by slide, every part of an Office file), and each cited excerpt as it will be rendered
(its current text, with the consent of its interview). The disclosure gate
(``fieldwork.disclosure.check``) decides; this module only gathers and reports.

The verdict is checked when sharing is proposed, again when it is carried out, and again
whenever a vault name, alias, public name or consent changes (``recheck_shared``): a shared
version that no longer passes is withheld from the partner at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from inquiry_hub.deliverables import citations, files
from inquiry_hub.extensions import db
from inquiry_hub.fieldwork import disclosure, pseudonymise
from inquiry_hub.fieldwork.disclosure import Finding, Piece, Verdict
from inquiry_hub.storage import get_storage


@dataclass
class CheckResult:
    blockers: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    #: False when the file's text could not be read (images, damaged files).
    read: bool = True

    @property
    def ok(self) -> bool:
        return not self.blockers

    def as_dict(self) -> dict:
        return {"blockers": self.blockers, "warnings": self.warnings, "read": self.read}


def file_texts(version) -> list[tuple[str, str]]:
    """[(where, text)] of an uploaded version's file; raises files.Unreadable."""
    with get_storage().open(version.sha256) as handle:
        data = handle.read()
    return files.texts_of(data, version.mimetype)


def text_of(version) -> str | None:
    """The whole text of a version (Markdown, or read from its file); None if unreadable."""
    if version.is_text:
        return version.body
    try:
        return "\n\n".join(text for _where, text in file_texts(version))
    except files.Unreadable:
        return None


def citation_blockers(interviews) -> list[str]:
    """Messages for cited interviews that may not be quoted (the gate's consent rule)."""
    return [
        str(_l("Interview %(pseudonym)s may not be quoted (consent).", pseudonym=interview.pseudonym))
        for interview in interviews
        if not disclosure.may_quote(interview)
    ]


def _version_label(version) -> str:
    return str(_l("Version %(n)s", n=version.number))


def pieces_of(inquiry, version) -> tuple[list[Piece], list[Finding], list[str]]:
    """What the partner would read with this version: pieces for the gate, findings already
    known (missing citations, unreadable file) and warnings."""
    label = _version_label(version)
    pieces = [
        Piece(str(_l("Title of the deliverable")), version.deliverable.title or ""),
        Piece(str(_l("Changelog of version %(n)s", n=version.number)), version.changelog or ""),
    ]
    findings: list[Finding] = []
    warnings: list[str] = []
    if version.is_text:
        pieces.append(Piece(label, citations.CITATION.sub(" ", version.body or "")))
        for citation in citations.citations_in(inquiry, version.body or ""):
            where = str(_l("Excerpt %(id)s", id=citation.excerpt_id))
            if not citation.found:
                message = _l(
                    "Excerpt %(id)s cannot be found (deleted, or consent withdrawn).", id=citation.excerpt_id
                )
                findings.append(Finding(where, "citation", str(message)))
                continue
            interview = citation.interview
            ids = (interview.id,) if interview is not None and getattr(interview, "id", None) else ()
            pieces.append(Piece(where, citation.text or "", ids))
            if not ids and not citation.allowed:
                message = _l(
                    "Interview %(pseudonym)s may not be quoted (consent).", pseudonym=citation.pseudonym
                )
                findings.append(Finding(where, "consent", str(message)))
        return pieces, findings, warnings
    try:
        parts = file_texts(version)
    except files.Unreadable:
        message = _l("%(where)s: the text of this file could not be read; export it again.", where=label)
        return pieces, [Finding(label, "unreadable", str(message))], warnings
    if not parts and version.mimetype.startswith("image/"):
        warnings.append(str(_l("The text of an image cannot be read: check it by hand.")))
    properties = str(_l("properties"))
    pieces += [Piece(f"{label}, {where}", text, persons=where != properties) for where, text in parts]
    return pieces, findings, warnings


#: Words never flagged in deliverables (programme vocabulary); pseudonyms are added per inquiry.
ALLOW_LIST = frozenset({"Master", "ESS", "SCOP", "SCIC", "Introduction", "Conclusion", "Annexe", "Synthèse"})


def _name_like_words(inquiry, pieces: list[Piece], hidden: set[str]) -> list[str]:
    """Capitalised words in no allow list: a hint for the team, never a blocker; the names
    the gate found are not printed again."""
    allowed = set(ALLOW_LIST) | set(citations.pseudonyms(inquiry))
    own = [p.text for p in pieces if not p.interview_ids]
    words = pseudonymise.identifying_words("\n\n".join(own), allowed)
    return [w for w in words if not set(disclosure.fold(w).split()) & hidden]


def verdict_of(inquiry, version, *, hints: bool = False) -> tuple[Verdict, list[str]]:
    """The gate's verdict on a version as the partner would receive it, and warnings."""
    pieces, findings, warnings = pieces_of(inquiry, version)
    verdict = disclosure.check(inquiry, pieces)
    verdict.findings = findings + verdict.findings
    if hints:
        warnings += _name_like_words(inquiry, pieces, verdict.hidden)
    return verdict, warnings


def run(inquiry, version) -> CheckResult:
    """The pre-share check of one version."""
    verdict, warnings = verdict_of(inquiry, version, hints=True)
    read = not any(f.kind == "unreadable" for f in verdict.findings)
    return CheckResult(blockers=verdict.messages, warnings=warnings, read=read)


# --- when the gate's knowledge changes ----------------------------------------------------


def recheck_shared(inquiry, deliverable=None) -> None:
    """Re-check the versions shared with the partner (of one deliverable, or all); withhold
    what fails, restore what passes."""
    from inquiry_hub.deliverables import sharing
    from inquiry_hub.deliverables.models import Version

    query = select(Version).where(Version.inquiry_id == inquiry.id, Version.shared_at.is_not(None))
    if deliverable is not None:
        query = query.where(Version.deliverable_id == deliverable.id)
    shared = db.session.scalars(query).all()
    for version in shared:
        verdict, _warnings = verdict_of(inquiry, version)
        if not verdict.ok and version.withheld_at is None:
            sharing.withhold(version, verdict.messages)
        elif verdict.ok and version.withheld_at is not None:
            sharing.release(version)


disclosure.register_recheck(recheck_shared)
