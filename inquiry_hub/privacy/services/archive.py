"""The inquiry archive: a ZIP that opens without the app (index.html, Markdown per room, CSV).

Built synchronously into a temporary file, then streamed: an inquiry of the programme's size
(a few hundred notes, a few dozen files) takes a few seconds, and nothing survives a restart
half-built. The page that offers it says so while the browser waits.
"""

from __future__ import annotations

import csv
import html
import importlib
import io
import re
import tempfile
import zipfile

from sqlalchemy import select

from inquiry_hub.extensions import db
from inquiry_hub.fieldwork import pseudonymise
from inquiry_hub.fieldwork.services import identity
from inquiry_hub.fieldwork.services import interviews as fieldwork
from inquiry_hub.fieldwork.services import notes as fieldnotes
from inquiry_hub.governance.services import decisions, logbook, meetings
from inquiry_hub.storage import get_storage

FORMER = "former member"


def _optional(module: str):
    """A room module that may not exist in this installation (coding, deliverables)."""
    try:
        return importlib.import_module(module)
    except ImportError:
        return None


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
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows([[self.clean(v) for v in row] for row in rows])
        self.zip.writestr(path, out.getvalue())
        self.pages.append((path, path))

    def file(self, path: str, sha256: str) -> bool:
        storage = get_storage()
        if not sha256 or not storage.exists(sha256):
            return False
        with storage.open(sha256) as handle:
            self.zip.writestr(path, handle.read())
        return True


def _who(user) -> str:
    return user.name if user is not None else FORMER


def _tasks(w: _Writer, inquiry) -> None:
    from inquiry_hub.tasks.models import Task

    tasks = db.session.scalars(
        select(Task)
        .where(Task.inquiry_id == inquiry.id)
        .options(db.selectinload(Task.comments))
        .order_by(Task.id)
    ).all()
    parts = []
    for task in tasks:
        due = f" — {task.due_on.isoformat()}" if task.due_on else ""
        parts.append(
            f"## {task.title}\n\n*{task.column.name or task.column.kind}*{due}\n\n{task.description}\n"
        )
        parts += [f"> {_who(c.author)}: {c.body}\n" for c in task.comments]
    w.markdown("tasks.md", "Tasks", "\n".join(parts))
    w.csv(
        "tasks.csv",
        ["id", "title", "column", "due_on", "shared_with_partner"],
        [
            [t.id, t.title, t.column.name or t.column.kind, t.due_on or "", t.shared_with_partner]
            for t in tasks
        ],
    )


def _fieldwork(w: _Writer, inquiry) -> None:
    interviews = fieldwork.interviews_of(inquiry)
    links = []
    for interview in interviews:
        path = f"notes/{interview.id}-{_slug(interview.pseudonym)}.md"
        notes = fieldnotes.notes_of(inquiry, interview)
        body = "\n".join(f"## {n.title}\n\n*{n.written_on.isoformat()}*\n\n{n.body}\n" for n in notes)
        w.markdown(path, interview.pseudonym, body or "—")
        links.append(f"- [{interview.pseudonym}]({path})")
    free = fieldnotes.notes_of(inquiry, free_only=True)
    w.markdown(
        "notes/free-notes.md", "Other notes", "\n".join(f"## {n.title}\n\n{n.body}\n" for n in free) or "—"
    )
    w.csv(
        "interviews.csv",
        ["id", "pseudonym", "status", "conducted_on", "profile"],
        [[i.id, i.pseudonym, i.status, i.conducted_on or "", i.profile] for i in interviews],
    )


def _coding(w: _Writer, inquiry) -> None:
    models = _optional("inquiry_hub.fieldwork.models.coding")
    if models is None:
        return
    codes = db.session.scalars(
        select(models.Code)
        .where(models.Code.inquiry_id == inquiry.id)
        .order_by(models.Code.position, models.Code.id)
    ).all()
    excerpts = db.session.scalars(
        select(models.Excerpt).where(models.Excerpt.inquiry_id == inquiry.id).order_by(models.Excerpt.id)
    ).all()
    if not codes and not excerpts:
        return
    w.markdown("codebook.md", "Codebook", "\n".join(f"- **{c.name}**: {c.description}" for c in codes))
    w.markdown("excerpts.md", "Excerpts", "\n".join(f"> {e.text}\n" for e in excerpts))
    w.csv(
        "codes.csv",
        ["id", "parent_id", "name", "description"],
        [[c.id, c.parent_id or "", c.name, c.description] for c in codes],
    )


def _deliverables(w: _Writer, inquiry) -> None:
    models = _optional("inquiry_hub.deliverables.models")
    if models is None:
        return
    items = db.session.scalars(
        select(models.Deliverable)
        .where(models.Deliverable.inquiry_id == inquiry.id)
        .order_by(models.Deliverable.id)
    ).all()
    if not items:
        return
    parts = []
    for item in items:
        parts.append(f"## {item.title}\n\n*{item.kind} — {item.status}*\n")
        for version in item.versions:
            if version.sha256:
                path = f"deliverables/{item.id}-{version.number}-{_slug(version.filename or 'file')}"
                if w.file(path, version.sha256):
                    parts.append(f"- v{version.number}: [{w.clean(version.filename)}]({path})")
            else:
                parts.append(f"### v{version.number}\n\n{version.body}\n")
    w.markdown("deliverables.md", "Deliverables", "\n".join(parts))


def _governance(w: _Writer, inquiry, reader) -> None:
    items = meetings.meetings_of(inquiry)
    w.markdown(
        "meetings.md",
        "Meetings",
        "\n".join(f"## {m.title}\n\n*{m.held_at:%Y-%m-%d %H:%M}*\n\n{m.minutes}\n" for m in items) or "—",
    )
    proposals = decisions.decision_log(inquiry)
    w.markdown("decisions.md", "Decisions", decisions.log_as_markdown(inquiry, proposals))
    w.zip.writestr("decisions.csv", w.clean(decisions.log_as_csv(proposals)))
    w.pages.append(("decisions.csv", "decisions.csv"))
    shared = [e for e in logbook.entries_for(inquiry, reader) if not e.is_personal]
    w.markdown(
        "logbook.md",
        "Logbook (shared entries)",
        "\n".join(
            f"## {e.title}\n\n*{e.written_on.isoformat()} — {_who(e.author)}*\n\n{e.body}\n" for e in shared
        )
        or "—",
    )


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


def build_archive(inquiry, reader):
    """The archive in a temporary file, rewound (the caller streams then closes it)."""
    handle = tempfile.TemporaryFile()  # noqa: SIM115 -- the streaming response closes it
    w = _Writer(inquiry, handle)
    _tasks(w, inquiry)
    _fieldwork(w, inquiry)
    _coding(w, inquiry)
    _deliverables(w, inquiry)
    _governance(w, inquiry, reader)
    w.zip.writestr("index.html", _index(w, inquiry))
    w.zip.close()
    handle.seek(0)
    return handle
