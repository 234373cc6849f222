"""End-to-end harness: a real server on 127.0.0.1 with a fresh seeded database, and
Debian's Chromium driven by Playwright (never ``playwright install``).

These tests carry the ``e2e`` marker: ``make e2e`` and ``.ci/run`` run them; ``make test``
leaves them out so that it needs no browser.
"""

from __future__ import annotations

import contextlib
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
#: Where each journey's last page is saved as PNG (test artefacts): ``E2E_ARTEFACTS`` or the default.
ARTEFACTS = Path(os.environ.get("E2E_ARTEFACTS") or ROOT / "tests" / "e2e" / "artefacts")
DEMO_PASSWORD = "demo-pass-2026"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _flask(env, *args):
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", *args],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    """The app served by a real HTTP server, on its own SQLite file with the demo data."""
    tmp = tmp_path_factory.mktemp("e2e")
    port = _free_port()
    env = dict(os.environ)
    env.update(
        SECRET_KEY="e2e-secret-key-0123456789-0123456789",
        DATABASE_URL=f"sqlite:///{tmp / 'e2e.sqlite3'}",
        UPLOAD_FOLDER=str(tmp / "uploads"),
        BASE_URL=f"http://127.0.0.1:{port}",
        MAIL_SERVER="",
        # Every journey logs in: the per-IP login limit (tested in tests/accounts) would
        # otherwise turn the later ones away with 429.
        LOGIN_RATE_LIMIT="1000 per minute",
    )
    env.pop("TEST_DATABASE_URL", None)
    _flask(env, "db", "upgrade")
    _flask(env, "seed-demo")
    process = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "run", "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(base + "/healthz", timeout=1)
            break
        except OSError:
            time.sleep(0.1)
    yield {"url": base, "database": tmp / "e2e.sqlite3"}
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
            ],
        )
        yield browser
        browser.close()


def save_screenshot(page, name: str) -> Path:
    """Save the whole page as ``<name>.png`` among the artefacts (a safe file name is made of it)."""
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTEFACTS / (re.sub(r"[^\w.@-]+", "_", name).replace("_-", "-").strip("_") + ".png")
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture
def page_factory(browser, request):
    """New isolated browser windows (like private windows); the last page of each is saved."""
    contexts = []

    def make(width: int = 1280, locale: str = "fr-FR", height: int = 900, javascript: bool = True):
        context = browser.new_context(
            viewport={"width": width, "height": height}, locale=locale, java_script_enabled=javascript
        )
        contexts.append(context)
        return context.new_page()

    yield make
    from playwright.sync_api import Error

    for n, context in enumerate(contexts):
        for page in context.pages:
            with contextlib.suppress(Error):  # a crashed page: the test's own failure says more
                save_screenshot(page, f"{request.node.name}-{n}")
        context.close()


def log_in(page, base: str, email: str, password: str = DEMO_PASSWORD) -> None:
    page.goto(base + "/auth/login")
    page.fill("#email", email)
    page.fill("#password", password)
    with page.expect_navigation():
        page.click("main button[type=submit]")
    page.wait_for_load_state("load")
