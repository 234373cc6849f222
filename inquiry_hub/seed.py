"""Demo data of CONTRACT.md, and generated inquiries for benchmarks (``--scale``)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from inquiry_hub import policy
from inquiry_hub.accounts import services as accounts
from inquiry_hub.accounts.models import User
from inquiry_hub.db import Base, utcnow
from inquiry_hub.extensions import db
from inquiry_hub.governance import engine
from inquiry_hub.governance.models import Stance
from inquiry_hub.inquiries import services as inquiries
from inquiry_hub.inquiries.models import Cohort, Inquiry, Organisation

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
    from inquiry_hub.accounts.passwords import hash_password

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


def seed_scale(n: int) -> None:
    """N generated inquiries of realistic membership, for benchmarks; rooms extend this."""
    from inquiry_hub.accounts.passwords import hash_password

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
        for j in range(4):
            student = _user(f"student{i}-{j}@scale.example", f"Étudiant·e {i}-{j}", "fr", password_hash)
            inquiries.add_member(inquiry, student, policy.Role.STUDENT)
        tutor = _user(f"tutor{i % 5}@scale.example", f"Tuteur·rice {i % 5}", "fr", password_hash)
        inquiries.add_member(inquiry, tutor, policy.Role.TUTOR)
        partner = _user(f"partner{i}@scale.example", f"Partenaire {i}", "fr", password_hash)
        inquiries.add_member(inquiry, partner, policy.Role.PARTNER)
    db.session.flush()
