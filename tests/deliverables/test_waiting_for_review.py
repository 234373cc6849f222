"""``waiting_for_review``: what waits for a person's review or answer, for "my work" and the portal."""

from __future__ import annotations

import pytest

from inquiry_hub import policy
from inquiry_hub.deliverables import services as deliverables
from inquiry_hub.deliverables.models import Channel
from inquiry_hub.deliverables.waiting import waiting_for_review
from inquiry_hub.extensions import db
from tests.conftest import count_queries, login, make_inquiry, make_user
from tests.deliverables.conftest import make_deliverable, share_now, text_version


def _titles(user, inquiry_ids) -> list[str]:
    return [w.title for w in waiting_for_review(user, inquiry_ids)]


def _main(response) -> str:
    return response.get_data(as_text=True).split("<main", 1)[1].split("</main>", 1)[0]


def test_tutor_waits_on_the_latest_version_until_giving_feedback(team):
    deliverable = make_deliverable(team["inquiry"], team["student"])
    text_version(deliverable, team["student"], changelog="v1")
    second = text_version(deliverable, team["student"], "# Rapport\n\nDeuxième jet.", "v2")
    assert _titles(team["tutor"], [team["inquiry"].id]) == ["Rapport final (v2)"]
    deliverables.add_review(second, team["tutor"], Channel.INTERNAL, "ready", "")
    db.session.commit()
    assert _titles(team["tutor"], [team["inquiry"].id]) == []


def test_waiting_item_links_the_version_and_names_the_inquiry(team):
    deliverable = make_deliverable(team["inquiry"], team["student"])
    version = text_version(deliverable, team["student"])
    [item] = waiting_for_review(team["tutor"], [team["inquiry"].id])
    assert item.url == f"/inquiries/{team['inquiry'].id}/deliverables/{deliverable.id}/versions/{version.id}"
    assert item.inquiry_title == team["inquiry"].title


def test_partner_waits_only_on_shared_versions_until_reviewing(team):
    deliverable = make_deliverable(team["inquiry"], team["student"])
    first = text_version(deliverable, team["student"])
    assert _titles(team["partner"], [team["inquiry"].id]) == []
    share_now(first)
    text_version(db.session.get(type(deliverable), deliverable.id), team["student"], "# Brouillon", "v2")
    assert _titles(team["partner"], [team["inquiry"].id]) == ["Rapport final (v1)"]
    deliverables.add_review(first, team["partner"], Channel.EXTERNAL, "approve", "")
    db.session.commit()
    assert _titles(team["partner"], [team["inquiry"].id]) == []


def test_approved_deliverable_waits_for_nobody(team):
    deliverable = make_deliverable(team["inquiry"], team["student"])
    version = text_version(deliverable, team["student"])
    share_now(version)
    assert _titles(team["partner"], [team["inquiry"].id]) == ["Rapport final (v1)"]  # control
    deliverables.add_review(version, team["partner"], Channel.EXTERNAL, "approve", "")
    db.session.commit()
    assert _titles(team["tutor"], [team["inquiry"].id]) == []
    assert _titles(team["partner"], [team["inquiry"].id]) == []


def test_students_wait_on_reviewers_comments_until_answered_or_resolved(team):
    deliverable = make_deliverable(team["inquiry"], team["student"])
    version = text_version(deliverable, team["student"])
    first = deliverables.add_comment(version, team["tutor"], "Trop court", "Premier jet")
    second = deliverables.add_comment(version, team["tutor"], "Source ?", "Premier jet")
    deliverables.add_comment(version, team["students"][1], "Note interne", "Premier jet")
    db.session.commit()
    [item] = waiting_for_review(team["student"], [team["inquiry"].id])
    assert item.count == 2 and item.url.endswith("#comments")
    deliverables.add_comment(version, team["students"][1], "Corrigé", parent=first)
    deliverables.resolve_comment(second, team["student"])
    db.session.commit()
    assert _titles(team["student"], [team["inquiry"].id]) == []


def test_students_are_not_asked_to_review_their_own_drafts(team):
    deliverable = make_deliverable(team["inquiry"], team["student"])
    text_version(deliverable, team["student"])
    assert _titles(team["tutor"], [team["inquiry"].id]) == ["Rapport final (v1)"]  # control: the tutor is
    assert _titles(team["student"], [team["inquiry"].id]) == []


def test_another_inquiry_never_shows(team):
    other_tutor = make_user("Other tutor")
    other = make_inquiry("Ailleurs", students=[team["outsider"]], tutors=[other_tutor])
    deliverable = make_deliverable(other, team["outsider"])
    text_version(deliverable, team["outsider"])
    assert _titles(other_tutor, [other.id]) == ["Rapport final (v1)"]  # control: its own tutor is asked
    assert _titles(team["tutor"], [team["inquiry"].id]) == []
    # even if asked about an inquiry they are not in, a person gets nothing of it
    assert _titles(team["tutor"], [other.id]) == []


def test_my_work_shows_the_waiting_review_with_its_link(client, team):
    deliverable = make_deliverable(team["inquiry"], team["student"])
    version = text_version(deliverable, team["student"])
    login(client, team["tutor"])
    html = _main(client.get("/me/", headers={"Accept-Language": "en"}))
    waiting = html.split('id="waiting"', 1)[1].split("</section>", 1)[0]
    assert "Your review of" in waiting and "Rapport final (v1)" in waiting
    assert (
        f'href="/inquiries/{team["inquiry"].id}/deliverables/{deliverable.id}/versions/{version.id}"'
        in waiting
    )


def test_my_work_shows_comments_to_answer_to_students(client, team):
    deliverable = make_deliverable(team["inquiry"], team["student"])
    version = text_version(deliverable, team["student"])
    deliverables.add_comment(version, team["tutor"], "Trop court", "Premier jet")
    db.session.commit()
    login(client, team["students"][2])
    waiting = _main(client.get("/me/", headers={"Accept-Language": "en"})).split('id="waiting"', 1)[1]
    assert "comments to answer on" in waiting.split("</section>", 1)[0]


def test_partner_portal_lists_the_shared_version_to_review(client, team):
    deliverable = make_deliverable(team["inquiry"], team["student"])
    version = text_version(deliverable, team["student"])
    share_now(version)
    login(client, team["partner"])
    html = _main(client.get(f"/partner/{team['inquiry'].id}", headers={"Accept-Language": "en"}))
    reviews = html.split('id="reviews"', 1)[1].split("</section>", 1)[0]
    assert "Rapport final (v1)" in reviews


def _world(n: int):
    """n inquiries sharing a tutor, a partner and a student, each with a draft, a shared
    version and a tutor's comment waiting for an answer."""
    student, mate = make_user("Student"), make_user("Mate")
    tutor, partner = make_user("Tutor"), make_user("Partner")
    for i in range(n):
        inquiry = make_inquiry(f"Inquiry {i}", students=[student, mate], tutors=[tutor], partners=[partner])
        draft = text_version(make_deliverable(inquiry, mate, f"Draft {i}"), mate)
        shared = text_version(make_deliverable(inquiry, mate, f"Shared {i}"), mate)
        share_now(shared)
        deliverables.add_comment(draft, tutor, "Trop court", "Premier jet")
    db.session.commit()
    return {"student": student, "tutor": tutor, "partner": partner}


def _empty():
    from inquiry_hub.db import Base

    db.session.rollback()
    for table in reversed(Base.metadata.sorted_tables):
        db.session.execute(table.delete())
    db.session.commit()
    db.session.expunge_all()


def test_waiting_for_review_queries_do_not_grow_with_inquiries(app):
    counts = {}
    for n in (2, 6):
        world = _world(n)
        for who, user in world.items():
            ids = policy.inquiry_ids_of(user)
            with count_queries() as queries:
                waiting = waiting_for_review(user, ids)
            assert len(waiting) == (2 * n if who == "tutor" else n)
            counts.setdefault(who, []).append(queries())
        _empty()
    assert all(few == many for few, many in counts.values()), counts


@pytest.mark.parametrize("who", ["tutor", "student", "partner"])
def test_my_work_queries_do_not_grow_with_waiting_reviews(app, who):
    counts = []
    for n in (2, 6):
        user = _world(n)[who]
        client = app.test_client()
        login(client, user)
        assert client.get("/me/").status_code == 200
        with count_queries() as queries:
            response = client.get("/me/")
        expected = f"Shared {n - 1} (v1)" if who == "partner" else f"Draft {n - 1} (v1)"
        assert response.status_code == 200 and expected in response.get_data(as_text=True)
        counts.append(queries())
        _empty()
    assert counts[0] == counts[1], counts
