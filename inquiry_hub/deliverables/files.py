"""Accepting an uploaded file: type sniffed from the content, zip bombs refused, names sanitised."""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile

import magic
from flask_babel import lazy_gettext as _l

#: Sniffed type → extension given to the download name.
ACCEPTED = {
    "application/pdf": ".pdf",
    "application/vnd.oasis.opendocument.text": ".odt",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": ".pptx",
    "application/vnd.oasis.opendocument.presentation": ".odp",
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/gif": ".gif",
    "image/webp": ".webp",
    "text/markdown": ".md",
}
OFFICE = {t for t, ext in ACCEPTED.items() if ext in (".odt", ".docx", ".pptx", ".odp")}

#: Limits on an Office (zip) file: entries, total uncompressed size, compression ratio.
MAX_ENTRIES = 2000
MAX_UNCOMPRESSED = 200 * 1024 * 1024
MAX_RATIO = 100


class Refused(ValueError):
    """The upload is not acceptable; the message says why (shown to users)."""


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


def check_zip(data: bytes) -> None:
    """Refuse archives with too many entries, too large once unpacked or too compressed."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise Refused(str(_l("This Office file is damaged."))) from exc
    total = sum(e.file_size for e in entries)
    packed = sum(e.compress_size for e in entries) or 1
    if len(entries) > MAX_ENTRIES or total > MAX_UNCOMPRESSED or total / packed > MAX_RATIO:
        raise Refused(str(_l("This Office file unpacks to too much data to be safe.")))


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
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    return "\n\n".join((page.extract_text() or "") for page in reader.pages)
