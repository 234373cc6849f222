"""Generated deliverables for ``seed-demo --scale``: versions (a stored PDF, then Markdown), reviews."""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import insert

from inquiry_hub.db import utcnow
from inquiry_hub.deliverables.models import Deliverable, Kind, Review, Status, Version
from inquiry_hub.extensions import db
from inquiry_hub.storage import get_storage

TITLES = (
    ("Note de cadrage", Kind.FRAMING_NOTE, "framing"),
    ("Grille d'entretien commentée", Kind.OTHER, "fieldwork"),
    ("Synthèse intermédiaire", Kind.INTERIM_SYNTHESIS, "analysis"),
    ("Rapport d'étape", Kind.OTHER, "fieldwork"),
    ("Rapport final", Kind.FINAL_REPORT, "restitution"),
    ("Support de restitution", Kind.RESTITUTION_SLIDES, "restitution"),
    ("Synthèse pour les adhérent·es", Kind.MEMBERS_SUMMARY, "restitution"),
    ("Bibliographie commentée", Kind.OTHER, "framing"),
    ("Plan d'analyse", Kind.OTHER, "analysis"),
    ("Guide de restitution", Kind.OTHER, "restitution"),
)
#: Status of the n-th deliverable: a mid-year pipeline.
STATUSES = (
    Status.APPROVED,
    Status.APPROVED,
    Status.SHARED,
    Status.CHANGES_REQUESTED,
    Status.INTERNAL_REVIEW,
    Status.INTERNAL_REVIEW,
    Status.DRAFT,
    Status.DRAFT,
    Status.DRAFT,
    Status.DRAFT,
)


def pdf(title: str) -> bytes:
    """A small valid one-page PDF showing ``title`` (ASCII only)."""
    text = title.encode("ascii", "replace").replace(b"(", b"[").replace(b")", b"]")
    stream = b"BT /F1 18 Tf 72 720 Td (" + text + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return out


def scale_deliverables(inquiry, students: list, tutor, partner, rng: random.Random, count: int = 10) -> None:
    """``count`` deliverables of three versions each: a stored PDF, then two Markdown texts."""
    now = utcnow()
    storage = get_storage()
    rows = []
    for n in range(count):
        title, kind, phase = TITLES[n % len(TITLES)]
        status = STATUSES[n % len(STATUSES)]
        rows.append(
            {
                "inquiry_id": inquiry.id,
                "title": title if n < len(TITLES) else f"{title} {n // len(TITLES) + 1}",
                "kind": kind,
                "due_on": inquiry.starts_on + timedelta(days=30 + 20 * n),
                "phase": phase,
                "status": status,
                "shared_with_partner": status in (Status.APPROVED, Status.SHARED, Status.CHANGES_REQUESTED),
                "created_by_id": students[n % len(students)].id,
                "created_at": now - timedelta(days=100 - 5 * n),
                "updated_at": now - timedelta(days=40 - 3 * n),
            }
        )
    ids = db.session.scalars(
        insert(Deliverable).returning(Deliverable.id, sort_by_parameter_order=True), rows
    ).all()
    versions = []
    for deliverable_id, row in zip(ids, rows, strict=True):
        data = pdf(f"{row['title']} - {inquiry.title.encode('ascii', 'replace').decode()}")
        for number in (1, 2, 3):
            values = {
                "inquiry_id": inquiry.id,
                "deliverable_id": deliverable_id,
                "number": number,
                "author_id": rng.choice(students).id,
                "created_at": row["created_at"] + timedelta(days=10 * number),
                "changelog": ("Premier jet", "Remarques de la tutrice intégrées", "Version relue")[
                    number - 1
                ],
                "shared_at": row["updated_at"] if number == 3 and row["shared_with_partner"] else None,
                "body": "",
                "sha256": None,
                "filename": "",
                "mimetype": "text/markdown",
                "size": 0,
            }
            if number == 1:
                values.update(
                    sha256=storage.save(data),
                    filename="premier-jet.pdf",
                    mimetype="application/pdf",
                    size=len(data),
                )
            else:
                values["body"] = (
                    f"# {row['title']}\n\n## Introduction\n\nVersion {number} : "
                    "ce que nous avons appris du terrain, et ce qu'il reste à explorer.\n\n"
                    "## Résultats\n\n- La gouvernance partagée demande du temps.\n"
                    "- Les bénévoles anciens et nouveaux ne vivent pas l'engagement de la même façon.\n"
                )
                values["size"] = len(values["body"].encode())
            versions.append(values)
    version_ids = db.session.scalars(
        insert(Version).returning(Version.id, sort_by_parameter_order=True), versions
    ).all()
    reviews = []
    for version_id, version in zip(version_ids, versions, strict=True):
        status = rows[ids.index(version["deliverable_id"])]["status"]
        if version["number"] == 2 or (version["number"] == 3 and status != Status.DRAFT):
            reviews.append(
                {
                    "inquiry_id": inquiry.id,
                    "version_id": version_id,
                    "channel": "internal",
                    "verdict": "ready" if version["number"] == 3 else "needs_work",
                    "body": "Bonne progression ; attention aux citations.",
                    "author_id": tutor.id,
                    "created_at": version["created_at"] + timedelta(days=2),
                }
            )
        if version["shared_at"] is not None and status != Status.SHARED:
            reviews.append(
                {
                    "inquiry_id": inquiry.id,
                    "version_id": version_id,
                    "channel": "external",
                    "verdict": "approve" if status == Status.APPROVED else "changes",
                    "body": "Merci, c'est très clair."
                    if status == Status.APPROVED
                    else "Pouvez-vous préciser ?",
                    "author_id": partner.id,
                    "created_at": version["shared_at"] + timedelta(days=1),
                }
            )
    db.session.execute(insert(Review), reviews)
