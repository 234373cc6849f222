"""Query counts of the tutor's view, my work and the partner portal do not grow with inquiries."""

from datetime import date

from inquiry_hub.db import Base
from inquiry_hub.extensions import db
from tests.conftest import count_queries, login, make_inquiry, make_user
from tests.followup.conftest import add_proposal, add_task, fill


def _world(n: int):
    """n inquiries sharing one tutor, one student and one partner, each with figures."""
    student, tutor, partner = make_user("Student"), make_user("Tutor"), make_user("Partner")
    inquiries = []
    for i in range(n):
        inquiry = make_inquiry(f"Inquiry {i}", students=[student], tutors=[tutor], partners=[partner])
        fill(inquiry, [student])
        add_task(inquiry, f"Shared {i}", shared=True, due_on=date(2099, 1, 1), assignees=[student])
        add_proposal(inquiry, f"Waiting {i}")
        inquiries.append(inquiry)
    db.session.commit()
    return {"student": student, "tutor": tutor, "partner": partner, "inquiry": inquiries[0]}


def _count(app, who: str, path: str, n: int) -> int:
    world = _world(n)
    client = app.test_client()
    login(client, world[who])
    url = path.format(id=world["inquiry"].id)
    assert client.get(url).status_code == 200
    with count_queries() as queries:
        assert client.get(url).status_code == 200
    return queries()


def _constant(app, who, path):
    """Counts with 2 inquiries, then, from empty tables, with 30."""
    few = _count(app, who, path, 2)
    _empty()
    many = _count(app, who, path, 30)
    return few, many


def _empty():
    db.session.rollback()
    for table in reversed(Base.metadata.sorted_tables):
        db.session.execute(table.delete())
    db.session.commit()


def test_tutor_view_queries_do_not_grow_with_inquiries(app):
    few, many = _constant(app, "tutor", "/tutor/")
    assert few == many, (few, many)


def test_my_work_queries_do_not_grow_with_inquiries(app):
    few, many = _constant(app, "student", "/me/")
    assert few == many, (few, many)


def test_partner_portal_queries_do_not_grow_with_inquiries(app):
    few, many = _constant(app, "partner", "/partner/{id}")
    assert few == many, (few, many)
