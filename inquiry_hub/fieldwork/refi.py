"""The REFI-QDA codebook exchange format (``.qdc``) read by NVivo, ATLAS.ti, MAXQDA and QualCoder."""

from __future__ import annotations

import re
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

NS = "urn:QDA-XML:codebook:1.0"
_Q = f"{{{NS}}}"
GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
MAX_BYTES = 2_000_000


class RefiError(ValueError):
    """The file is not a REFI-QDA codebook we can read; the message says why."""


@dataclass
class CodeSpec:
    """A code as the file describes it, with its children."""

    guid: str
    name: str
    colour: str
    description: str
    children: list[CodeSpec] = field(default_factory=list)


def export_codebook(tree: list[tuple[object, int]]) -> bytes:
    """The codebook (codes with their depth, parents first) as a ``.qdc`` document."""
    ET.register_namespace("", NS)
    root = ET.Element(f"{_Q}CodeBook", {"origin": "inquiry_hub"})
    codes = ET.SubElement(root, f"{_Q}Codes")
    elements: dict[int, ET.Element] = {}
    for code, _depth in tree:
        parent = elements.get(code.parent_id, codes)
        attrs = {"guid": code.guid, "name": code.name, "isCodable": "true"}
        if COLOUR.match(code.colour or ""):
            attrs["color"] = code.colour.upper()
        element = ET.SubElement(parent, f"{_Q}Code", attrs)
        text = "\n\n".join(
            part for part in (code.description, code.example and f"Example: {code.example}") if part
        )
        if text:
            ET.SubElement(element, f"{_Q}Description").text = text
        elements[code.id] = element
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _read_code(element: ET.Element) -> CodeSpec:
    guid, name = element.get("guid", ""), (element.get("name") or "").strip()
    if not GUID.match(guid):
        raise RefiError(_l("A code has no valid guid attribute."))
    if not name:
        raise RefiError(_l("A code has no name."))
    if element.get("isCodable") not in ("true", "false", "1", "0"):
        raise RefiError(_l("The code “%(name)s” has no valid isCodable attribute.", name=name))
    colour = element.get("color") or ""
    description = element.find(f"{_Q}Description")
    return CodeSpec(
        guid=guid.lower(),
        name=name[:120],
        colour=colour.lower() if COLOUR.match(colour) else "#ffd966",
        description=(description.text or "").strip() if description is not None else "",
        children=[_read_code(child) for child in element.findall(f"{_Q}Code")],
    )


def parse_codebook(data: bytes) -> list[CodeSpec]:
    """The top-level codes of a ``.qdc`` document; raises RefiError on anything malformed."""
    if len(data) > MAX_BYTES:
        raise RefiError(_l("The file is too large for a codebook."))
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        # No document type: it is where XML entity attacks live, and REFI-QDA needs none.
        raise RefiError(_l("The file declares a document type; a REFI-QDA codebook has none."))
    try:
        root = ET.fromstring(data)
    except ET.ParseError:
        raise RefiError(_l("The file is not well-formed XML.")) from None
    if root.tag != f"{_Q}CodeBook":
        raise RefiError(_l("The file is not a REFI-QDA codebook (CodeBook in urn:QDA-XML:codebook:1.0)."))
    codes = root.find(f"{_Q}Codes")
    if codes is None:
        raise RefiError(_l("The codebook has no Codes element."))
    try:
        specs = [_read_code(child) for child in codes.findall(f"{_Q}Code")]
    except RecursionError:  # codes nested thousands deep: no codebook is, an attack may be
        raise RefiError(_l("The codes are nested too deeply.")) from None
    guids = [g for spec in specs for g in _guids(spec)]
    if len(guids) != len(set(guids)):
        raise RefiError(_l("Two codes share the same guid."))
    return specs


def _guids(spec: CodeSpec) -> list[str]:
    return [spec.guid] + [g for child in spec.children for g in _guids(child)]


def new_guid() -> str:
    """A fresh REFI-QDA guid."""
    return str(uuid.uuid4())
