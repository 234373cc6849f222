"""Reading transcripts from .txt, .md, .docx and .odt files, keeping their paragraphs."""

from __future__ import annotations

import io
from pathlib import PurePath

from flask_babel import lazy_gettext as _l

from inquiry_hub.filecheck import IMPORT_MAX_UNCOMPRESSED, Refused, TooLarge, check_text, check_zip

FORMATS = (".txt", ".md", ".docx", ".odt")


class ImportFailed(Refused):
    """The file cannot be read as a transcript; the message says why (shown to users)."""


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFailed(str(_l("The text file is neither UTF-8 nor Windows-1252.")))


def _plain(data: bytes) -> str:
    return _decode(data).replace("\r\n", "\n").replace("\r", "\n")


def _docx(data: bytes) -> str:
    import docx

    document = docx.Document(io.BytesIO(data))
    return "\n\n".join(p.text for p in document.paragraphs if p.text.strip())


def _odt(data: bytes) -> str:
    from odf import teletype, text
    from odf.opendocument import load

    document = load(io.BytesIO(data))
    paragraphs = []
    # Headings and paragraphs in document order.
    for element in document.text.getElementsByType(text.P) + document.text.getElementsByType(text.H):
        paragraphs.append((_position(element), teletype.extractText(element)))
    paragraphs.sort(key=lambda item: item[0])
    return "\n\n".join(t for _, t in paragraphs if t.strip())


def _position(element) -> list[int]:
    """Path of child indexes from the root: sorts elements in document order."""
    path = []
    while element.parentNode is not None:
        path.append(element.parentNode.childNodes.index(element))
        element = element.parentNode
    return path[::-1]


READERS = {".txt": _plain, ".md": _plain, ".docx": _docx, ".odt": _odt}


def extract_text(filename: str, data: bytes) -> str:
    """The text of a transcript file, paragraphs separated by blank lines; raises Refused (413 or 422)."""
    suffix = PurePath(filename or "").suffix.lower()
    reader = READERS.get(suffix)
    if reader is None:
        raise ImportFailed(str(_l("Only .txt, .md, .docx and .odt files can be imported.")))
    try:
        if suffix in (".docx", ".odt"):
            check_zip(data, IMPORT_MAX_UNCOMPRESSED)  # before any parser inflates it
        return check_text(reader(data).strip())
    except (ImportFailed, TooLarge):
        raise
    except Refused as exc:  # a damaged archive
        raise ImportFailed(str(exc)) from exc
    except Exception as exc:  # any parser error on an untrusted file is the file's fault
        raise ImportFailed(str(_l("This file could not be read: %(why)s", why=type(exc).__name__))) from exc
