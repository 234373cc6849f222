"""The concurrency suite: the real app under gunicorn with several workers, on the test database.

Rows are written in-process with the usual factories and committed; gunicorn's workers (and
``flask run-due`` processes) read and write the same database (a SQLite file, or the PostgreSQL
database of ``TEST_DATABASE_URL``), so the races are the production ones, not a simulation.
"""

from __future__ import annotations

import email
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
WORKERS = 4


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def app_environment(app, **extra) -> dict:
    """Environment for a gunicorn worker or a CLI process on the test database."""
    env = dict(os.environ)
    env.update(
        DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
        SECRET_KEY=app.config["SECRET_KEY"],
        UPLOAD_FOLDER=app.config["UPLOAD_FOLDER"],
        BASE_URL="http://localhost",
        API_RATE_LIMIT="100000 per minute",
        MAIL_SERVER="",
        FLASK_APP="wsgi",
    )
    env.update({k: str(v) for k, v in extra.items()})
    return env


@dataclass
class Server:
    port: int
    process: subprocess.Popen

    def request(self, method: str, path: str, token: str, body: dict | None = None) -> tuple[int, dict]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            payload = json.dumps(body).encode() if body is not None else None
            headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
            conn.request(method, path, body=payload, headers=headers)
            response = conn.getresponse()
            raw = response.read()
            try:
                data = json.loads(raw) if raw else {}
            except ValueError:
                data = {"raw": raw[:300].decode(errors="replace")}
            return response.status, data
        finally:
            conn.close()


@pytest.fixture(scope="session")
def server(app, tmp_path_factory):
    """gunicorn with several sync workers serving create_app() on the test database."""
    port = free_port()
    log = (tmp_path_factory.mktemp("gunicorn") / "gunicorn.log").open("wb")
    process = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "--workers",
            str(WORKERS),
            "--bind",
            f"127.0.0.1:{port}",
            "--timeout",
            "60",
            "--log-level",
            "warning",
            "inquiry_hub:create_app()",
        ],
        cwd=ROOT,
        env=app_environment(app),
        start_new_session=True,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                break
        except OSError:
            time.sleep(0.2)
    else:
        os.killpg(process.pid, signal.SIGTERM)
        pytest.fail("gunicorn did not start")
    # Every worker imports the app before the first race, so they really run at once.
    time.sleep(1.0)
    yield Server(port, process)
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=30)
    log.close()


def simultaneously(calls: list) -> list:
    """Run the callables in threads released together by a barrier; their results in order."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(i, call):
        barrier.wait()
        try:
            results[i] = call()
        except Exception as exc:  # a transport error counts as a failure, not a crash of the test
            results[i] = (599, {"error": repr(exc)})

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


@dataclass
class Inbox:
    """aiosmtpd handler keeping every Message-ID and recipient; slow enough that runs overlap."""

    delay: float = 0.01
    messages: list = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server, session, envelope):
        import asyncio

        await asyncio.sleep(self.delay)
        message = email.message_from_bytes(envelope.original_content or envelope.content)
        with self.lock:
            self.messages.append((message["Message-ID"], tuple(envelope.rcpt_tos), message["Subject"]))
        return "250 OK"


@pytest.fixture
def smtp_sink():
    port = free_port()
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    inbox.port = port
    yield inbox
    controller.stop()


def api_token(user) -> str:
    from inquiry_hub.accounts import services as accounts
    from inquiry_hub.extensions import db

    _token, clear = accounts.create_api_token(user, "concurrency")
    db.session.commit()
    return clear
