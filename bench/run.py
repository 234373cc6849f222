"""Programme-scale benchmark (not a test): ``make bench``.

    .venv/bin/python bench/run.py [--scale 40] [--seconds 15] [--clients 1 8] [--keep]

1. Builds a throw-away SQLite database with ``seed-demo --scale N`` (timed).
2. Serves it with gunicorn (2 workers) on 127.0.0.1 and logs in as a generated student,
   tutor and partner of the first generated inquiry.
3. For each page and each concurrency level, sends requests for a bounded time from
   threads with keep-alive sessions, and prints p50, p95, requests/s, the page's rate as a
   share of the ``/healthz`` rate, and SQL queries per request (``X-Query-Count``).
4. Writes the table to ``bench/RESULTS.md`` with the date and the machine.

Traffic only goes to 127.0.0.1; every loop is bounded in time.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path

import requests
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "demo-pass-2026"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def flask(env, *args) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return result.stdout


def login(base: str, email: str) -> requests.Session:
    session = requests.Session()
    page = session.get(base + "/auth/login").text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    response = session.post(
        base + "/auth/login",
        data={"email": email, "password": PASSWORD, "csrf_token": token},
        allow_redirects=False,
    )
    assert response.status_code == 302, f"login failed for {email}"
    return session


def api_token(env, email: str) -> str | None:
    try:
        out = flask(env, "create-token", email, "--name", "bench")
    except subprocess.CalledProcessError:
        return None
    match = re.search(r"\b(ih_\S+)", out)
    return match.group(1) if match else out.strip().splitlines()[-1]


def measure(make_session, url: str, clients: int, seconds: float, headers=None) -> dict:
    """Hammer one URL from ``clients`` threads for ``seconds``; latencies in ms."""
    latencies: list[float] = []
    queries: list[int] = []
    errors = 0
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds

    def worker():
        nonlocal errors
        session = make_session()
        local_lat, local_q, local_err = [], [], 0
        while time.perf_counter() < stop_at:
            start = time.perf_counter()
            response = session.get(url, headers=headers, allow_redirects=False, timeout=30)
            local_lat.append((time.perf_counter() - start) * 1000)
            if response.status_code != 200:
                local_err += 1
            local_q.append(int(response.headers.get("X-Query-Count", "0")))
        with lock:
            latencies.extend(local_lat)
            queries.extend(local_q)
            errors += local_err

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    begin = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - begin
    latencies.sort()
    return {
        "n": len(latencies),
        "p50": statistics.median(latencies),
        "p95": latencies[max(int(len(latencies) * 0.95) - 1, 0)],
        "rps": len(latencies) / elapsed,
        "queries": max(queries) if queries else 0,
        "errors": errors,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=40)
    parser.add_argument("--seconds", type=float, default=15, help="per cell (use 3 for a quick trial)")
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 8])
    parser.add_argument("--keep", action="store_true", help="keep the database folder")
    parser.add_argument("--note", default="", help="a line written under the run's heading (e.g. a trial)")
    parser.add_argument("--results", default=str(ROOT / "bench" / "RESULTS.md"))
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="ih-bench-"))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = dict(os.environ)
    env.update(
        SECRET_KEY="bench-secret-key-0123456789-0123456789",
        DATABASE_URL=f"sqlite:///{folder / 'bench.sqlite3'}",
        UPLOAD_FOLDER=str(folder / "uploads"),
        BASE_URL=base,
        QUERY_COUNT_HEADER="1",
        LOGIN_RATE_LIMIT="1000 per minute",
        API_RATE_LIMIT="100000 per minute",
        RATELIMIT_STORAGE_URI="memory://",
        # A throw-away vault key for the throw-away identities (never the instance's key).
        VAULT_KEYS=Fernet.generate_key().decode(),
    )
    flask(env, "db", "upgrade")
    started = time.perf_counter()
    flask(env, "seed-demo", "--scale", str(args.scale))
    seed_seconds = time.perf_counter() - started
    print(f"seed-demo --scale {args.scale}: {seed_seconds:.0f} s", flush=True)

    import sqlite3

    with sqlite3.connect(folder / "bench.sqlite3") as con:
        inquiry_id = con.execute(
            "SELECT id FROM inquiries WHERE title LIKE 'Enquête %' ORDER BY id LIMIT 1"
        ).fetchone()[0]
        title = con.execute("SELECT title FROM inquiries WHERE id = ?", (inquiry_id,)).fetchone()[0]
        number = title.split()[-1]
        note_row = (
            con.execute(
                "SELECT notes.id FROM notes WHERE inquiry_id = ? ORDER BY id LIMIT 1", (inquiry_id,)
            ).fetchone()
            if _has_table(con, "notes")
            else None
        )

    student, tutor, partner = (
        f"student{number}-0@scale.example",
        f"tutor{int(number) % 5}@scale.example",
        f"partner{number}@scale.example",
    )
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{port}", "wsgi:app"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(300):
            try:
                requests.get(base + "/healthz", timeout=5)
                break
            except requests.RequestException:
                time.sleep(0.2)
        sessions = {
            who: login(base, email)
            for who, email in (("student", student), ("tutor", tutor), ("partner", partner))
        }
        token = api_token(env, student)
        prefix = f"{base}/inquiries/{inquiry_id}"
        pages = [
            ("/healthz", None, base + "/healthz", None),
            ("inquiry home", "student", prefix + "/", None),
            ("board", "student", prefix + "/tasks/", None),
            ("task list, filtered", "student", prefix + "/tasks/list?due=overdue&sort=due", None),
            ("fieldwork search", "student", prefix + "/fieldwork/search?q=association", None),
            ("tutor's view", "tutor", base + "/tutor/", None),
            ("partner's home", "partner", prefix + "/", None),
            ("partner's portal", "partner", f"{base}/partner/{inquiry_id}", None),
        ]
        if note_row:
            pages.insert(4, ("note page", "student", f"{prefix}/fieldwork/notes/{note_row[0]}", None))
        if token:
            pages.append(
                (
                    "API task list",
                    None,
                    f"{base}/api/v1/inquiries/{inquiry_id}/tasks",
                    {"Authorization": f"Bearer {token}"},
                )
            )

        rows = []
        ceiling = {}
        for name, who, url, headers in pages:
            cookies = sessions[who].cookies if who else None

            def make_session(cookies=cookies):
                session = requests.Session()
                if cookies is not None:
                    session.cookies.update(cookies)
                return session

            probe = make_session().get(url, headers=headers, allow_redirects=False, timeout=30)
            if probe.status_code != 200:
                rows.append((name, None, f"HTTP {probe.status_code}"))
                print(f"{name}: HTTP {probe.status_code}, skipped", flush=True)
                continue
            for clients in args.clients:
                result = measure(make_session, url, clients, args.seconds, headers)
                if name == "/healthz":
                    ceiling[clients] = result["rps"]
                result["share"] = result["rps"] / ceiling[clients] * 100 if ceiling.get(clients) else 100
                rows.append((name, clients, result))
                print(
                    f"{name:22} c={clients}: p50 {result['p50']:.1f} ms, p95 {result['p95']:.1f} ms, "
                    f"{result['rps']:.0f} req/s ({result['share']:.1f} %), {result['queries']} queries, "
                    f"{result['errors']} errors",
                    flush=True,
                )
    finally:
        server.terminate()
        server.wait(timeout=10)

    table = [
        "| page | clients | p50 ms | p95 ms | req/s | share of /healthz | SQL queries | errors |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, clients, result in rows:
        if clients is None:
            table.append(f"| {name} | — | — | — | — | — | — | {result} |")
            continue
        table.append(
            f"| {name} | {clients} | {result['p50']:.1f} | {result['p95']:.1f} | {result['rps']:.0f} | "
            f"{result['share']:.1f} % | {result['queries']} | {result['errors']} |"
        )
    header = (
        f"## {datetime.now():%Y-%m-%d %H:%M} — {platform.node()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, SQLite, gunicorn 2 workers\n\n"
        f"`seed-demo --scale {args.scale}` took {seed_seconds:.0f} s; each cell ran {args.seconds:g} s.\n\n"
        + (f"{args.note}\n\n" if args.note else "")
    )
    text = header + "\n".join(table) + "\n"
    print("\n" + text)
    results = Path(args.results)
    previous = results.read_text() if results.exists() else "# Benchmark results\n\n"
    results.write_text(previous.rstrip() + "\n\n" + text)
    if not args.keep:
        import shutil

        shutil.rmtree(folder, ignore_errors=True)
    return 0


def _has_table(con, name: str) -> bool:
    return (
        con.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", (name,)).fetchone()
        is not None
    )


if __name__ == "__main__":
    raise SystemExit(main())
