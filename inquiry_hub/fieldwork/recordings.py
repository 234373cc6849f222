"""Telling an audio or video recording from any other file, whatever it claims to be.

A file counts as a recording when its declared type, its extension or its content (magic
numbers, through ``filetype``) says audio or video: renaming ``interview.m4a`` to
``interview.pdf`` or sending it as ``application/octet-stream`` does not get it through.
"""

from __future__ import annotations

import filetype

#: Audio, then video.
EXTENSIONS = frozenset(
    ("aac", "aif", "aiff", "amr", "ape", "au", "caf", "flac", "m4a", "m4b", "mid", "midi", "mka", "mp2")
    + ("mp3", "mpga", "oga", "ogg", "opus", "ra", "wav", "weba", "wma")
    + ("3g2", "3gp", "asf", "avi", "f4v", "flv", "m2ts", "m4v", "mkv", "mov", "mp4", "mpeg", "mpg")
    + ("mts", "ogv", "qt", "ts", "vob", "webm", "wmv")
)


def is_recording(filename: str, mimetype: str, head: bytes) -> bool:
    """Whether the file is (or says it is) an audio or video recording."""
    declared = (mimetype or "").split(";")[0].strip().lower()
    if declared.startswith(("audio/", "video/")):
        return True
    extension = (filename or "").rsplit(".", 1)[-1].lower() if "." in (filename or "") else ""
    if extension in EXTENSIONS:
        return True
    return bool(head) and (filetype.is_audio(head) or filetype.is_video(head))
