"""A database outage is spoken plainly: every page and API answer is a 503 with Retry-After,
rendered without the database, and the app recovers by itself when the database is back.

Each test runs its own app on its own database and makes that database unreachable itself:
SQLite by moving the database file's folder away, PostgreSQL (with TEST_DATABASE_URL) by
cutting a TCP relay between the app and the server, which itself keeps running.
"""

from __future__ import annotations

import contextlib
import os
import socket
import sqlite3
import threading
import uuid

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from inquiry_hub import create_app
from inquiry_hub.extensions import db
from tests.conftest import PASSWORD, login, make_inquiry, make_user


class Relay:
    """A TCP relay to the PostgreSQL server that can be cut (every connection) and restored."""

    def __init__(self, host: str, port: int):
        self.target = (host, port)
        self.sockets: list[socket.socket] = []
        self.listener = None
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.start()

    def start(self) -> None:
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", self.port))
        self.listener.listen(16)
        threading.Thread(target=self._accept, args=(self.listener,), daemon=True).start()

    def stop(self) -> None:
        # shutdown() wakes the thread blocked in accept(); close() alone would leave it accepting.
        with contextlib.suppress(OSError):
            self.listener.shutdown(socket.SHUT_RDWR)
        self.listener.close()
        for sock in self.sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        self.sockets.clear()

    def _accept(self, listener) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.target)
            self.sockets += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(source, sink) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)


def _config(app, url: str) -> dict:
    keep = ("SECRET_KEY", "UPLOAD_FOLDER", "ARGON2_PARAMETERS", "BASE_URL", "MAIL_SERVER")
    return {
        **{k: app.config[k] for k in keep},
        "TESTING": True,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_STORAGE_URI": "memory://",
        "SQLALCHEMY_DATABASE_URI": url,
    }


@pytest.fixture
def outage(app, tmp_path):
    """(own app, stop, start) on a database of its own."""
    base = os.environ.get("TEST_DATABASE_URL")
    if base:
        server = make_url(base)
        name = f"outage_{uuid.uuid4().hex[:8]}"
        admin = create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        relay = Relay(server.host or "127.0.0.1", server.port or 5432)
        url = server.set(port=relay.port, database=name).render_as_string(hide_password=False)
        own = create_app(_config(app, url))
        with own.app_context():
            from flask_migrate import upgrade

            upgrade()
        stop, start = relay.stop, relay.start
    else:
        folder = tmp_path / "database"
        folder.mkdir()
        path = folder / "outage.sqlite3"
        # The suite's database already holds the schema: an online copy is quicker than migrating.
        source = sqlite3.connect(make_url(app.config["SQLALCHEMY_DATABASE_URI"]).database)
        target = sqlite3.connect(path)
        source.backup(target)
        source.close()
        target.close()
        own = create_app(_config(app, f"sqlite:///{path}"))
        away = tmp_path / "moved-away"

        def stop():
            folder.rename(away)
            with own.app_context():
                db.engine.dispose()  # the open handles were lost with the file

        def start():
            away.rename(folder)

    yield own, stop, start
    with own.app_context():
        db.engine.dispose()
    if base:
        relay.stop()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_pages_and_api_answer_503_while_the_database_is_down_then_recover(outage):
    own, stop, start = outage
    with own.app_context():
        from inquiry_hub.accounts import services as accounts

        student = make_user("Alice")
        inquiry = make_inquiry(students=[student])
        _token, clear = accounts.create_api_token(student, "t")
        db.session.commit()
        inquiry_id, email = inquiry.id, student.email
        db.session.remove()
    client = own.test_client()
    auth = {"Authorization": f"Bearer {clear}"}
    with own.app_context():
        login(client, type("U", (), {"email": email})(), PASSWORD)
    page = f"/inquiries/{inquiry_id}/?lang=en"
    # Positive control: everything answers while the database is up.
    assert client.get(page).status_code == 200
    assert client.get("/api/v1/inquiries", headers=auth).status_code == 200

    stop()
    try:
        down = client.get(page)
        api = client.get("/api/v1/inquiries", headers=auth)
        login_form = client.post("/auth/login", data={"email": email, "password": PASSWORD})
        health = client.get("/healthz")
    finally:
        start()

    assert down.status_code == 503
    assert down.headers["Retry-After"].isdigit()
    assert 'data-status="503"' in down.get_data(as_text=True)
    assert "cannot be reached" in down.get_data(as_text=True)
    assert api.status_code == 503
    assert api.headers["Retry-After"].isdigit()
    assert api.get_json()["error"]["code"] == "unavailable"
    assert login_form.status_code == 503
    assert health.status_code == 503
    assert health.headers["Retry-After"].isdigit()

    # Back by itself: no restart, the same client and session.
    assert client.get(page).status_code == 200
    assert client.get("/api/v1/inquiries", headers=auth).status_code == 200


def test_a_bad_query_stays_a_500_and_is_not_called_an_outage(app):
    from sqlalchemy.exc import DBAPIError, OperationalError

    from inquiry_hub.errors import database_unreachable

    with pytest.raises(DBAPIError) as bad_query:
        db.session.execute(text("SELECT no_such_column FROM users"))
    db.session.rollback()
    refused = OperationalError("connect", {}, sqlite3.OperationalError("unable to open database file"))
    assert not database_unreachable(bad_query.value)
    assert database_unreachable(refused)
