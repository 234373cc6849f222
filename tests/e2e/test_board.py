"""The task board in a real browser: drag and drop, a stale drag, the no-JavaScript fallback."""

from __future__ import annotations

import sqlite3

import pytest

from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e
pytest.importorskip("playwright.sync_api", reason="the browser journeys need playwright")

INQUIRY = "Les Jardins du Lien"


def _task(server, title: str) -> tuple[int, int]:
    """(task id, inquiry id) of a demo task."""
    with sqlite3.connect(server["database"]) as con:
        return con.execute(
            "SELECT tasks.id, tasks.inquiry_id FROM tasks JOIN inquiries ON inquiries.id = tasks.inquiry_id"
            " WHERE tasks.title = ? AND inquiries.title = ?",
            (title, INQUIRY),
        ).fetchone()


def _kind_of(server, task_id: int) -> str:
    with sqlite3.connect(server["database"]) as con:
        return con.execute(
            "SELECT task_columns.kind FROM tasks JOIN task_columns ON task_columns.id = tasks.column_id"
            " WHERE tasks.id = ?",
            (task_id,),
        ).fetchone()[0]


def _board(page, server, inquiry_id: int) -> None:
    page.goto(f"{server['url']}/inquiries/{inquiry_id}/tasks/")


def _drag(page, task_id: int, column_index: int):
    """Drop the card at the top of a column; returns the move request's response."""
    card = page.locator(f"#task-{task_id}")
    target = page.locator(".card-list").nth(column_index).locator(".task-card").first
    with page.expect_response(lambda r: r.url.endswith(f"/tasks/{task_id}/move")) as move:
        card.drag_to(target, source_position={"x": 20, "y": 8}, target_position={"x": 20, "y": 5})
    return move.value


def test_drag_and_drop_moves_the_card(server, page_factory):
    task_id, inquiry_id = _task(server, "Premier codage thématique")
    # Tall enough for the card and its drop place to show together: no scrolling mid-drag.
    page = page_factory(height=1800)
    log_in(page, server["url"], "alice@demo.example")
    _board(page, server, inquiry_id)
    assert _drag(page, task_id, 3).status == 200
    assert _kind_of(server, task_id) == "done"


def test_stale_drag_reloads_the_board_as_it_is_now(server, page_factory):
    task_id, inquiry_id = _task(server, "Observer une réunion du conseil d'administration")
    page = page_factory()
    log_in(page, server["url"], "bruno@demo.example")
    _board(page, server, inquiry_id)
    with sqlite3.connect(server["database"]) as con:  # another student moved it meanwhile
        con.execute(
            "UPDATE tasks SET version = version + 1, column_id ="
            " (SELECT id FROM task_columns WHERE inquiry_id = ? AND kind = 'review') WHERE id = ?",
            (inquiry_id, task_id),
        )
    assert _drag(page, task_id, 1).status == 409
    page.locator(".card-list").nth(2).locator(f"#task-{task_id}").wait_for()
    assert _kind_of(server, task_id) == "review"


def test_move_buttons_work_without_javascript(server, page_factory):
    task_id, inquiry_id = _task(server, "Réserver la salle pour l'atelier de restitution")
    page = page_factory(javascript=False)
    log_in(page, server["url"], "chloe@demo.example")
    _board(page, server, inquiry_id)
    card = page.locator(f"#task-{task_id}")
    card.locator("summary").click()
    card.locator("button[name=direction][value=right]").click()
    assert _kind_of(server, task_id) == "doing"


def test_board_fits_a_phone_screen(server, page_factory):
    _, inquiry_id = _task(server, "Premier codage thématique")
    page = page_factory(width=390)
    log_in(page, server["url"], "alice@demo.example")
    _board(page, server, inquiry_id)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
