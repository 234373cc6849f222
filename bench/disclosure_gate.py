"""The disclosure gate's cost: model load (time, memory) and a check of a 30-page report.

    .venv/bin/python bench/disclosure_gate.py

Builds an inquiry on a throw-away SQLite database (20 interviews with vault identities), a
report of about 15,000 words of French prose (30 pages of 500 words, in ~150 paragraphs,
with pseudonyms, places and organisations), then times ``disclosure.check`` on it: cold (no
paragraph seen before) and warm (the execution-time re-check of a proposal). Prints a
Markdown table for bench/RESULTS.md.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

WORDS = [
    "la",
    "coopérative",
    "accueille",
    "chaque",
    "semaine",
    "des",
    "bénévoles",
    "qui",
    "cultivent",
    "ensemble",
    "les",
    "parcelles",
    "du",
    "quartier",
    "selon",
    "les",
    "entretiens",
    "les",
    "réunions",
    "mensuelles",
    "permettent",
    "de",
    "décider",
    "des",
    "priorités",
    "et",
    "de",
    "répartir",
    "le",
    "travail",
    "entre",
    "anciens",
    "et",
    "nouveaux",
    "venus",
    "le",
    "conseil",
    "d'administration",
    "discute",
    "budget",
    "subventions",
    "adhésions",
    "compost",
    "semences",
    "outils",
    "partage",
    "transmission",
    "engagement",
    "militant",
    "salarié",
    "association",
    "économie",
    "sociale",
    "solidaire",
    "gouvernance",
    "assemblée",
    "générale",
    "vote",
]
CAPITALISED = [
    "Lyon",
    "Villeurbanne",
    "France Active",
    "la Métropole",
    "l'ADEME",
    "Les Jardins du Lien",
    "Région",
]


def report(rng: random.Random, words: int = 15_000) -> str:
    paragraphs, count = [], 0
    while count < words:
        sentences = []
        for _ in range(rng.randint(4, 7)):
            body = [rng.choice(WORDS) for _ in range(rng.randint(10, 20))]
            if rng.random() < 0.4:
                body.insert(rng.randrange(len(body)), rng.choice(CAPITALISED))
            if rng.random() < 0.3:
                body.insert(rng.randrange(len(body)), f"E{rng.randint(1, 20):02d}")
            sentence = " ".join(body)
            sentences.append(sentence[0].upper() + sentence[1:] + ".")
        paragraph = " ".join(sentences)
        count += len(paragraph.split())
        paragraphs.append(paragraph)
    return "\n\n".join(paragraphs)


def main() -> None:
    from inquiry_hub import create_app
    from inquiry_hub.extensions import db

    folder = tempfile.mkdtemp()
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.sqlite3"})
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        from inquiry_hub.accounts import services as accounts
        from inquiry_hub.fieldwork import disclosure
        from inquiry_hub.fieldwork import services as fieldwork
        from inquiry_hub.inquiries import services as inquiries
        from inquiry_hub.inquiries.models import Cohort, Organisation

        student = accounts.create_user("bench@example.org", "Bench Student", "a-long-bench-password")
        cohort = Cohort(name="Bench", starts_on=date(2026, 9, 1), ends_on=date(2027, 8, 31))
        organisation = Organisation(name="Bench org", legal_form="association")
        db.session.add_all([cohort, organisation])
        inquiry = inquiries.create_inquiry(
            title="Bench",
            question="?",
            organisation=organisation,
            cohort=cohort,
            starts_on=date(2026, 10, 1),
            ends_on=date(2027, 6, 30),
        )
        inquiries.add_member(inquiry, student, "student")
        rng = random.Random(2026)
        for n in range(1, 21):
            interview = fieldwork.create_interview(inquiry, student, {"pseudonym": f"E{n:02d}"})
            fieldwork.set_identity(interview, student, f"Prénom{n} Nom{n}", "", f"Surnom{n}")
        db.session.commit()
        text = report(rng)
        pieces = [disclosure.Piece("Version 1", text)]
        words, paragraphs = len(text.split()), len(disclosure.paragraphs(text))

        start = time.perf_counter()
        disclosure.nlp()
        load = time.perf_counter() - start
        start, cpu = time.perf_counter(), time.process_time()
        verdict = disclosure.check(inquiry, pieces)
        cold, cold_cpu = time.perf_counter() - start, time.process_time() - cpu
        warm = []
        for _ in range(5):
            start = time.perf_counter()
            disclosure.check(inquiry, pieces)
            warm.append(time.perf_counter() - start)
        vault_only = []
        for _ in range(5):
            start = time.perf_counter()
            disclosure.check(inquiry, pieces, persons_too=False)
            vault_only.append(time.perf_counter() - start)
        print(f"report: {words} words, {paragraphs} paragraphs; findings: {len(verdict.findings)}")
        print("| measure | value |\n|---|---|")
        print(
            f"| model load (first use in a process) | {load:.2f} s (spaCy's own: {disclosure.MODEL_LOAD['seconds']:.2f} s) |"
        )
        print(f"| resident memory added by the model | {disclosure.MODEL_LOAD['rss_mib']:.0f} MiB |")
        print(
            f"| check of the report, cold (every sentence new) | {cold * 1000:.0f} ms ({cold_cpu * 1000:.0f} ms CPU) |"
        )
        print(f"| check of the report, warm (median of 5) | {statistics.median(warm) * 1000:.0f} ms |")
        print(f"| load average while measuring | {os.getloadavg()[0]:.1f} (2 cores) |")
        print(
            f"| vault names and consent only (median of 5) | {statistics.median(vault_only) * 1000:.0f} ms |"
        )


if __name__ == "__main__":
    main()
