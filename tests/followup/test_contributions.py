"""Contributions per student on the team's own members page: counts in name order, no ranking."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

import pytest

from inquiry_hub import policy
from inquiry_hub.db import utcnow
from inquiry_hub.extensions import db
from inquiry_hub.fieldwork.models import Excerpt, Note
from inquiry_hub.followup import services as followup
from inquiry_hub.governance.models import LogbookEntry, Meeting
from inquiry_hub.inquiries import services as inquiries
from tests.conftest import count_queries, login, make_inquiry, make_user
from tests.followup.conftest import add_task, main_of


def _note(inquiry, author, title="Notes"):
    note = Note(
        inquiry_id=inquiry.id, title=title, body="Un texte assez long pour coder.", author_id=author.id
    )
    db.session.add(note)
    db.session.flush()
    return note


def _excerpt(note, coder):
    db.session.add(
        Excerpt(inquiry_id=note.inquiry_id, note_id=note.id, start=0, end=3, text="Un ", coder_id=coder.id)
    )


def _logbook(inquiry, author, private=False):
    db.session.add(
        LogbookEntry(
            inquiry_id=inquiry.id,
            author_id=author.id,
            written_on=date(2027, 1, 5),
            title="Journal",
            private_to_user_id=author.id if private else None,
        )
    )


def _meeting(inquiry, held_at, **roles):
    db.session.add(
        Meeting(
            inquiry_id=inquiry.id,
            title="Réunion",
            held_at=held_at,
            **{f"{r}_id": u.id for r, u in roles.items()},
        )
    )


@pytest.fixture
def crew():
    """Three students named so that name order differs from case order, and their hand-made work."""
    alice, bruno, chloe = make_user("alice"), make_user("Bruno"), make_user("Chloé")
    tutor, partner = make_user("Tutor"), make_user("Partner")
    inquiry = make_inquiry(students=[chloe, bruno, alice], tutors=[tutor], partners=[partner])
    elsewhere = make_inquiry("Ailleurs", students=[alice])
    add_task(inquiry, "T1", "done", assignees=[alice, bruno])
    add_task(inquiry, "T2", "done", assignees=[alice])
    add_task(inquiry, "T3", "todo", assignees=[alice])
    add_task(inquiry, "T4", "done")
    add_task(elsewhere, "T5", "done", assignees=[alice])
    _note(inquiry, alice)
    bruno_note = _note(inquiry, bruno)
    _note(inquiry, bruno)
    _note(inquiry, tutor)
    _note(elsewhere, alice)
    for _ in range(3):
        _excerpt(bruno_note, chloe)
    _logbook(inquiry, alice)
    _logbook(inquiry, alice, private=True)
    _logbook(inquiry, chloe)
    now = utcnow()
    _meeting(inquiry, now - timedelta(days=9), facilitator=alice, secretary=bruno, timekeeper=chloe)
    _meeting(inquiry, now - timedelta(days=2), facilitator=alice, secretary=bruno, timekeeper=alice)
    _meeting(inquiry, now + timedelta(days=3), facilitator=chloe)
    db.session.commit()
    return {"inquiry": inquiry, "students": [alice, bruno, chloe], "tutor": tutor, "partner": partner}


#: Hand-computed from the fixture: tasks done as assignee, notes, excerpts, shared logbook
#: entries, past meetings held in a rotating role (two roles in one meeting count once).
EXPECTED = [
    ("alice", 2, 1, 0, 1, 2),
    ("Bruno", 1, 2, 0, 0, 2),
    ("Chloé", 0, 0, 3, 1, 1),
]


def test_contributions_are_the_hand_computed_counts_in_name_order(crew):
    rows = followup.contributions(crew["inquiry"], utcnow())
    got = [(r.user.name, r.tasks_done, r.notes, r.excerpts, r.logbook, r.meetings) for r in rows]
    assert got == EXPECTED


def _section(client, user, inquiry) -> str | None:
    client.post("/auth/logout")
    login(client, user)
    response = client.get(f"/inquiries/{inquiry.id}/members/")
    assert response.status_code == 200
    match = re.search(r'<section aria-labelledby="contributions-title".*?</section>', main_of(response), re.S)
    return match.group(0) if match else None


def test_every_student_sees_the_same_table(client, crew):
    views = {_section(client, u, crew["inquiry"]) for u in crew["students"]}
    assert len(views) == 1
    view = views.pop()
    cells = re.findall(r"<t[hd][^>]*>([^<]*)</t[hd]>", view.split("<tbody>", 1)[1])
    assert cells == [str(c) for row in EXPECTED for c in row]


@pytest.mark.parametrize("who", ["tutor", "partner"])
def test_tutor_and_partner_do_not_see_per_person_figures(client, crew, who):
    assert _section(client, crew[who], crew["inquiry"]) is None


def test_the_tutor_view_shows_no_per_person_figures(client, crew):
    login(client, crew["tutor"])
    response = client.get("/tutor/")
    page = main_of(response)
    assert response.status_code == 200 and crew["inquiry"].title in page  # control: the tutor's view
    assert "contributions-title" not in page and "Chloé" not in page


def test_the_capability_is_the_students_alone(crew):
    inquiry = crew["inquiry"]
    assert [policy.can(u, "members.contributions", inquiry) for u in crew["students"]] == [True] * 3
    assert not policy.can(crew["tutor"], "members.contributions", inquiry)
    assert not policy.can(crew["partner"], "members.contributions", inquiry)


def _team(n: int):
    """n students, each with a done task, a note, an excerpt, a logbook entry and a meeting role."""
    students = [make_user(f"Student {i:02d}") for i in range(n)]
    inquiry = make_inquiry(students=students)
    held = datetime(2026, 11, 2, 10)
    for student in students:
        add_task(inquiry, "Done", "done", assignees=[student])
        _excerpt(_note(inquiry, student), student)
        _logbook(inquiry, student)
        _meeting(inquiry, held, facilitator=student)
    db.session.commit()
    return inquiry, students[0]


def test_members_page_queries_do_not_grow_with_members(app):
    counts = []
    for n in (3, 8):
        inquiry, student = _team(n)
        client = app.test_client()
        login(client, student)
        url = f"/inquiries/{inquiry.id}/members/"
        assert client.get(url).status_code == 200
        with count_queries() as queries:
            response = client.get(url)
        assert response.status_code == 200 and f"Student {n - 1:02d}" in response.get_data(as_text=True)
        counts.append(queries())
    assert counts[0] == counts[1], counts


def test_a_member_added_later_appears_with_zeros(crew):
    newcomer = make_user("Amadou")
    inquiries.add_member(crew["inquiry"], newcomer, policy.Role.STUDENT)
    db.session.commit()
    rows = followup.contributions(crew["inquiry"], utcnow())
    assert [r.user.name for r in rows][:2] == ["alice", "Amadou"]
    assert (rows[1].tasks_done, rows[1].notes, rows[1].excerpts, rows[1].logbook, rows[1].meetings) == (
        0,
        0,
        0,
        0,
        0,
    )
