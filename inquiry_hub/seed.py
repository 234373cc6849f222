"""Demo data of CONTRACT.md, and generated inquiries for benchmarks (``--scale``)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from inquiry_hub import policy
from inquiry_hub.accounts import services as accounts
from inquiry_hub.accounts.models import User
from inquiry_hub.accounts.passwords import hash_password
from inquiry_hub.db import Base, utcnow
from inquiry_hub.deliverables import services as deliverables
from inquiry_hub.deliverables.demo import scale_deliverables
from inquiry_hub.deliverables.models import Deliverable
from inquiry_hub.extensions import db
from inquiry_hub.fieldwork import demo as fieldwork_demo
from inquiry_hub.fieldwork.demo_scale import scale_fieldwork
from inquiry_hub.fieldwork.models import Interview
from inquiry_hub.governance.demo import scale_governance
from inquiry_hub.governance.services import commission, decisions, logbook, meetings
from inquiry_hub.inquiries import engine
from inquiry_hub.inquiries import services as inquiries
from inquiry_hub.inquiries.models import Cohort, Inquiry, Organisation, Stance
from inquiry_hub.tasks import demo as tasks_demo
from inquiry_hub.tasks.demo import scale_tasks
from inquiry_hub.tasks.models import Task

DEMO_PASSWORD = "demo-pass-2026"

PEOPLE = [
    ("admin@demo.example", "Admin Programme", None),
    ("alice@demo.example", "Alice Martin", "fr"),
    ("bruno@demo.example", "Bruno Lefèvre", "fr"),
    ("chloe@demo.example", "Chloé Nguyen", "fr"),
    ("david@demo.example", "David Moreau", "fr"),
    ("emma@demo.example", "Emma Girard", "fr"),
    ("farid@demo.example", "Farid Benali", "fr"),
    ("tutor@demo.example", "Hélène Tutrice", "fr"),
    ("partner-a@demo.example", "Paul Jardins", "fr"),
    ("partner-b@demo.example", "Inès Énergie", "fr"),
]

INQUIRIES = [
    {
        "title": "Les Jardins du Lien",
        "organisation": ("Les Jardins du Lien", "association", "Insertion par l'activité économique", "Lyon"),
        "question": (
            "Comment les salarié·es en insertion et les bénévoles des jardins partagés "
            "vivent-ils la gouvernance associative ?\n\n"
            "- Quelle place pour les salarié·es en insertion dans les instances ?\n"
            "- Qu'est-ce qui fait tenir l'engagement bénévole dans la durée ?"
        ),
        "students": ["alice", "bruno", "chloe"],
        "partner": "partner-a",
    },
    {
        "title": "Énergie Citoyenne",
        "organisation": ("Énergie Citoyenne SCIC", "scic", "Énergies renouvelables", "Grenoble"),
        "question": (
            "Comment une coopérative d'énergie renouvelable associe-t-elle ses sociétaires "
            "aux décisions d'investissement ?\n\n"
            "- Qui vient aux assemblées générales, et pourquoi ?\n"
            "- Comment les collèges de sociétaires pèsent-ils sur les choix ?"
        ),
        "students": ["david", "emma", "farid"],
        "partner": "partner-b",
    },
]


def wipe() -> None:
    """Delete every row, children first."""
    for table in reversed(Base.metadata.sorted_tables):
        db.session.execute(table.delete())
    db.session.flush()


def _user(email: str, name: str, locale: str | None, password_hash: str) -> User:
    user = accounts.find_user(email)
    if user is None:
        user = User(email=email, name=name, locale=locale, password_hash=password_hash)
        db.session.add(user)
        db.session.flush()
    return user


def seed_demo() -> bool:
    """Create the demo data; False when it is already there."""
    if db.session.scalar(select(Inquiry).where(Inquiry.title == INQUIRIES[0]["title"])):
        return False
    password_hash = hash_password(DEMO_PASSWORD)  # hashed once: argon2 is slow on purpose
    users = {email.split("@")[0]: _user(email, name, locale, password_hash) for email, name, locale in PEOPLE}
    users["admin"].is_admin = True

    today = date.today()
    year = today.year if today.month >= 9 else today.year - 1
    cohort = db.session.scalar(select(Cohort).where(Cohort.name == f"{year}-{year + 1}"))
    if cohort is None:
        cohort = Cohort(name=f"{year}-{year + 1}", starts_on=date(year, 9, 1), ends_on=date(year + 1, 8, 31))
        db.session.add(cohort)

    for spec in INQUIRIES:
        name, legal_form, sector, city = spec["organisation"]
        organisation = db.session.scalar(select(Organisation).where(Organisation.name == name))
        if organisation is None:
            organisation = Organisation(name=name, legal_form=legal_form, sector=sector, city=city)
            db.session.add(organisation)
        inquiry = inquiries.create_inquiry(
            title=spec["title"],
            question=spec["question"],
            organisation=organisation,
            cohort=cohort,
            starts_on=date(year, 10, 1),
            ends_on=date(year + 1, 6, 30),
            actor=users["admin"],
        )
        for student in spec["students"]:
            inquiries.add_member(inquiry, users[student], policy.Role.STUDENT, actor=users["admin"])
        inquiries.add_member(inquiry, users["tutor"], policy.Role.TUTOR, actor=users["admin"])
        inquiries.add_member(inquiry, users[spec["partner"]], policy.Role.PARTNER, actor=users["admin"])
        _seed_decisions(inquiry, [users[s] for s in spec["students"]])
        _seed_meetings(inquiry, [users[s] for s in spec["students"]], users["tutor"])
        _seed_logbook(inquiry, [users[s] for s in spec["students"]], users["tutor"])
        tasks_demo.seed_board(
            inquiry, [users[s] for s in spec["students"]], users[spec["partner"]], INQUIRIES.index(spec)
        )
        # Interviews in every status, consent of every kind, one withdrawal, vault entries.
        fieldwork_demo.seed(inquiry, [users[s] for s in spec["students"]], INQUIRIES.index(spec))
        _seed_deliverables(
            inquiry, [users[s] for s in spec["students"]], users["tutor"], users[spec["partner"]]
        )
        _seed_question_links(inquiry)
    db.session.flush()
    return True


def _seed_decisions(inquiry, students) -> None:
    first, second, third = students
    # An open consent proposal with one position still missing.
    proposal = engine.start(
        inquiry,
        first,
        "members.invite",
        {"email": f"co-tutor.{inquiry.id}@demo.example", "role": str(policy.Role.TUTOR)},
    )
    engine.take_position(proposal, second, Stance.ABSTAIN, "")
    # A free proposal the team already decided.
    decided = engine.open_free_proposal(
        inquiry,
        second,
        "Entretiens en binôme pendant le premier mois",
        "Chaque entretien du premier mois est mené à deux, pour apprendre ensemble.",
        "consent",
        utcnow() - timedelta(days=3),
    )
    engine.take_position(decided, third, Stance.AGREE, "")
    engine.settle(decided)
    decisions.write_outcome(decided, second, "Adopté : binômes tirés au sort chaque lundi.")
    # An open consent proposal with mixed positions.
    mixed = decisions.open_proposal(
        inquiry,
        third,
        title="Tenir le carnet de bord chaque vendredi",
        body="Une entrée partagée par semaine, rédigée à tour de rôle.",
        kind="consent",
        deadline=utcnow() + timedelta(hours=30),
    )
    engine.take_position(mixed, first, Stance.AGREE, "")
    engine.take_position(mixed, second, Stance.DISAGREE, "Le vendredi est notre jour de terrain.")
    decisions.add_comment(mixed, second, "Et le jeudi soir ?")
    # A blocked one.
    blocked = decisions.open_proposal(
        inquiry,
        first,
        title="Enregistrer toutes les réunions d'équipe",
        body="Pour ne rien perdre des échanges.",
        kind="consent",
        deadline=utcnow() + timedelta(days=2),
    )
    engine.take_position(
        blocked, third, Stance.BLOCK, "Nous parlerions moins librement ; le compte rendu suffit."
    )
    # The commission as agreed at the start: the brief both sides see.
    brief = {
        "research_questions": inquiry.question,
        "scope": "Les membres, salarié·es et bénévoles de la structure ; les instances de gouvernance.",
        "schedule": "- Cadrage : octobre\n- Terrain : novembre à février\n- Restitution : juin",
        "deliverables": "- Une note de cadrage\n- Un rapport d'enquête\n- Une restitution orale",
    }
    note = "Version signée avec le partenaire"
    commission.apply_amendment(inquiry, commission.amendment_payload(brief, note, 0), first)


#: (days ago, title, kind, agenda, minutes)
DEMO_MEETINGS = [
    (
        42,
        "Réunion de lancement",
        "team",
        ["Lecture de la commande", "Répartition des lectures", "Calendrier"],
        "## Décisions\n- Lire la convention avant vendredi.\n\n## Actions\n- [ ] Écrire au partenaire\n",
    ),
    (
        35,
        "Comité de suivi avec le partenaire",
        "joint",
        ["Présentation de l'équipe", "Questions de recherche", "Accès au terrain"],
        "Le partenaire facilite les premiers contacts.\n\n- [ ] Envoyer la note de cadrage\n",
    ),
    (
        28,
        "Séance de tutorat",
        "with_tutor",
        ["Grille d'entretien", "Éthique"],
        "Relire la grille avec la tutrice.",
    ),
    (
        21,
        "Point d'équipe",
        "team",
        ["Tour de météo", "Premiers entretiens"],
        "- [ ] Transcrire l'entretien 1\n- [ ] Relancer les bénévoles\n",
    ),
    (14, "Point d'équipe", "team", ["Codage", "Carnet de bord"], "Premier codage à trois."),
    (7, "Point d'équipe", "team", ["Restitution intermédiaire"], "Préparer deux dates pour le partenaire."),
    (-3, "Point d'équipe", "team", ["Bilan du mois"], ""),
]


def _seed_meetings(inquiry, students, tutor) -> None:
    """Past meetings with minutes and rotating roles; the joint one is published."""
    now = utcnow().replace(hour=17, minute=30, second=0, microsecond=0)
    for days, title, kind, agenda, minutes in DEMO_MEETINGS:
        meeting = meetings.create_meeting(
            inquiry,
            students[0],
            title=title,
            held_at=now - timedelta(days=days),
            place="Salle B12, campus" if kind != "joint" else "Locaux du partenaire",
            kind="team" if kind == "joint" else kind,
            agenda=agenda,
        )
        if kind == "joint":
            # The demo team agreed to it: seeded as the carried-out collective action.
            meetings.make_joint_action(inquiry, {"meeting_id": meeting.id}, students[0])
        if minutes:
            meetings.save_minutes(meeting, meeting.secretary or students[0], minutes, 0)
            people = [*students, tutor] if kind == "with_tutor" else students
            meetings.set_attendance(meeting, students[0], [u.id for u in people])
        if kind == "joint":
            payload = {"meeting_id": meeting.id, "version": meeting.minutes_version}
            meetings.publish_minutes_action(inquiry, payload, students[0])


def _seed_logbook(inquiry, students, tutor) -> None:
    """Shared entries (one commented by the tutor) and a personal one."""
    today = date.today()
    shared = logbook.write_entry(
        inquiry,
        students[0],
        written_on=today - timedelta(days=20),
        title="Premier entretien : ce que notre posture change",
        body="Arriver à deux a rassuré la personne, mais j'ai trop relancé.",
        personal=False,
    )
    logbook.add_comment(shared, tutor, "Bonne remarque : notez aussi vos relances dans la grille.")
    logbook.write_entry(
        inquiry,
        students[1],
        written_on=today - timedelta(days=10),
        title="Notre façon de décider",
        body="Le consentement nous oblige à expliciter nos désaccords.",
        personal=False,
    )
    logbook.write_entry(
        inquiry,
        students[2],
        written_on=today - timedelta(days=5),
        title="Doutes personnels",
        body="Je me sens moins à l'aise avec les salarié·es qu'avec les bénévoles.",
        personal=True,
    )


#: (title, column, due in days from today or None, assignees, labels, phase, checklist, comments)
#: Assignees and comment authors are indexes into the inquiry's students; "P" is the partner.


def _seed_deliverables(inquiry, students, tutor, partner) -> None:
    """A framing note approved by the partner; a report in two versions, the second under review."""
    start = inquiry.starts_on
    note = deliverables.create_deliverable(
        inquiry,
        students[0],
        title="Note de cadrage",
        kind="framing_note",
        due_on=start + timedelta(days=30),
        phase="framing",
    )
    v1 = deliverables.add_text_version(
        note,
        students[0],
        "# Note de cadrage\n\nQuestion de recherche, terrain envisagé, calendrier et méthode.\n",
        "Première version",
    )
    deliverables.add_review(v1, tutor, "internal", "ready", "Clair et précis, prêt à partager.")
    deliverables.share_action(inquiry, {"version_id": v1.id}, students[0])
    deliverables.add_review(v1, partner, "external", "approve", "Nous validons ce cadrage.")
    report = deliverables.create_deliverable(
        inquiry,
        students[1 % len(students)],
        title="Rapport final",
        kind="final_report",
        due_on=inquiry.ends_on - timedelta(days=20),
        phase="restitution",
    )
    deliverables.add_text_version(
        report,
        students[1 % len(students)],
        "# Rapport final\n\n## Introduction\n\nPremier jet du rapport.\n",
        "Premier jet",
    )
    v2 = deliverables.add_text_version(
        report,
        students[0],
        "# Rapport final\n\n## Introduction\n\nVersion complète, avec les résultats et les recommandations.\n",
        "Résultats et recommandations ajoutés",
    )
    deliverables.add_review(v2, tutor, "internal", "ready", "Bonne version, à partager.")
    deliverables.share_action(inquiry, {"version_id": v2.id}, students[0])


def _seed_question_links(inquiry) -> None:
    """Interviews, a few tasks and the deliverables say which research question they serve."""
    questions = commission.questions(inquiry)
    if not questions:
        return
    # The sub-questions (after the main one) are what interviews and tasks are planned around.
    detailed = questions[1:] or questions

    def by_id(model):
        return select(model).where(model.inquiry_id == inquiry.id).order_by(model.id)

    for n, interview in enumerate(db.session.scalars(by_id(Interview))):
        interview.research_question_id = detailed[n % len(detailed)].id
    for n, task in enumerate(db.session.scalars(by_id(Task).limit(2 * len(detailed)))):
        task.research_question_id = detailed[n % len(detailed)].id
    for deliverable in db.session.scalars(by_id(Deliverable)):
        deliverable.research_question_id = questions[0].id
    db.session.flush()


def seed_scale(n: int, seed: int = 2026) -> None:
    """N generated inquiries of programme size, for benchmarks: each room writes its share in bulk.

    Per inquiry: 4 students, a tutor and a partner; 500 tasks; 60 interviews with two notes of
    about 2,000 words; 40 codes and 1,000 excerpts; 10 deliverables of 3 versions; 30 meetings
    and 20 proposals. Deterministic for a given ``seed``.
    """
    import random

    rng = random.Random(seed)
    password_hash = hash_password(DEMO_PASSWORD)
    cohort = db.session.scalars(select(Cohort).order_by(Cohort.id.desc())).first()
    start = db.session.scalar(select(db.func.count(Inquiry.id)))
    for i in range(start, start + n):
        organisation = Organisation(name=f"Organisation {i}", legal_form="association", sector="", city="")
        db.session.add(organisation)
        inquiry = inquiries.create_inquiry(
            title=f"Enquête {i}",
            question="Question de recherche générée.",
            organisation=organisation,
            cohort=cohort,
            starts_on=cohort.starts_on + timedelta(days=30),
            ends_on=cohort.ends_on - timedelta(days=60),
        )
        students = []
        for j in range(4):
            student = _user(f"student{i}-{j}@scale.example", f"Étudiant·e {i}-{j}", "fr", password_hash)
            inquiries.add_member(inquiry, student, policy.Role.STUDENT)
            students.append(student)
        tutor = _user(f"tutor{i % 5}@scale.example", f"Tuteur·rice {i % 5}", "fr", password_hash)
        inquiries.add_member(inquiry, tutor, policy.Role.TUTOR)
        partner = _user(f"partner{i}@scale.example", f"Partenaire {i}", "fr", password_hash)
        inquiries.add_member(inquiry, partner, policy.Role.PARTNER)
        scale_tasks(inquiry, students, rng)
        scale_fieldwork(inquiry, students, rng)
        scale_deliverables(inquiry, students, tutor, partner, rng)
        scale_governance(inquiry, students, tutor, rng)
        db.session.flush()
