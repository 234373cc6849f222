"""Two versions submitted at the same moment never end in a 500 or a lost version."""

from __future__ import annotations

from inquiry_hub.deliverables import services as deliverables
from inquiry_hub.extensions import db
from tests.deliverables.conftest import make_deliverable, text_version


def test_a_version_number_taken_meanwhile_moves_to_the_next_one(team, monkeypatch):
    deliverable = make_deliverable(team["inquiry"], team["student"])
    text_version(deliverable, team["student"])
    text_version(deliverable, team["students"][1], body="Deuxième", changelog="v2")
    real_scalar = db.session.scalar
    calls = {"n": 0}

    def stale_first_read(statement, *args, **kwargs):
        value = real_scalar(statement, *args, **kwargs)
        calls["n"] += 1
        # The first read sees the state before the other person's version 2 existed.
        return value - 1 if calls["n"] == 1 else value

    monkeypatch.setattr(db.session, "scalar", stale_first_read)
    version = deliverables.add_text_version(deliverable, team["student"], "Troisième", "v3")
    monkeypatch.undo()
    db.session.commit()
    assert version.number == 3
    assert sorted(v.number for v in deliverable.versions) == [1, 2, 3]


def test_a_lasting_collision_is_a_conflict_not_a_crash(team, monkeypatch, client):
    from tests.conftest import login

    deliverable = make_deliverable(team["inquiry"], team["student"])
    text_version(deliverable, team["student"])
    login(client, team["student"])
    real_scalar = db.session.scalar

    def always_stale(statement, *args, **kwargs):
        # Only the "latest version number" read is stale; every other query is real.
        if "max(" in str(statement).lower() and "versions" in str(statement):
            return 0
        return real_scalar(statement, *args, **kwargs)

    monkeypatch.setattr(db.session, "scalar", always_stale)
    response = client.post(
        f"/inquiries/{team['inquiry'].id}/deliverables/{deliverable.id}/versions/text",
        data={"body": "Encore", "changelog": "v2"},
    )
    monkeypatch.undo()
    assert response.status_code == 409
    assert [v.number for v in deliverable.versions] == [1]
