"""Exactly-once load check (not a test): the figures of issue 16, measured again.

    .venv/bin/python bench/exactly_once.py [--db sqlite|postgresql] [--seconds 20] [--clients 12]

On a throw-away database (a SQLite file, or a fresh PostgreSQL database next to
``postgresql+psycopg://postgres@127.0.0.1/postgres``), served by gunicorn with 4 workers:

1. positions: for ``--seconds``, rounds of collective actions (``members.invite`` under the
   consent rule, three students); in each round every other student sends their position twice
   at the same instant, for several proposals at once (``--clients`` threads in all). Reports
   executions per proposal, emails per invitation, proposals left open although everyone agreed,
   5xx answers, and first positions sent twice at once.
2. run-due: 128 queued emails, two ``flask run-due`` processes at once against an SMTP sink:
   deliveries per message.
3. outage (PostgreSQL): the clients read pages while the database is cut for 5 s (a TCP relay
   between the app and the server, which keeps running): statuses during and after.

Traffic only goes to 127.0.0.1; every loop is bounded in time.
"""

from __future__ import annotations

import argparse
import contextlib
import email
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BIN = Path(sys.executable).parent
SECRET = "bench-secret-key-that-is-long-enough-0123456789"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Relay:
    """A TCP relay to PostgreSQL that can be cut (every connection) and restored."""

    def __init__(self, port: int):
        self.target, self.port, self.sockets = ("127.0.0.1", port), free_port(), []
        self.start()

    def start(self):
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", self.port))
        self.listener.listen(64)
        threading.Thread(target=self._accept, args=(self.listener,), daemon=True).start()

    def stop(self):
        with contextlib.suppress(OSError):
            self.listener.shutdown(socket.SHUT_RDWR)
        self.listener.close()
        for sock in list(self.sockets):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        self.sockets.clear()

    def _accept(self, listener):
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
    def _pump(source, sink):
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)


def request(port, method, path, token, body=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        conn.request(method, path, body=json.dumps(body).encode() if body else None, headers=headers)
        response = conn.getresponse()
        response.read()
        return response.status
    except OSError:
        return 599
    finally:
        conn.close()


def at_once(calls):
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(i, call):
        barrier.wait()
        results[i] = call()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--clients", type=int, default=12)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="exactly-once-"))
    relay = admin = None
    if args.db == "postgresql":
        from sqlalchemy import create_engine, text

        name = f"exactly_once_{uuid.uuid4().hex[:8]}"
        admin = create_engine(
            "postgresql+psycopg://postgres@127.0.0.1/postgres", isolation_level="AUTOCOMMIT"
        )
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        relay = Relay(5432)
        url = f"postgresql+psycopg://postgres@127.0.0.1:{relay.port}/{name}"
    else:
        url = f"sqlite:///{work / 'bench.sqlite3'}"
    env = dict(
        os.environ,
        DATABASE_URL=url,
        SECRET_KEY=SECRET,
        UPLOAD_FOLDER=str(work / "uploads"),
        API_RATE_LIMIT="1000000 per minute",
        MAIL_SERVER="",
        FLASK_APP="wsgi",
    )
    subprocess.run([str(BIN / "flask"), "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)

    from inquiry_hub import create_app
    from inquiry_hub.extensions import db

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": SECRET,
            "UPLOAD_FOLDER": str(work / "uploads"),
            "MAIL_SERVER": "",
            "ARGON2_PARAMETERS": {"time_cost": 1, "memory_cost": 1024, "parallelism": 1},
        }
    )
    port = free_port()
    gunicorn = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "-w",
            "4",
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "error",
            "inquiry_hub:create_app()",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
        # BENCH_LOG: keep the workers' log (open for gunicorn's lifetime).
        stderr=open(os.environ["BENCH_LOG"], "ab") if os.environ.get("BENCH_LOG") else subprocess.DEVNULL,  # noqa: SIM115
    )
    try:
        with app.app_context():
            report = measure(args, app, db, port, env, relay)
            db.session.remove()
            db.engine.dispose()
    finally:
        os.killpg(gunicorn.pid, signal.SIGTERM)
        gunicorn.wait(30)
        if relay is not None:
            relay.stop()
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        shutil.rmtree(work, ignore_errors=True)
    print(json.dumps({"database": args.db, **report}, indent=2, ensure_ascii=False))


def measure(args, app, db, port, env, relay) -> dict:
    from sqlalchemy import func, select

    from inquiry_hub.accounts import services as accounts
    from inquiry_hub.accounts.models import Invitation
    from inquiry_hub.activity import services as activity
    from inquiry_hub.activity.models import OutboxMessage
    from inquiry_hub.inquiries import engine
    from inquiry_hub.inquiries.models import Position, Proposal
    from tests.conftest import make_inquiry, make_user

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and request(port, "GET", "/healthz", "") != 200:
        time.sleep(0.2)
    alice, bruno, chloe = (make_user(n) for n in ("Alice", "Bruno", "Chloé"))
    inquiry = make_inquiry(students=[alice, bruno, chloe], rule="consent")
    tokens = {u.id: accounts.create_api_token(u, "bench")[1] for u in (bruno, chloe)}
    db.session.commit()

    # 1. simultaneous positions (two voters x two sends x several proposals per round)
    per_round = max(args.clients // 4, 1)
    statuses: Counter = Counter()
    ids: list[int] = []
    stop_at = time.monotonic() + args.seconds
    n = 0
    while time.monotonic() < stop_at:
        batch = []
        for _ in range(per_round):
            n += 1
            batch.append(
                engine.start(
                    inquiry, alice, "members.invite", {"email": f"g{n}@bench.example", "role": "tutor"}
                ).id
            )
        db.session.commit()
        ids += batch
        calls = [
            (
                lambda p=p, t=tokens[u.id]: request(
                    port, "PUT", f"/api/v1/proposals/{p}/position", t, {"stance": "agree"}
                )
            )
            for p in batch
            for u in (bruno, chloe, bruno, chloe)
        ]
        statuses.update(at_once(calls))
    db.session.expire_all()
    executions = Counter(
        db.session.scalars(select(Invitation.email).where(Invitation.inquiry_id == inquiry.id))
    )
    emails = Counter(
        db.session.scalars(
            select(OutboxMessage.to_addr).where(OutboxMessage.to_addr.like("g%@bench.example"))
        )
    )
    still_open = db.session.scalar(
        select(func.count(Proposal.id)).where(Proposal.id.in_(ids), Proposal.status == "open")
    )

    # first positions sent twice at once by the same person (a fourth student keeps them open)
    dora = make_user("Dora")
    from inquiry_hub.inquiries import services as inquiries

    inquiries.add_member(inquiry, dora, "student")
    dup_ids = [
        engine.start(inquiry, alice, "members.invite", {"email": f"d{i}@bench.example", "role": "tutor"}).id
        for i in range(per_round * 4)
    ]
    db.session.commit()
    dup_statuses: Counter = Counter()
    for p in dup_ids:
        dup_statuses.update(
            at_once(
                [
                    lambda p=p, t=tokens[bruno.id]: request(
                        port, "PUT", f"/api/v1/proposals/{p}/position", t, {"stance": "agree"}
                    )
                ]
                * 4
            )
        )
    counts = db.session.execute(
        select(Position.proposal_id, func.count())
        .where(Position.proposal_id.in_(dup_ids), Position.user_id == bruno.id)
        .group_by(Position.proposal_id)
    ).all()
    dup_rows = max((c for _p, c in counts), default=0)

    # 2. two run-due at once against an SMTP sink
    from aiosmtpd.controller import Controller

    received: list[str] = []

    class Sink:
        async def handle_DATA(self, server, session, envelope):
            import asyncio

            await asyncio.sleep(0.005)
            received.append(email.message_from_bytes(envelope.content)["Message-ID"])
            return "250 OK"

    db.session.execute(OutboxMessage.__table__.update().values(sent_at=func.now()))  # round 1's emails
    for i in range(128):
        activity.queue_email(f"r{i}@bench.example", f"Message {i}", "Bonjour.\n")
    db.session.commit()
    smtp_port = free_port()
    controller = Controller(Sink(), hostname="127.0.0.1", port=smtp_port)
    controller.start()
    run_env = dict(env, MAIL_SERVER="127.0.0.1", MAIL_PORT=str(smtp_port), MAIL_USE_TLS="0")
    runs = [
        subprocess.Popen(
            [str(BIN / "flask"), "run-due"],
            cwd=ROOT,
            env=run_env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for _ in range(2)
    ]
    crashed = sum(1 for r in runs if r.wait(120) != 0)
    controller.stop()
    deliveries = Counter(received)

    report = {
        "proposals": len(ids),
        "position requests": sum(statuses.values()),
        "statuses": dict(sorted(statuses.items())),
        "proposals executed more than once": sum(v > 1 for v in executions.values()),
        "most executions of one proposal": max(executions.values(), default=0),
        "emails per invitation": dict(Counter(emails.values())),
        "proposals left open although everyone agreed": still_open,
        "duplicate first positions: statuses": dict(sorted(dup_statuses.items())),
        "duplicate first positions: most rows per person": dup_rows,
        "run-due: messages": 128,
        "run-due: deliveries per message": dict(Counter(deliveries.values())),
        "run-due: messages never delivered": 128 - len(deliveries),
        "run-due: crashed runs": crashed,
    }
    if relay is not None:
        token, inquiry_id = tokens[bruno.id], inquiry.id
        db.session.close()  # the bench's own connection is not part of the outage
        db.engine.dispose()
        report.update(outage(args, port, token, inquiry_id, relay))
    return report


def outage(args, port, token, inquiry_id, relay) -> dict:
    """Clients read for 12 s; the database is cut from second 3 to second 8."""
    phases = {"before": Counter(), "during": Counter(), "after": Counter()}
    state = {"phase": "before"}
    stop_at = time.monotonic() + 12

    def client():
        while time.monotonic() < stop_at:
            status = request(port, "GET", f"/api/v1/inquiries/{inquiry_id}", token)
            phases[state["phase"]][status] += 1  # counted by when the answer came

    threads = [threading.Thread(target=client) for _ in range(args.clients)]
    for t in threads:
        t.start()
    time.sleep(3)
    relay.stop()
    state["phase"] = "during"
    time.sleep(5)
    relay.start()
    state["phase"] = "after"
    for t in threads:
        t.join(30)
    return {f"outage: statuses {k}": dict(sorted(v.items())) for k, v in phases.items()}


if __name__ == "__main__":
    main()
