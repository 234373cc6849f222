"""The processing record: docs/processing-record.md, one language section at a time."""

from __future__ import annotations

import re
from pathlib import Path

RECORD = Path(__file__).resolve().parents[3] / "docs" / "processing-record.md"


def processing_record(locale: str) -> str:
    """The Markdown of the record in ``locale`` ("fr" or "en"; French when unknown)."""
    text = RECORD.read_text(encoding="utf-8")
    sections = dict(re.findall(r"<!-- lang:(\w+) -->\n(.*?)(?=<!-- lang:|\Z)", text, flags=re.S))
    return sections.get(locale, sections.get("fr", text))
