"""API fixtures: tokens for each role of the ``team`` and a client that sends them."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from inquiry_hub.accounts import services as accounts
from inquiry_hub.db import utcnow
from inquiry_hub.extensions import db
from inquiry_hub.fieldwork import services as fieldwork
from inquiry_hub.tasks import services as tasks

REAL_NAME = "Léa Dupont-Ferrand"
CONTACT = "lea.secret@example.org"

#: Who calls, as the tests name them; "anonymous" sends no token at all.
CALLERS = ("student", "tutor", "partner", "outsider", "anonymous", "revoked", "expired")


def make_token(user, *, read_only=False, expires_at=None, revoked=False) -> str:
    token, clear = accounts.create_api_token(user, "test", read_only=read_only, expires_at=expires_at)
    if revoked:
        accounts.revoke_api_token(token)
    db.session.commit()
    return clear


class Api:
    """Sends requests with ``Authorization: Bearer`` for one caller."""

    def __init__(self, client, token: str | None):
        self.client, self.token = client, token

    def _headers(self, headers):
        base = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        return {**base, **(headers or {})}

    def get(self, url, headers=None, **kw):
        return self.client.get(url, headers=self._headers(headers), **kw)

    def post(self, url, json=None, headers=None, **kw):
        return self.client.post(url, json=json, headers=self._headers(headers), **kw)

    def patch(self, url, json=None, headers=None, **kw):
        return self.client.patch(url, json=json, headers=self._headers(headers), **kw)

    def put(self, url, json=None, headers=None, **kw):
        return self.client.put(url, json=json, headers=self._headers(headers), **kw)

    def delete(self, url, headers=None, **kw):
        return self.client.delete(url, headers=self._headers(headers), **kw)


@pytest.fixture
def world(team):
    """The team with a shared and an unshared task, an interview with its identity and a note."""
    inquiry, student = team["inquiry"], team["student"]
    columns = tasks.columns_of(inquiry)
    private = tasks.create_task(inquiry, title="Relancer la mairie", column=columns[0], actor=student)
    shared = tasks.create_task(inquiry, title="Préparer la restitution", column=columns[1], actor=student)
    shared.shared_with_partner = True
    interview = fieldwork.create_interview(
        inquiry, student, {"pseudonym": "E07", "status": "conducted", "conducted_on": date(2026, 11, 3)}
    )
    fieldwork.set_identity(interview, student, REAL_NAME, CONTACT, "")
    note = fieldwork.create_note(
        inquiry,
        student,
        title="Entretien E07",
        body="Le collectif et son énergie.",
        kind="transcript",
        interview=interview,
    )
    db.session.commit()
    return {**team, "task": private, "shared_task": shared, "interview": interview, "note": note}


@pytest.fixture
def as_(client, team):
    """``as_("student")`` → an Api client with a fresh token of that caller."""

    def make(who: str, **token_options) -> Api:
        if who == "anonymous":
            return Api(client, None)
        if who == "revoked":
            return Api(client, make_token(team["student"], revoked=True))
        if who == "expired":
            return Api(client, make_token(team["student"], expires_at=utcnow() - timedelta(minutes=1)))
        if who == "read_only":
            return Api(client, make_token(team["student"], read_only=True))
        return Api(client, make_token(team[who], **token_options))

    return make
