"""Test harness: one app per worker on a real database, rows deleted after each test.

SQLite by default (a file in a temp folder); ``TEST_DATABASE_URL`` selects PostgreSQL, on
which each xdist worker gets its own database created next to the one named there.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import re
from datetime import date

import pytest
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url

from inquiry_hub import create_app, policy
from inquiry_hub.db import Base
from inquiry_hub.extensions import db, limiter

PASSWORD = "correct horse battery staple"
_counter = itertools.count(1)


def _postgres_url(base_url: str, worker: str) -> str:
    """A fresh database per worker and process, dropped at the end of the session."""
    url = make_url(base_url)
    name = re.sub(r"\W", "_", f"{url.database}_{worker}_{os.getpid()}")
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def _drop_postgres(url_string: str) -> None:
    url = make_url(url_string)
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def app(tmp_path_factory, worker_id):
    base = os.environ.get("TEST_DATABASE_URL")
    tmp = tmp_path_factory.mktemp("instance")
    url = _postgres_url(base, worker_id) if base else f"sqlite:///{tmp / 'test.sqlite3'}"
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
            "SQLALCHEMY_DATABASE_URI": url,
            "WTF_CSRF_ENABLED": False,
            "UPLOAD_FOLDER": str(tmp / "uploads"),
            "MAIL_SERVER": "",
            "RATELIMIT_STORAGE_URI": "memory://",
            # Cheap hashing for speed; test_accounts checks the OWASP parameters separately.
            "ARGON2_PARAMETERS": {"time_cost": 1, "memory_cost": 1024, "parallelism": 1},
            "BASE_URL": "http://localhost",
            # Archive builds run in the request rather than in a thread (privacy tests).
            "ARCHIVE_INLINE": True,
        }
    )
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
    yield app
    with app.app_context():
        db.engine.dispose()
    if base:
        _drop_postgres(url)


@pytest.fixture(autouse=True)
def _clean(app):
    """Each test starts from empty tables, outside any request."""
    ctx = app.app_context()
    ctx.push()
    yield
    db.session.rollback()
    db.session.remove()
    for table in reversed(Base.metadata.sorted_tables):
        db.session.execute(table.delete())
    db.session.commit()
    limiter.reset()
    app.config["WTF_CSRF_ENABLED"] = False
    ctx.pop()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def english_client(app):
    """A browser asking for English, so that assertions on UI text hold with the French catalogue.

    Rooms whose tests read UI text make it their ``client`` (``def client(english_client)``).
    """
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def csrf_enabled(app):
    app.config["WTF_CSRF_ENABLED"] = True
    yield
    app.config["WTF_CSRF_ENABLED"] = False


# --- factories --------------------------------------------------------------------------


def make_user(name: str | None = None, email: str | None = None, *, admin=False, locale=None):
    from inquiry_hub.accounts import services as accounts

    n = next(_counter)
    name = name or f"User {n}"
    email = email or f"{re.sub(r'[^a-z0-9]+', '.', name.lower()).strip('.')}.{n}@test.example"
    user = accounts.create_user(email, name, PASSWORD, locale=locale)
    user.is_admin = admin
    db.session.commit()
    return user


def make_inquiry(title: str = "Enquête test", *, students=(), tutors=(), partners=(), rule="consent"):
    from inquiry_hub.inquiries import services as inquiries
    from inquiry_hub.inquiries.models import Cohort, Organisation

    n = next(_counter)
    cohort = Cohort(name=f"Cohort {n}", starts_on=date(2026, 9, 1), ends_on=date(2027, 8, 31))
    organisation = Organisation(name=f"Organisation {n}", legal_form="association")
    db.session.add_all([cohort, organisation])
    inquiry = inquiries.create_inquiry(
        title=title,
        question="Question ?",
        organisation=organisation,
        cohort=cohort,
        starts_on=date(2026, 10, 1),
        ends_on=date(2027, 6, 30),
    )
    inquiry.governance_rule = rule
    for users, role in (
        (students, policy.Role.STUDENT),
        (tutors, policy.Role.TUTOR),
        (partners, policy.Role.PARTNER),
    ):
        for user in users:
            inquiries.add_member(inquiry, user, role)
    db.session.commit()
    return inquiry


def login(client, user, password: str = PASSWORD):
    response = client.post("/auth/login", data={"email": user.email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response


@contextlib.contextmanager
def count_queries():
    """Counts SQL statements run inside the block: ``with count_queries() as n: ...; n()``."""
    statements: list[str] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
            statements.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", before)
    try:
        yield lambda: len(statements)
    finally:
        event.remove(engine, "before_cursor_execute", before)


@pytest.fixture
def team():
    """A typical inquiry: three students, a tutor, a partner; plus an outsider and an admin."""
    students = [make_user(f"Student {i}") for i in range(3)]
    tutor = make_user("Tutor")
    partner = make_user("Partner")
    inquiry = make_inquiry(students=students, tutors=[tutor], partners=[partner])
    other_student = make_user("Other student")
    other = make_inquiry("Autre enquête", students=[other_student])
    return {
        "inquiry": inquiry,
        "students": students,
        "student": students[0],
        "tutor": tutor,
        "partner": partner,
        "outsider": other_student,
        "other_inquiry": other,
        "admin": make_user("Admin", admin=True),
    }


# --- added: one ``g`` per request ---------------------------------------------------------


from flask.globals import _cv_app  # noqa: E402
from flask.testing import FlaskClient  # noqa: E402


class _OwnGlobalsClient(FlaskClient):
    """Gives every request its own ``g``, as in production.

    Each test runs inside one app context, which requests reuse; without this, ``g`` would
    be shared by every request of a test, so Flask-Login's cached user and Flask-Babel's
    cached locale would leak from one request (and one browser) to the next.
    """

    def open(self, *args, **kwargs):
        ctx = _cv_app.get(None)
        if ctx is None:
            return super().open(*args, **kwargs)
        saved = ctx.g
        ctx.g = self.application.app_ctx_globals_class()
        try:
            return super().open(*args, **kwargs)
        finally:
            ctx.g = saved


@pytest.fixture(scope="session", autouse=True)
def _own_globals_per_request(app):
    app.test_client_class = _OwnGlobalsClient
