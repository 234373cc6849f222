"""Benchmark (not a test): full-text search over 5,000 notes of 2,000 words.

    .venv/bin/python bench/search_notes.py [--notes 5000] [--words 2000] [--queries 200]

Builds a throw-away SQLite database (or uses ``DATABASE_URL``), fills it with generated
French-like notes through the migrations' index, then times ``search.search_notes`` for
random one- and two-word queries and prints the median and 95th percentile.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

#: Content words that queries use; the generator spreads them along a Zipf curve among
#: synthetic words, as in real prose (a few very common words, a long tail of rare ones).
WORDS = [
    "association",
    "coopérative",
    "bénévole",
    "salarié",
    "entreprise",
    "entreprises",
    "assemblée",
    "générale",
    "sociétaire",
    "énergie",
    "jardin",
    "insertion",
    "gouvernance",
    "décision",
    "conseil",
    "administration",
    "collectif",
    "engagement",
    "réunion",
    "vote",
    "parole",
    "adhérent",
    "territoire",
    "commune",
    "financement",
    "subvention",
    "projet",
    "quartier",
    "habitant",
    "solidarité",
    "économie",
    "sociale",
    "mutuelle",
    "syndicat",
    "travail",
    "emploi",
    "formation",
    "parcours",
    "confiance",
    "écoute",
    "place",
    "rôle",
    "responsabilité",
    "bureau",
    "président",
    "trésorière",
    "coordinatrice",
    "le",
    "la",
    "les",
    "des",
    "un",
    "une",
    "et",
    "de",
    "du",
    "en",
    "pour",
    "avec",
    "sur",
    "dans",
    "par",
    "que",
    "qui",
    "ne",
    "pas",
    "plus",
    "très",
    "aussi",
]


SYLLABLES = [
    "ba",
    "be",
    "bi",
    "bo",
    "bu",
    "ca",
    "ce",
    "ci",
    "co",
    "cu",
    "da",
    "de",
    "di",
    "do",
    "du",
    "fa",
    "fe",
    "fi",
    "la",
    "le",
    "li",
    "lo",
    "lu",
    "ma",
    "me",
    "mi",
    "mo",
    "mu",
    "na",
    "ne",
    "ni",
    "no",
    "nu",
    "pa",
    "pe",
    "pi",
    "po",
    "pu",
    "ra",
    "re",
    "ri",
    "ro",
    "ru",
    "sa",
    "se",
    "si",
    "so",
    "su",
    "ta",
    "te",
    "ti",
    "to",
    "tu",
    "va",
    "ve",
    "vi",
    "vo",
]


def vocabulary(rng: random.Random, size: int = 30000) -> tuple[list[str], list[float]]:
    """Words and Zipf weights: stop words first, content words spread over ranks 50-3000."""
    synthetic = {"".join(rng.choices(SYLLABLES, k=rng.randint(2, 4))) for _ in range(size)}
    ranked = sorted(synthetic)
    rng.shuffle(ranked)
    content = WORDS[:-22]
    stop = WORDS[-22:]
    for word in content:
        ranked.insert(rng.randint(50, 3000), word)
    ranked = stop + ranked
    return ranked, [1 / (rank + 1) for rank in range(len(ranked))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--notes", type=int, default=5000)
    parser.add_argument("--words", type=int, default=2000)
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()

    tmp = tempfile.mkdtemp()
    url = os.environ.get("DATABASE_URL", f"sqlite:///{tmp}/bench.sqlite3")
    from flask_migrate import upgrade
    from sqlalchemy import insert

    from inquiry_hub import create_app, search
    from inquiry_hub.extensions import db
    from inquiry_hub.fieldwork.models import Note
    from tests.conftest import make_inquiry

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench" * 10, "UPLOAD_FOLDER": tmp})
    rng = random.Random(7)
    with app.app_context():
        upgrade()
        inquiry = make_inquiry("Benchmark")
        started = time.perf_counter()
        words, weights = vocabulary(rng)
        for start in range(0, args.notes, 500):
            rows = [
                {
                    "inquiry_id": inquiry.id,
                    "kind": "transcript",
                    "title": f"Transcription {n}",
                    "body": " ".join(rng.choices(words, weights, k=args.words)),
                    "written_on": date(2026, 1 + n % 12, 1 + n % 28),
                    "version": 1,
                }
                for n in range(start, min(start + 500, args.notes))
            ]
            db.session.execute(insert(Note), rows)
            db.session.commit()
        print(f"indexed {args.notes} notes of {args.words} words in {time.perf_counter() - started:.1f} s")
        timings = []
        for _ in range(args.queries):
            query = " ".join(rng.sample(WORDS[:-22], rng.choice((1, 2))))
            t0 = time.perf_counter()
            search.search_notes(inquiry.id, query, limit=50)
            timings.append((time.perf_counter() - t0) * 1000)
        timings.sort()
        p95 = timings[int(len(timings) * 0.95) - 1]
        matched = search.search_notes(inquiry.id, WORDS[0], limit=args.notes)
        print(f"a typical word ({WORDS[0]}) is in {len(matched)} notes")
        print(f"{db.engine.dialect.name}: median {statistics.median(timings):.1f} ms, p95 {p95:.1f} ms")


if __name__ == "__main__":
    main()
