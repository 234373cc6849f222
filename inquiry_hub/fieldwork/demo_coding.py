"""Demo coding: a two-level codebook of 16 codes, excerpts by several students, memos, one note coded blind."""

from __future__ import annotations

import re

from sqlalchemy import select

from inquiry_hub.extensions import db
from inquiry_hub.fieldwork.models import Interview, Note
from inquiry_hub.fieldwork.services import coding

#: (parent, colour, definition, [(child, keywords that suggest it)]).
CODEBOOK = [
    (
        "Parcours d'entrée",
        "#4e79a7",
        "Comment la personne est arrivée dans la structure. Exclure : les raisons de rester (→ Engagement).",
        [
            ("Orientation institutionnelle", r"pôle emploi|orient|prescri"),
            ("Reconversion", r"avant|reconver|carrière"),
            ("Réseau personnel", r"ami|voisin|connaiss"),
        ],
    ),
    (
        "Participation",
        "#f28e2b",
        "Prendre part aux décisions. Inclure : instances, prises de parole. Exclure : simple présence.",
        [
            ("Instances formelles", r"assembl|conseil|\bca\b|réunion|instance"),
            ("Prise de parole", r"avis|parle|écout"),
            ("Silence et retrait", r"tais|silence|n'ose"),
        ],
    ),
    (
        "Rapport au travail",
        "#59a14f",
        "Ce que le travail apporte ou coûte. Exclure : l'engagement bénévole.",
        [
            ("Salaire et contrat", r"salaire|contrat|paie"),
            ("Sens du travail", r"sens|utile|fier"),
            ("Conditions de travail", r"fatigu|horaire|planning"),
        ],
    ),
    (
        "Engagement",
        "#e15759",
        "Les formes d'engagement dans la durée. Inclure : bénévolat, militantisme, départs.",
        [
            ("Bénévolat", r"bénévol"),
            ("Militantisme", r"milit|cause|politique"),
            ("Départ et désengagement", r"partir|quitt|départ"),
        ],
    ),
]


def seed(inquiry, students: list) -> None:
    """Codebook, excerpts, memos and a blind double coding for one demo inquiry."""
    leaves = []
    for name, colour, description, children in CODEBOOK:
        parent = coding.create_code(inquiry, students[0], name=name, colour=colour, description=description)
        for child, pattern in children:
            code = coding.create_code(
                inquiry, students[len(leaves) % len(students)], name=child, colour=colour, parent=parent
            )
            leaves.append((code, re.compile(pattern, re.IGNORECASE)))
    notes = list(
        db.session.scalars(
            select(Note)
            .outerjoin(Interview)
            .where(Note.inquiry_id == inquiry.id, Interview.purged_at.is_(None))
            .order_by(Note.id)
        )
    )
    blind_note = next((n for n in notes if n.kind == "transcript"), None)
    first = None
    for index, note in enumerate(notes):
        coders = students[:2] if note is blind_note else [students[index % len(students)]]
        for turn, coder in enumerate(coders):
            if note is blind_note:
                coding.set_blind(note, coder, True)
            for number, (start, end) in enumerate(coding.paragraphs(note.body)):
                found = [code.id for code, pattern in leaves if pattern.search(note.body[start:end])]
                if turn and found and number % 2:
                    found = found[:-1] or [leaves[(number + 3) % len(leaves)][0].id]
                if found:
                    excerpt = coding.code_span(note, coder, start, end, found)
                    first = first or excerpt
    coding.create_memo(
        inquiry,
        students[0],
        title="Qui parle en assemblée ?",
        body="Les salarié·es en insertion se taisent en AG alors qu'ils parlent en conseil des salarié·es : "
        "à croiser avec le statut (matrice code × statut).",
        code=leaves[5][0],
    )
    if first is not None:
        coding.create_memo(
            inquiry,
            students[1 % len(students)],
            title="Le contrat d'abord",
            body="Entrée par le contrat, puis bascule.",
            excerpt=first,
        )
    coding.create_memo(
        inquiry,
        students[-1],
        title="Piste transversale : la reconnaissance",
        body="La reconnaissance revient dans presque tous les entretiens, sous des formes différentes.",
    )
