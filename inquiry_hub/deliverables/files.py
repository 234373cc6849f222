"""Accepting an uploaded file: type sniffed from the content, zip bombs refused, names sanitised."""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile

import magic
from flask_babel import lazy_gettext as _l

# One zip-bomb guard for every room (uploads here, transcript imports in fieldwork).
from inquiry_hub.filecheck import MAX_UNCOMPRESSED, Refused, check_zip  # noqa: F401 - re-exported

#: Sniffed type → extension given to the download name.
ACCEPTED = {
    "application/pdf": ".pdf",
    "application/vnd.oasis.opendocument.text": ".odt",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": ".pptx",
    "application/vnd.oasis.opendocument.presentation": ".odp",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    "application/vnd.oasis.opendocument.spreadsheet": ".ods",
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/gif": ".gif",
    "image/webp": ".webp",
    "text/markdown": ".md",
}
OFFICE = {t for t, ext in ACCEPTED.items() if ext in (".odt", ".docx", ".pptx", ".odp", ".xlsx", ".ods")}


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return False
    return True


def _text_type(data: bytes) -> str | None:
    """Plain UTF-8 text is accepted as Markdown; HTML or anything else is not."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    head = text.lstrip()[:200].lower()
    if head.startswith(("<!doctype", "<html", "<?xml", "<svg", "<script")):
        return None
    return "text/markdown"


def sniff(data: bytes) -> str:
    """The accepted type of these bytes, read from their content; raises Refused otherwise."""
    found = magic.from_buffer(data[:65536], mime=True)
    if found.startswith("text/") and found != "text/html":
        if not _is_utf8(data):
            raise Refused(str(_l("Text files must be saved as UTF-8.")))
        found = _text_type(data) or found
    if found in ("application/zip", "application/octet-stream"):
        found = magic.from_buffer(data, mime=True)
    if found not in ACCEPTED:
        raise Refused(str(_l("This kind of file is not accepted (%(type)s).", type=found)))
    if found in OFFICE:
        check_zip(data)
    return found


_UNSAFE = re.compile(r"[^\w.\- ]+", re.UNICODE)


def safe_filename(name: str, mimetype: str) -> str:
    """A download name without directories or odd characters, ending with the sniffed extension."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = unicodedata.normalize("NFC", base)
    stem = base.rsplit(".", 1)[0] if "." in base else base
    stem = _UNSAFE.sub("_", stem).strip(" ._")[:120] or "file"
    return stem + ACCEPTED.get(mimetype, "")


def extract_pdf_text(data: bytes) -> str:
    """The text layer of a PDF, pages separated by blank lines."""
    return "\n\n".join(text for _where, text in pdf_pages(data))


class Unreadable(ValueError):
    """The text of a file could not be read (damaged, or a kind the gate cannot read)."""


def pdf_pages(data: bytes) -> list[tuple[str, str]]:
    """[("page N", text)] of a PDF, then its metadata (title, author, subject, keywords)."""
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data))
        pages = [
            (str(_l("page %(n)s", n=n)), page.extract_text() or "") for n, page in enumerate(reader.pages, 1)
        ]
        meta = reader.metadata or {}
        properties = "\n\n".join(str(v) for v in meta.values() if isinstance(v, str))
    except Exception as exc:  # pypdf raises many kinds of errors on damaged files
        raise Unreadable(str(exc)) from exc
    return pages + ([(str(_l("properties")), properties)] if properties.strip() else [])


#: Elements that end a paragraph (Word, PowerPoint, OpenDocument, spreadsheets' cells and strings).
_PARAGRAPH_TAGS = frozenset(
    {
        "p",
        "h",
        "si",
        "is",
        "c",
        "table-cell",
        "title",
        "description",
        "subject",
        "creator",
        "keywords",
        "initial-creator",
    }
)
#: Elements that stand for a space, or a line break, inside a paragraph.
_SPACE_TAGS = frozenset({"tab", "s", "soft-page-break"})
_BREAK_TAGS = frozenset({"br", "cr", "line-break"})


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _inline_text(element) -> str:
    parts = [element.text or ""]
    for child in element:
        if _local(child.tag) in _SPACE_TAGS:
            parts.append(" ")
        elif _local(child.tag) in _BREAK_TAGS:
            parts.append("\n")
        else:
            parts.append(_inline_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _paragraphs(element, out: list[str]) -> None:
    if _local(element.tag) in _PARAGRAPH_TAGS:
        out.append(_inline_text(element))
        return
    if (element.text or "").strip():
        out.append(element.text)
    for child in element:
        _paragraphs(child, out)
        if (child.tail or "").strip():
            out.append(child.tail)


def _part_label(name: str) -> str | None:
    """Where an archive member shows, for the person fixing it; None for what is not text."""
    number = "".join(c for c in name.rsplit("/", 1)[-1] if c.isdigit())
    if not name.endswith(".xml") and not name.endswith(".rels"):
        return None
    if (
        name.endswith(".rels")
        or "/_rels/" in name
        or name in ("[Content_Types].xml", "META-INF/manifest.xml")
    ):
        return None
    if name.startswith("ppt/slides/slide"):
        return str(_l("slide %(n)s", n=number))
    if name.startswith("ppt/notesSlides/"):
        return str(_l("speaker notes %(n)s", n=number))
    if name.startswith("xl/worksheets/sheet"):
        return str(_l("sheet %(n)s", n=number))
    if name.startswith(("docProps/", "meta.xml")):
        return str(_l("properties"))
    if "comment" in name:
        return str(_l("comments"))
    if "header" in name or "footer" in name or name == "styles.xml":
        return str(_l("headers and footers"))
    if "footnote" in name or "endnote" in name:
        return str(_l("notes"))
    return str(_l("text"))


def _odp_slides(root) -> list[tuple[str, str]]:
    """An OpenDocument presentation's content, slide by slide."""
    found = []
    pages = [e for e in root.iter() if _local(e.tag) == "page"]
    for number, page in enumerate(pages, 1):
        out: list[str] = []
        _paragraphs(page, out)
        found.append((str(_l("slide %(n)s", n=number)), "\n\n".join(out)))
    return found


def office_texts(data: bytes) -> list[tuple[str, str]]:
    """[(where, text)] of every XML part of an Office or OpenDocument file, paragraphs apart.

    Every part is read (comments, notes, headers, hidden slides, metadata), not only what
    a viewer shows first; entity expansion is refused and zip bombs are refused first.
    """
    from defusedxml import ElementTree
    from defusedxml.common import DefusedXmlException

    try:
        check_zip(data)
    except Refused as exc:
        raise Unreadable(str(exc)) from exc
    found: list[tuple[str, str]] = []
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        for entry in archive.infolist():
            label = _part_label(entry.filename)
            if label is None or entry.file_size > MAX_UNCOMPRESSED:
                continue
            root = ElementTree.fromstring(archive.read(entry))
            if entry.filename == "content.xml" and any(_local(e.tag) == "page" for e in root.iter()):
                found += _odp_slides(root)
                continue
            out: list[str] = []
            _paragraphs(root, out)
            found.append((label, "\n\n".join(out)))
    except (
        zipfile.BadZipFile,
        OSError,
        ElementTree.ParseError,
        DefusedXmlException,
        ValueError,
        RecursionError,
    ) as exc:
        raise Unreadable(str(exc)) from exc
    return [(where, text) for where, text in found if text.strip()]


def texts_of(data: bytes, mimetype: str) -> list[tuple[str, str]]:
    """[(where, text)] of a stored file; raises Unreadable; [] for images (no text to read)."""
    if mimetype == "application/pdf":
        return pdf_pages(data)
    if mimetype in OFFICE:
        return office_texts(data)
    if mimetype.startswith("text/"):
        return [(str(_l("text")), data.decode("utf-8-sig", errors="replace"))]
    if mimetype.startswith("image/"):
        return []
    raise Unreadable(mimetype)
