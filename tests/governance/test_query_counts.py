"""The pages of the decisions room run a number of queries that does not grow with their rows."""

from __future__ import annotations

import pytest

from inquiry_hub.extensions import db
from inquiry_hub.governance.services import decisions, logbook
from inquiry_hub.inquiries import engine
from tests.conftest import count_queries, login
from tests.governance.helpers import base, entry, free_proposal, meeting


def _grow(team, room: str, n: int) -> None:
    for i in range(n):
        if room == "decisions/":
            proposal = free_proposal(team, title=f"P{i}")
            engine.take_position(proposal, team["students"][1], "agree")
            decisions.add_comment(proposal, team["tutor"], "Vu.")
        elif room == "meetings/":
            meeting(team, title=f"M{i}", minutes="x")
        else:
            logbook.add_comment(entry(team, title=f"E{i}"), team["tutor"], "Vu.")
    db.session.commit()


def _queries(client, team, room: str) -> int:
    db.session.expire_all()
    with count_queries() as n:
        assert client.get(base(team, room)).status_code == 200
    return n()


@pytest.mark.parametrize("room", ["decisions/", "decisions/log", "meetings/", "logbook/"])
def test_list_query_count_does_not_grow_with_rows(client, team, room):
    login(client, team["student"])
    _grow(team, room if room != "decisions/log" else "decisions/", 2)
    _queries(client, team, room)  # warm up: first visits create per-inquiry defaults
    few = _queries(client, team, room)
    _grow(team, room if room != "decisions/log" else "decisions/", 6)
    assert _queries(client, team, room) == few
