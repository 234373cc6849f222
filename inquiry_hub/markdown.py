"""Markdown rendering for every room: markdown-it-py refuses raw HTML, nh3 sanitises the rest."""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

# js-default: CommonMark without raw HTML, with links validated (no javascript:).
_MD = MarkdownIt("js-default").enable("table").enable("strikethrough")

_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "del",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "a",
    "hr",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}


def render(text: str | None) -> Markup:
    """Safe HTML for a Markdown text; scripts, event attributes and javascript: links are dropped."""
    html = _MD.render(text or "")
    clean = nh3.clean(
        html,
        tags=_TAGS,
        attributes={"a": {"href", "title"}, "th": {"align"}, "td": {"align"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    return Markup(clean)
