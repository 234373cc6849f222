"""Everything the partner can reach, searched for what must never leave the team.

A version citing several excerpts is shared through the gate; another, shared while its
quotations were allowed, loses its interviewee's consent and is withheld. Then the partner's
browser starts from their portal and inquiry pages and follows every same-origin link;
their API token reads every GET endpoint of the OpenAPI document with every id they could
know; the outbox rows addressed to them are read too. No vault name or alias, and no text
of an excerpt they may not read, appears anywhere. Control: the shared version and its
allowed quotation are really there.
"""

from __future__ import annotations

import io
import json
import re
import unicodedata
import zipfile
from collections import deque
from urllib.parse import urljoin, urlsplit

import pytest
from sqlalchemy import select

from inquiry_hub.activity.models import OutboxMessage
from inquiry_hub.deliverables import services as deliverables
from inquiry_hub.extensions import db
from inquiry_hub.fieldwork.models import Excerpt
from tests.api.conftest import make_token
from tests.conftest import login

ALLOWED_QUOTE = "On partage les outils le samedi matin."
ALLOWED_QUOTE_2 = "Chacun apporte ses graines au printemps."
NICKNAME_QUOTE = "Au jardin, tout le monde m'appelle Lulu."
FORBIDDEN_QUOTES = [
    "Je préfère ne pas être citée sur le bureau.",
    "Le bureau décide sans nous consulter.",
    "La trésorerie est un secret de famille.",
]
VAULT = {
    "E01": ("Jeanne Moreau", "Jeannette"),
    "E02": ("Paul Durand", "Polo"),
    "E03": ("Rosalie Noiret", "Rosie"),
    # Entered in the vault only after a version quoting her nickname was shared.
    "E04": ("Lucienne Martin", "Lulu"),
}
MAX_PAGES = 400
#: The calendar links to every month: a few query strings per path are enough.
QUERY_VARIANTS = 3


def _interview(team, pseudonym, status, quotation, *, identity=True):
    from inquiry_hub.fieldwork import services as fieldwork

    interview = fieldwork.create_interview(team["inquiry"], team["student"], {"pseudonym": pseudonym})
    interview.consent.status, interview.consent.quotation = status, quotation
    interview.status = "conducted"
    if identity:
        full_name, alias = VAULT[pseudonym]
        fieldwork.set_identity(interview, team["student"], full_name, "", alias)
    return interview


def _excerpt(team, interview, text):
    from inquiry_hub.fieldwork import services as fieldwork

    note = fieldwork.create_note(
        team["inquiry"],
        team["student"],
        title="Entretien",
        body="Notes.",
        kind="interview_notes",
        interview=interview,
    )
    excerpt = Excerpt(inquiry_id=team["inquiry"].id, note_id=note.id, start=0, end=len(text), text=text)
    db.session.add(excerpt)
    db.session.flush()
    return excerpt


def _share(client, team, version):
    login(client, team["student"])
    url = f"/inquiries/{version.inquiry_id}/deliverables/{version.deliverable_id}/versions/{version.id}/share"
    response = client.post(url)
    client.post("/auth/logout")
    assert response.status_code == 302, response.get_data(as_text=True)[:300]


def _version(team, title, body, changelog, kind="other"):
    deliverable = deliverables.create_deliverable(
        team["inquiry"], team["student"], title=title, kind=kind, due_on=None, phase=""
    )
    return deliverables.add_text_version(deliverable, team["student"], body, changelog)


@pytest.fixture
def world(client, team):
    from inquiry_hub.fieldwork import services as fieldwork

    team["inquiry"].governance_rule = "any_member"
    agreed = _interview(team, "E01", "written", "anonymised")
    later = _interview(team, "E02", "oral", "named")
    silent = _interview(team, "E03", "not_asked", "anonymised")
    nicknamed = _interview(team, "E04", "written", "anonymised", identity=False)
    allowed = [_excerpt(team, agreed, ALLOWED_QUOTE), _excerpt(team, agreed, ALLOWED_QUOTE_2)]
    lulu = _excerpt(team, nicknamed, NICKNAME_QUOTE)
    losing = _excerpt(team, later, FORBIDDEN_QUOTES[0])
    _excerpt(team, silent, FORBIDDEN_QUOTES[1])
    _excerpt(team, agreed, FORBIDDEN_QUOTES[2])  # coded, never cited
    body = "# Synthèse\n\n" + "\n\n".join(f"[[excerpt:{e.id}]]" for e in allowed)
    shared = _version(team, "Rapport final", body, "Citations ajoutées", "final_report")
    withheld = _version(team, "Note d'étape", f"[[excerpt:{losing.id}]]", "Un témoignage")
    portrait = _version(team, "Portraits", f"Un surnom.\n\n[[excerpt:{lulu.id}]]", "Portrait")
    draft = deliverables.add_text_version(
        shared.deliverable, team["student"], body + f"\n\n[[excerpt:{losing.id}]]", "Brouillon"
    )
    db.session.commit()
    for version in (shared, withheld, portrait):
        _share(client, team, version)
    # After sharing: E02 forbids quotation, and E04's name and nickname enter the vault.
    terms = {"status": "oral", "given_on": None, "notice_version": "", "recording_allowed": False}
    fieldwork.update_consent(
        later, team["student"], {**terms, "quotation": "forbidden", "archiving_allowed": False}
    )
    fieldwork.set_identity(nicknamed, team["student"], VAULT["E04"][0], "", VAULT["E04"][1])
    db.session.commit()
    return {"shared": shared, "withheld": withheld, "portrait": portrait, "draft": draft}


def _forbidden_patterns() -> list[re.Pattern]:
    words = {w for full, alias in VAULT.values() for w in [full, alias, *full.split()]}
    texts = [_fold(t) for t in [*words, *FORBIDDEN_QUOTES, NICKNAME_QUOTE]]
    return [re.compile(r"(?<!\w)" + re.escape(t) + r"(?!\w)") for t in texts]


def _leaks(text: str) -> list[str]:
    folded = _fold(text)
    return [p.pattern for p in _forbidden_patterns() if p.search(folded)]


_LINK = re.compile(r"""(?:href|src|action)\s*=\s*["']([^"']+)["']""")


def _links(base: str, page: str) -> list[str]:
    found = []
    for raw in _LINK.findall(page):
        url = urljoin(base, raw.replace("&amp;", "&"))
        parts = urlsplit(url)
        if parts.scheme not in ("", "http") or parts.netloc not in ("", "localhost"):
            continue
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if path.startswith(("/static/", "/auth/logout")):
            continue
        found.append(path)
    return found


def _fold(text: str) -> str:
    """Case, accents and punctuation between words set aside (as a reader would)."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return re.sub(r"[\s\-'’.]+", " ", plain)


def _readable(response) -> str:
    """What a person reads in a response: its text, or the text of a downloaded PDF or Office file."""
    data = response.get_data()
    if response.mimetype == "application/pdf":
        from pypdf import PdfReader

        return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)
    if response.mimetype.startswith("application/vnd.") or response.mimetype == "application/zip":
        archive = zipfile.ZipFile(io.BytesIO(data))
        parts = [archive.read(n).decode("utf-8", "replace") for n in archive.namelist()]
        return re.sub(r"<[^>]+>", " ", "\n".join(parts))
    return data.decode("utf-8", "replace")


def _crawl(client, starts: list[str]) -> dict[str, str]:
    seen: dict[str, str] = {}
    variants: dict[str, int] = {}
    queue = deque(starts)
    while queue and len(seen) < MAX_PAGES:
        url = queue.popleft()
        path = url.split("?", 1)[0]
        if url in seen or variants.get(path, 0) >= QUERY_VARIANTS:
            continue
        variants[path] = variants.get(path, 0) + 1
        response = client.get(url)
        seen[url] = text = _readable(response)
        if response.status_code in (301, 302, 303) and response.location:
            queue.extend(_links(url, f'href="{response.location}"'))
        if response.mimetype == "text/html":
            queue.extend(u for u in _links(url, text) if u not in seen)
    return seen


def _api_reads(client, partner, ids: dict[str, list[int]]) -> dict[str, str]:
    headers = {"Authorization": f"Bearer {make_token(partner)}"}
    spec = client.get("/api/v1/openapi.json").get_json()
    answers = {}
    for path, operations in spec["paths"].items():
        if "get" not in operations:
            continue
        names = re.findall(r"{(\w+)}", path)
        combos = [{}]
        for name in names:
            combos = [{**c, name: value} for c in combos for value in ids.get(name, [1, 2, 3])]
        for combo in combos:
            url = path.format(**combo)
            for query in ("", "?q=bureau", "?q=Lulu") if not names else ("",):
                response = client.get(url + query, headers=headers)
                body = _readable(response)
                if response.is_json:
                    body += json.dumps(response.get_json(), ensure_ascii=False)
                answers[url + query] = body
    return answers


def test_nothing_the_partner_can_reach_holds_a_vault_name_or_a_forbidden_quotation(client, team, world):
    inquiry = team["inquiry"]
    partner = team["partner"]
    login(client, partner)
    pages = _crawl(client, ["/", f"/partner/{inquiry.id}", f"/inquiries/{inquiry.id}/", "/me/", "/account/"])
    client.post("/auth/logout")
    # Control: the partner really reads the shared version and its allowed quotation.
    shared = world["shared"]
    shared_url = f"/inquiries/{inquiry.id}/deliverables/{shared.deliverable_id}/versions/{shared.id}"
    assert shared_url in pages and ALLOWED_QUOTE in pages[shared_url]
    assert len(pages) >= 10
    ids = {
        "inquiry_id": [inquiry.id],
        "deliverable_id": sorted({v.deliverable_id for v in world.values()}),
        "version_id": [v.id for v in world.values()],
        "excerpt_id": list(db.session.scalars(select(Excerpt.id))),
    }
    answers = _api_reads(client, partner, ids)
    assert ALLOWED_QUOTE not in "".join(answers.values())  # the API serves no rendered quotation
    assert any(f"/api/v1/versions/{shared.id}" == url and '"id"' in body for url, body in answers.items())
    assert len(answers) >= 40
    mails = db.session.scalars(select(OutboxMessage).where(OutboxMessage.to_addr == partner.email)).all()
    reached = {**pages, **answers, **{f"mail {m.id}": m.subject + "\n" + m.body for m in mails}}
    leaks = {url: _leaks(text) for url, text in reached.items() if _leaks(text)}
    assert leaks == {}
