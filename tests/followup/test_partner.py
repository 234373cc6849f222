"""The partner's portal: where partners land, and nothing unshared on it."""

from markupsafe import escape
from sqlalchemy import select

from inquiry_hub.accounts.models import User
from inquiry_hub.db import Base
from inquiry_hub.extensions import db
from inquiry_hub.inquiries.models import Inquiry, Membership, Phase
from inquiry_hub.seed import DEMO_PASSWORD, seed_demo
from inquiry_hub.tasks.models import Label, TaskColumn
from tests.conftest import login
from tests.followup.conftest import add_task, main_of

#: Objects the portal shows by design, whatever their flags.
SHOWN = (Phase, Membership, TaskColumn, Label, Inquiry)
TEXT_FIELDS = ("title", "pseudonym", "name", "body", "minutes", "summary", "text", "place", "reason")


def _of_inquiry(obj, inquiry_id: int) -> bool:
    if getattr(obj, "inquiry_id", None) == inquiry_id:
        return True
    try:
        inquiry = getattr(obj, "inquiry", None)
    except Exception:  # a property that needs what this object lacks
        return False
    return getattr(inquiry, "id", None) == inquiry_id


def _texts(obj) -> list[str]:
    """Distinctive lines of an object's text fields (long enough not to be common words)."""
    found = []
    for field in TEXT_FIELDS:
        value = getattr(obj, field, None)
        if isinstance(value, str):
            found += [line.strip(" #-*>") for line in value.splitlines() if len(line.strip(" #-*>")) >= 16]
    return found


def _seeded_partner(client):
    seed_demo()
    db.session.commit()
    inquiry = db.session.scalar(select(Inquiry).where(Inquiry.title == "Les Jardins du Lien"))
    partner = db.session.scalar(select(User).where(User.email == "partner-a@demo.example"))
    login(client, partner, DEMO_PASSWORD)
    return inquiry


def test_partner_lands_on_the_portal(client):
    inquiry = _seeded_partner(client)
    response = client.get("/inquiries/")
    assert response.headers["Location"].endswith(f"/partner/{inquiry.id}")


def test_portal_leaks_nothing_unshared_of_a_seeded_inquiry(client):
    inquiry = _seeded_partner(client)
    html = main_of(client.get(f"/partner/{inquiry.id}"))
    shown, hidden = [], []
    for mapper in Base.registry.mappers:
        for obj in db.session.scalars(select(mapper.class_)):
            if not _of_inquiry(obj, inquiry.id):
                continue
            visible = isinstance(obj, SHOWN) or bool(getattr(obj, "visible_to_partner", False))
            (shown if visible else hidden).extend(_texts(obj))
    assert hidden, "the seeded inquiry should hold unshared objects"
    allowed = " ".join(shown)
    leaks = [t for t in hidden if t not in allowed and str(escape(t)) in html]
    assert leaks == []


def test_portal_shows_shared_tasks_and_published_joint_minutes(client):
    inquiry = _seeded_partner(client)
    html = main_of(client.get(f"/partner/{inquiry.id}"))
    shared = html.split('id="shared-tasks"')[1]
    meetings = html.split('id="joint-meetings"')[1]
    assert "<li><a " in shared.split("</section>")[0] and "<details>" in meetings


def test_portal_hides_an_unshared_task(client, team):
    add_task(team["inquiry"], "Secret task of the team")
    add_task(team["inquiry"], "Task for the partner", shared=True)
    db.session.commit()
    login(client, team["partner"])
    html = main_of(client.get(f"/partner/{team['inquiry'].id}"))
    assert "Task for the partner" in html and "Secret task of the team" not in html


def test_portal_lists_open_shared_tasks_and_the_latest_joint_meetings(client, team):
    from datetime import datetime, timedelta

    from inquiry_hub.followup.services import PORTAL_MEETINGS
    from inquiry_hub.governance.models import Meeting, MeetingKind

    add_task(team["inquiry"], "Shared and still open", shared=True)
    add_task(team["inquiry"], "Shared and already done", column="done", shared=True)
    start = datetime(2026, 10, 1, 18, 0)
    for n in range(PORTAL_MEETINGS + 2):
        db.session.add(
            Meeting(
                inquiry_id=team["inquiry"].id,
                title=f"Comité conjoint numéro {n}",
                held_at=start + timedelta(days=7 * n),
                kind=MeetingKind.JOINT,
            )
        )
    db.session.commit()
    login(client, team["partner"])
    html = main_of(client.get(f"/partner/{team['inquiry'].id}"))
    assert "Shared and still open" in html and "Shared and already done" not in html
    shown = [n for n in range(PORTAL_MEETINGS + 2) if f"Comité conjoint numéro {n}<" in html]
    assert shown == list(range(2, PORTAL_MEETINGS + 2))  # the latest ones
    # The rest is one link away.
    assert f'href="/inquiries/{team["inquiry"].id}/meetings/"' in html
    assert f'href="/inquiries/{team["inquiry"].id}/tasks/"' in html
