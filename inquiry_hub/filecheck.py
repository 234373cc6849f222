"""Untrusted files, checked once for every room: zip bombs, text floods, and the type they are served as.

Imports (transcripts), uploads (deliverables) and the disclosure gate all open Office and
OpenDocument files, which are zip archives: ``check_zip`` runs before any parser sees one.
``check_text`` caps what an import may put in front of the editor. ``download_type`` decides
how a stored file goes back to a browser: by its sniffed bytes, never by what the uploader's
browser claimed, and anything that could run in the page only ever as an attachment.
"""

from __future__ import annotations

import io
import zipfile

from flask_babel import lazy_gettext as _l

#: Limits on a zip-based file: members, total uncompressed size, compression ratio.
MAX_ENTRIES = 2000
MAX_UNCOMPRESSED = 200 * 1024 * 1024
MAX_RATIO = 100
#: A transcript import unpacks to little XML: anything larger is not a transcript.
IMPORT_MAX_UNCOMPRESSED = 20 * 1024 * 1024
#: The longest text an import may produce: the longest note body the API stores.
MAX_TEXT_CHARS = 500_000


class Refused(ValueError):
    """A file that is not acceptable; the message says why (shown to users), ``status`` how to answer."""

    status = 422


class TooLarge(Refused):
    """A file (or what it unpacks to) larger than the app accepts."""

    status = 413


def check_zip(data: bytes, max_uncompressed: int = MAX_UNCOMPRESSED) -> None:
    """Refuse archives with too many members, too large once unpacked or too compressed.

    The sizes are those the archive declares: ``zipfile`` never inflates a member beyond its
    declared size, so they bound what a parser can be made to read.
    """
    try:
        entries = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise Refused(str(_l("This Office file is damaged."))) from exc
    total = sum(e.file_size for e in entries)
    packed = sum(e.compress_size for e in entries) or 1
    if len(entries) > MAX_ENTRIES or total > max_uncompressed or total / packed > MAX_RATIO:
        raise TooLarge(str(_l("This Office file unpacks to too much data to be safe.")))


def check_text(text: str) -> str:
    """The text of an import, if it is not longer than a note may be."""
    if len(text) > MAX_TEXT_CHARS:
        raise TooLarge(
            str(_l("This file holds more than %(n)s characters of text: split it first.", n=MAX_TEXT_CHARS))
        )
    return text


# --- serving stored files back ------------------------------------------------------------

#: Types a browser may receive as themselves (shown in the page or opened by a viewer).
SERVED_AS_IS = frozenset(
    {
        "application/pdf",
        "image/png",
        "image/jpeg",
        "image/gif",
        "image/webp",
        "audio/mpeg",
        "audio/ogg",
        "audio/x-wav",
        "audio/wav",
        "audio/mp4",
        "video/mp4",
        "video/webm",
        "application/vnd.oasis.opendocument.text",
        "application/vnd.oasis.opendocument.presentation",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "application/vnd.oasis.opendocument.spreadsheet",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "text/plain",
        "text/markdown",
    }
)
OCTET_STREAM = "application/octet-stream"


def sniffed_type(data: bytes) -> str:
    """The type these bytes are, read from their content (libmagic), whatever their name says."""
    import magic

    return magic.from_buffer(data[:65536], mime=True) or OCTET_STREAM


def download_type(data: bytes) -> str:
    """The Content-Type to serve stored bytes with: their sniffed type if allowed, else octet-stream.

    HTML, SVG, XML and scripts are never served as themselves from the app's origin.
    """
    found = sniffed_type(data)
    if found in ("application/zip", OCTET_STREAM):
        import magic

        found = magic.from_buffer(data, mime=True) or OCTET_STREAM
    if found == "text/plain":
        return "text/plain; charset=utf-8"
    return found if found in SERVED_AS_IS else OCTET_STREAM


def send_stored(data: bytes, download_name: str, *, inline: bool = False):
    """A response serving stored bytes: sniffed type, attachment unless ``inline`` and allowed, nosniff."""
    from flask import send_file

    mimetype = download_type(data)
    response = send_file(
        io.BytesIO(data),
        mimetype=mimetype,
        as_attachment=not inline or mimetype == OCTET_STREAM,
        download_name=download_name or "file",
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    # Even a file opened in its own tab runs nothing and loads nothing from us.
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response
