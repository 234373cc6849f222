"""Generated meetings and proposals for ``seed-demo --scale``, written with bulk inserts."""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import insert

from inquiry_hub.db import utcnow
from inquiry_hub.extensions import db
from inquiry_hub.governance.models import AgendaItem, Meeting, MeetingKind, MinutesRevision, meeting_attendees
from inquiry_hub.inquiries.models import Position, Proposal, ProposalStatus, Stance

AGENDA = (
    "Tour de météo",
    "Avancement des entretiens",
    "Codage",
    "Carnet de bord",
    "Calendrier des rendus",
    "Questions au partenaire",
)
PROPOSALS = (
    "Entretiens en binôme le premier mois",
    "Un carnet de bord partagé chaque vendredi",
    "Relire à deux chaque transcription",
    "Présenter la synthèse aux adhérent·es",
    "Changer de secrétaire à chaque réunion",
)


def scale_governance(
    inquiry, students: list, tutor, rng: random.Random, meetings: int = 30, proposals: int = 20
) -> None:
    """Weekly meetings (past ones with minutes) and proposals, mostly decided."""
    now = utcnow().replace(hour=17, minute=30, second=0, microsecond=0)
    kinds = [MeetingKind.TEAM] * 3 + [MeetingKind.WITH_TUTOR, MeetingKind.JOINT]
    rows = []
    for n in range(meetings):
        held_at = now - timedelta(days=7 * (meetings - n) - 21)
        past = held_at < now
        kind = kinds[n % len(kinds)]
        rotation = [students[(n + k) % len(students)].id for k in range(3)]
        rows.append(
            {
                "inquiry_id": inquiry.id,
                "title": "Comité de suivi" if kind == MeetingKind.JOINT else f"Point d'équipe n° {n + 1}",
                "held_at": held_at,
                "place": "Locaux du partenaire" if kind == MeetingKind.JOINT else "Salle B12, campus",
                "kind": kind,
                "minutes": "## Décisions\n- Continuer les entretiens.\n\n## Actions\n- [ ] Relancer les bénévoles\n"
                if past
                else "",
                "minutes_version": 1 if past else 0,
                "published_version": 1 if past and kind == MeetingKind.JOINT else None,
                "facilitator_id": rotation[0],
                "secretary_id": rotation[1],
                "timekeeper_id": rotation[2],
                "action_tasks": {},
                "created_by_id": rotation[0],
                "created_at": held_at - timedelta(days=5),
            }
        )
    ids = db.session.scalars(insert(Meeting).returning(Meeting.id, sort_by_parameter_order=True), rows).all()
    agenda, attendees, revisions = [], [], []
    for meeting_id, row in zip(ids, rows, strict=True):
        for position, title in enumerate(rng.sample(AGENDA, 3)):
            agenda.append({"meeting_id": meeting_id, "position": position, "title": title})
        if row["minutes"]:
            revisions.append(
                {
                    "meeting_id": meeting_id,
                    "version": 1,
                    "body": row["minutes"],
                    "author_id": row["secretary_id"],
                    "created_at": row["held_at"] + timedelta(hours=2),
                }
            )
            people = [*students, tutor] if row["kind"] == MeetingKind.WITH_TUTOR else students
            attendees.extend({"meeting_id": meeting_id, "user_id": u.id} for u in people)
    db.session.execute(insert(AgendaItem), agenda)
    if attendees:
        db.session.execute(insert(meeting_attendees), attendees)
    if revisions:
        db.session.execute(insert(MinutesRevision), revisions)

    rows = []
    for n in range(proposals):
        created = now - timedelta(days=5 * (proposals - n))
        is_open = n >= proposals - 3
        rows.append(
            {
                "inquiry_id": inquiry.id,
                "author_id": students[n % len(students)].id,
                "title": f"{PROPOSALS[n % len(PROPOSALS)]} ({n + 1})",
                "body": "Proposé en réunion d'équipe ; à décider avant la date limite.",
                "kind": rng.choice(("consent", "consent", "majority", "advice")),
                "action": None,
                "payload": {},
                "status": ProposalStatus.OPEN
                if is_open
                else rng.choice((ProposalStatus.PASSED,) * 4 + (ProposalStatus.REJECTED,)),
                "deadline": now + timedelta(days=2) if is_open else created + timedelta(days=2),
                "created_at": created,
                "closed_at": None if is_open else created + timedelta(days=2),
                "outcome": "" if is_open else "Décidé en réunion.",
                "hide_positions": False,
            }
        )
    ids = db.session.scalars(
        insert(Proposal).returning(Proposal.id, sort_by_parameter_order=True), rows
    ).all()
    positions = [
        {
            "proposal_id": proposal_id,
            "user_id": student.id,
            "stance": rng.choice((Stance.AGREE,) * 4 + (Stance.ABSTAIN,)),
            "reason": "",
            "created_at": row["created_at"] + timedelta(hours=k + 1),
            "updated_at": row["created_at"] + timedelta(hours=k + 1),
        }
        for proposal_id, row in zip(ids, rows, strict=True)
        for k, student in enumerate(students)
        if row["status"] != ProposalStatus.OPEN or k < len(students) - 1
    ]
    db.session.execute(insert(Position), positions)
