"""The inquiry archive: a ZIP that opens without the app (index.html, Markdown per room, CSV).

Each room writes its own part (``<room>/export.py``: ``export_for_archive(out, inquiry)``) through
the writer below, which cleans every text of vault names on the way in. The writer offers
``markdown(path, title, body)``, ``csv(path, header, rows)``, ``text(path, text)``,
``file(path, sha256)``, ``clean(text)``, ``who(user)`` and ``slug(text)``. The archive is written
step by step (one step per room, then the index page) so that the job that builds it
(``archive_jobs``) can show its progress.
"""

from __future__ import annotations

import html
import re
import zipfile

from inquiry_hub.deliverables import export as deliverables
from inquiry_hub.export_rows import csv_text
from inquiry_hub.fieldwork import export as fieldwork
from inquiry_hub.fieldwork import pseudonymise
from inquiry_hub.fieldwork.services import identity
from inquiry_hub.governance import export as governance
from inquiry_hub.storage import get_storage
from inquiry_hub.tasks import export as tasks

FORMER = "former member"


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "-", text).strip("-")[:60] or "item"


class _Writer:
    """Collects the files of the archive, every text cleaned of vault names on the way in."""

    def __init__(self, inquiry, handle):
        self.names = identity.names_by_pseudonym(inquiry)
        self.zip = zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED)
        self.pages: list[tuple[str, str]] = []

    def clean(self, text) -> str:
        return pseudonymise.replace_names(str(text or ""), self.names).text

    def markdown(self, path: str, title: str, body: str) -> None:
        self.zip.writestr(path, self.clean(f"# {title}\n\n{body}\n"))
        self.pages.append((path, self.clean(title)))

    def csv(self, path: str, header: list[str], rows: list[list]) -> None:
        # Numbers stay numbers; every text is cleaned, then made safe for spreadsheets.
        cells = [[v if _is_number(v) else self.clean(v) for v in row] for row in rows]
        self.zip.writestr(path, csv_text(header, cells))
        self.pages.append((path, path))

    def text(self, path: str, text: str) -> None:
        self.zip.writestr(path, self.clean(text))
        self.pages.append((path, path))

    def file(self, path: str, sha256: str) -> bool:
        storage = get_storage()
        if not sha256 or not storage.exists(sha256):
            return False
        with storage.open(sha256) as handle:
            self.zip.writestr(path, handle.read())
        return True

    @staticmethod
    def who(user) -> str:
        return user.name if user is not None else FORMER

    @staticmethod
    def slug(text: str) -> str:
        return _slug(text)


def _index(w: _Writer, inquiry) -> str:
    links = "\n".join(
        f'<li><a href="{html.escape(path)}">{html.escape(title)}</a></li>' for path, title in w.pages
    )
    return (
        '<!doctype html>\n<html lang="fr"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(w.clean(inquiry.title))}</title></head>\n<body><main>"
        f"<h1>{html.escape(w.clean(inquiry.title))}</h1>"
        f"<p>{html.escape(w.clean(inquiry.question))}</p>\n<ul>\n{links}\n</ul></main></body></html>\n"
    )


#: The steps of a build, in order: each room writes its own files through the writer.
STEPS = (
    tasks.export_for_archive,
    fieldwork.export_for_archive,
    fieldwork.export_coding_for_archive,
    deliverables.export_for_archive,
    governance.export_for_archive,
)
#: The rooms, then the index page.
TOTAL_STEPS = len(STEPS) + 1


def write_archive(inquiry, handle, progress=None) -> None:
    """Write the archive into ``handle``, calling ``progress(done_steps)`` after each step."""
    w = _Writer(inquiry, handle)
    with w.zip:  # closed on failure too (the caller then throws the file away)
        for done, step in enumerate(STEPS, start=1):
            step(w, inquiry)
            if progress is not None:
                progress(done)
        w.zip.writestr("index.html", _index(w, inquiry))
    if progress is not None:
        progress(TOTAL_STEPS)
