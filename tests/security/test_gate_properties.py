"""Properties of the disclosure gate and of the Markdown sanitiser (hypothesis, modest counts).

- Whatever the name and alias, wherever they sit in French text, in whatever format the
  gate reads (Markdown, DOCX, ODT, ODP, PPTX, XLSX, ODS, PDF) and however they are spelt
  (case, accents stripped, hyphen, line break, emphasis, hyphenated line break), it finds them.
- Whatever Markdown a student writes, the rendered HTML has no <script>, no on* attribute
  and no javascript: URL.
"""

from __future__ import annotations

import html
import unicodedata
from html.parser import HTMLParser

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inquiry_hub import markdown
from inquiry_hub.deliverables import files
from inquiry_hub.extensions import db
from inquiry_hub.fieldwork import disclosure
from inquiry_hub.fieldwork.disclosure import Piece
from tests.security import _documents

# Letters every format can carry (PDF's WinAnsi included).
_LOWER = "abcdefghijklmnopqrstuvwxyzéèêëàâîïôöùûüç"
_WORDS = [
    *[
        "le",
        "jardin",
        "partagé",
        "accueille",
        "chaque",
        "semaine",
        "des",
        "bénévoles",
        "qui",
        "cultivent",
        "ensemble",
    ],
    *[
        "les",
        "parcelles",
        "du",
        "quartier",
        "selon",
        "la",
        "coopérative",
        "les",
        "réunions",
        "permettent",
        "de",
        "décider",
    ],
    *[
        "des",
        "priorités",
        "et",
        "de",
        "répartir",
        "le",
        "travail",
        "entre",
        "anciens",
        "et",
        "nouveaux",
        "venus",
    ],
]


def _word(min_size=3, max_size=9):
    return st.text(alphabet=_LOWER, min_size=min_size, max_size=max_size).map(str.capitalize)


names = st.tuples(_word(), _word(4, 10))
sentences = st.lists(st.sampled_from(_WORDS), min_size=3, max_size=12).map(" ".join)


def _strip(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


#: How a name may be spelt in a deliverable; each a function of (first name, surname).
VARIANTS = {
    "exact": lambda f, s: f"{f} {s}",
    "upper": lambda f, s: f"{f} {s}".upper(),
    "lower": lambda f, s: f"{f} {s}".lower(),
    "no_accents": lambda f, s: _strip(f"{f} {s}"),
    "hyphen": lambda f, s: f"{f}-{s}",
    "line_break": lambda f, s: f"{f}\n{s}",
    "emphasis": lambda f, s: f"**{f}** _{s}_",
    "hyphenated_break": lambda f, s: f"{f} {s[:2]}-\n{s[2:]}",
}


def _alias_spelt(variant: str, alias: str) -> str:
    """An alias is one word: hyphens and line breaks between words do not apply."""
    return {
        "upper": alias.upper(),
        "lower": alias.lower(),
        "no_accents": _strip(alias),
        "emphasis": f"**{alias}**",
        "hyphenated_break": f"{alias[:2]}-\n{alias[2:]}",
    }.get(variant, alias)


@pytest.fixture
def person(team):
    """An interview whose identity each example rewrites."""
    from inquiry_hub.fieldwork import services as fieldwork

    interview = fieldwork.create_interview(team["inquiry"], team["student"], {"pseudonym": "E42"})
    db.session.commit()
    return team["inquiry"], interview, team["student"]


def _pieces(kind: str, paragraphs: list[str]) -> list[Piece]:
    writer, mimetype = _documents.FORMATS[kind]
    data = writer(paragraphs)
    if kind == "md":
        return [Piece("Version 1", data.decode())]
    assert files.sniff(data) == mimetype
    return [Piece(f"Version 1, {where}", text) for where, text in files.texts_of(data, mimetype)]


def _finds(inquiry, pieces) -> bool:
    verdict = disclosure.check(inquiry, pieces, persons_too=False)
    return any(f.kind == "vault_name" and "E42" in f.message for f in verdict.findings)


@pytest.mark.parametrize("variant", sorted(VARIANTS))
@pytest.mark.parametrize("kind", list(_documents.FORMATS))
@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=names, alias=_word(4, 8), before=sentences, after=sentences, use_alias=st.booleans())
def test_the_gate_finds_vault_names_in_every_format_and_spelling(
    person, kind, variant, name, alias, before, after, use_alias
):
    from inquiry_hub.fieldwork import services as fieldwork

    inquiry, interview, student = person
    first, last = name
    fieldwork.set_identity(interview, student, f"{first} {last}", "", alias)
    spelt = _alias_spelt(variant, alias) if use_alias else VARIANTS[variant](first, last)
    paragraphs = [f"{before.capitalize()}, {spelt} raconte que {after}.", "Fin de la synthèse."]
    assert _finds(inquiry, _pieces(kind, paragraphs))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=names, text=sentences)
def test_the_gate_passes_text_without_the_name(person, name, text):
    """The control: the same texts without the name pass (no finding made up)."""
    from inquiry_hub.fieldwork import services as fieldwork

    inquiry, interview, student = person
    first, last = name
    fieldwork.set_identity(interview, student, f"{first}{last[:1]} {last}zq", "", "")
    assert not _finds(inquiry, [Piece("Version 1", f"{text.capitalize()}, selon E42.")])
    named = f"{text.capitalize()}, selon {first}{last[:1]} {last}zq."
    assert _finds(inquiry, [Piece("Version 1", named)])  # control: with the name, it is found


# --- the Markdown sanitiser -------------------------------------------------------------

_ATTACKS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "[clic](javascript:alert(1))",
    "[clic](JaVaScRiPt:alert(1))",
    "[clic](java\tscript:alert(1))",
    "[clic](javascript&#58;alert(1))",
    "[clic](&#106;avascript:alert(1))",
    "[clic]( javascript:alert(1) )",
    '<a href="javascript:alert(1)">x</a>',
    "![img](javascript:alert(1))",
    "[ref]\n\n[ref]: javascript:alert(1)",
    "<details open ontoggle=alert(1)>",
    '<p style="x" onclick="alert(1)">x</p>',
    "`<script>`",
    "<<script>script>alert(1)<</script>/script>",
    "[x](data:text/html;base64,PHNjcmlwdD4=)",
    "<iframe src=javascript:alert(1)>",
]
_MARKDOWN_BITS = [
    "**gras**",
    "_it_",
    "# Titre",
    "> citation",
    "- item",
    "`code`",
    "| a | b |\n|---|---|\n| 1 | 2 |",
    "\n\n",
]


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attributes += [(name, value or "") for name, value in attrs]


def _is_javascript(url: str) -> bool:
    cleaned = "".join(c for c in html.unescape(url) if c.isprintable() and not c.isspace()).lower()
    return cleaned.startswith(("javascript:", "vbscript:", "data:"))


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.one_of(st.sampled_from(_ATTACKS), st.sampled_from(_MARKDOWN_BITS), st.text(max_size=20)),
        max_size=8,
    )
)
def test_rendered_markdown_has_no_script_handler_or_javascript_url(parts):
    probe = _Collector()  # control: the collector does see a script element
    probe.feed("<script>x</script>")
    assert "script" in probe.tags
    collector = _Collector()
    collector.feed(str(markdown.render("".join(parts))))
    assert "script" not in collector.tags and "iframe" not in collector.tags
    assert not [name for name, _value in collector.attributes if name.lower().startswith("on")]
    assert not [v for name, v in collector.attributes if name in ("href", "src") and _is_javascript(v)]
