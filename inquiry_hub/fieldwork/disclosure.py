"""The disclosure gate: the one door through which field-derived text leaves the team.

Whatever the partner, an email, a feed, an export or a public page will show is first
cut into ``Piece`` objects (a version's text, a page of its file, a cited excerpt as it
will be rendered, a title, a changelog, published minutes...) and passed to ``check``,
which answers "may this reach someone outside the team, and if not, why and where".

INTERFACE STUB (lead): the signatures below are what the other rooms code against; the
implementation is being completed (vault names and aliases folded, person names from the
French named-entity model, consent of quoted interviews).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Piece:
    """One piece of text about to leave the team."""

    #: Where it is, for the person who must fix it: "Version 2, page 3", "Changelog", "Excerpt 12".
    where: str
    text: str
    #: Interviews this piece quotes: each must have a consent that allows quoting.
    interview_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class Finding:
    where: str
    #: "vault_name", "person_name" or "consent".
    kind: str
    #: A translated sentence that says what is wrong and what to do (never the real name itself).
    message: str


@dataclass
class Verdict:
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.findings


def check(inquiry, pieces: Iterable[Piece]) -> Verdict:
    """May these pieces reach someone outside the team? The findings say why not, and where."""
    raise NotImplementedError


def material_changed(inquiry) -> None:
    """A vault name, alias, public name or consent of the inquiry changed.

    Re-checks everything already shown outside the team (shared versions, published
    minutes...) and withholds at once what no longer passes; the team is told.
    """
    raise NotImplementedError
