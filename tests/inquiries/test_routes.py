"""The inquiries room through HTTP: members, governance rule, phases, activity, notifications."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select

from inquiry_hub.accounts.models import Invitation
from inquiry_hub.activity.models import Activity, Notification, OutboxMessage
from inquiry_hub.extensions import db
from inquiry_hub.inquiries import services as inquiries
from inquiry_hub.inquiries.models import Inquiry, Phase, Proposal, ProposalStatus
from tests.conftest import count_queries, login, make_inquiry, make_user

NEW = "nouvelle.enqueteuse@test.example"


def _url(inquiry, path: str = "") -> str:
    return f"/inquiries/{inquiry.id}/{path}"


def _all(model, *where):
    db.session.expire_all()
    return db.session.scalars(select(model).where(*where)).all()


def _invite(client, team, email=NEW, role="student"):
    return client.post(_url(team["inquiry"], "members/invite"), data={"email": email, "role": role})


def _everyone_else_agrees(client, team, proposal_id: int) -> None:
    for student in team["students"][1:]:
        login(client, student)
        response = client.post(
            _url(team["inquiry"], f"decisions/{proposal_id}/position"), data={"stance": "agree"}
        )
        assert response.status_code == 302


def _set_rule(team, rule: str) -> None:
    team["inquiry"].governance_rule = rule
    db.session.commit()


def _table_body(response) -> str:
    html = response.get_data(as_text=True)
    return html[html.index("<tbody>") : html.index("</tbody>")]


# --- inviting ---------------------------------------------------------------------------


def test_invite_under_consent_opens_a_proposal(client, team):
    login(client, team["student"])
    response = _invite(client, team)
    (proposal,) = _all(Proposal)
    assert response.headers["Location"] == _url(team["inquiry"], f"decisions/{proposal.id}")
    assert (proposal.action, proposal.payload["email"], proposal.status) == ("members.invite", NEW, "open")


def test_invite_under_consent_sends_nothing_before_the_decision(client, team):
    login(client, team["student"])
    assert _invite(client, team).status_code == 302
    assert len(_all(Proposal)) == 1  # control: the invitation waits as a proposal
    assert _all(Invitation) == []
    assert _all(OutboxMessage, OutboxMessage.to_addr == NEW) == []


def test_invitation_is_sent_once_the_other_students_agree(client, team):
    login(client, team["student"])
    _invite(client, team)
    (proposal,) = _all(Proposal)
    _everyone_else_agrees(client, team, proposal.id)
    assert [i.email for i in _all(Invitation)] == [NEW]
    assert len(_all(OutboxMessage, OutboxMessage.to_addr == NEW)) == 1


def test_invite_under_any_member_happens_immediately(client, team):
    _set_rule(team, "any_member")
    login(client, team["student"])
    response = _invite(client, team)
    assert response.headers["Location"] == _url(team["inquiry"], "members/")
    assert [i.email for i in _all(Invitation)] == [NEW]
    assert len(_all(OutboxMessage, OutboxMessage.to_addr == NEW)) == 1
    assert _all(Proposal) == []


def test_inviting_an_existing_member_shows_the_form_again_with_an_error(client, team):
    login(client, team["student"])
    response = _invite(client, team, email=team["tutor"].email)
    assert response.status_code == 422
    assert 'id="email-error"' in response.get_data(as_text=True)


def test_inviting_an_existing_member_creates_nothing(client, team):
    login(client, team["student"])
    response = _invite(client, team, email=team["tutor"].email.upper())
    assert response.status_code == 422 and 'id="email-error"' in response.get_data(as_text=True)
    assert _all(Proposal) == []
    assert _all(Invitation) == []


def test_inviting_with_an_unknown_role_is_refused(client, team):
    login(client, team["student"])
    assert _invite(client, team, role="admin").status_code == 422
    assert _all(Proposal) == []


# --- removing, governance rule ----------------------------------------------------------


def test_removing_a_member_goes_through_a_proposal(client, team):
    partner = team["partner"]
    login(client, team["student"])
    client.post(_url(team["inquiry"], f"members/{partner.id}/remove"))
    assert inquiries.membership_of(team["inquiry"], partner.id) is not None
    (proposal,) = _all(Proposal)
    _everyone_else_agrees(client, team, proposal.id)
    assert inquiries.membership_of(team["inquiry"], partner.id) is None


def test_removed_member_loses_access_to_the_inquiry(client, team):
    _set_rule(team, "any_member")
    login(client, team["student"])
    client.post(_url(team["inquiry"], f"members/{team['partner'].id}/remove"))
    login(client, team["partner"])
    assert client.get(_url(team["inquiry"])).status_code == 404


def test_governance_change_waits_for_the_proposal(client, team):
    login(client, team["student"])
    client.post(
        _url(team["inquiry"], "members/governance"),
        data={"gov-rule": "majority", "gov-consent_delay_hours": "24"},
    )
    assert db.session.get(Inquiry, team["inquiry"].id).governance_rule == "consent"
    assert [p.action for p in _all(Proposal)] == ["governance.change_rule"]


def test_governance_change_applies_once_every_student_agrees(client, team):
    login(client, team["student"])
    client.post(
        _url(team["inquiry"], "members/governance"),
        data={"gov-rule": "majority", "gov-consent_delay_hours": "24"},
    )
    (proposal,) = _all(Proposal)
    _everyone_else_agrees(client, team, proposal.id)
    inquiry = db.session.get(Inquiry, team["inquiry"].id)
    assert (inquiry.governance_rule, inquiry.consent_delay_hours) == ("majority", 24)


def test_governance_change_refuses_an_unknown_rule(client, team):
    login(client, team["student"])
    response = client.post(
        _url(team["inquiry"], "members/governance"),
        data={"gov-rule": "dictator", "gov-consent_delay_hours": "24"},
    )
    assert response.status_code == 422
    assert _all(Proposal) == []


# --- phases and inquiry text ------------------------------------------------------------


def _post_phase(client, phase, starts_on: str, ends_on: str):
    prefix = f"phase-{phase.id}"
    return client.post(
        _url(phase.inquiry, f"phases/{phase.id}"),
        data={f"{prefix}-starts_on": starts_on, f"{prefix}-ends_on": ends_on},
    )


def test_phase_dates_are_saved(client, team):
    phase = team["inquiry"].phases[0]
    login(client, team["student"])
    _post_phase(client, phase, "2026-10-05", "2026-11-30")
    db.session.expire_all()
    phase = db.session.get(Phase, phase.id)
    assert (phase.starts_on, phase.ends_on) == (date(2026, 10, 5), date(2026, 11, 30))


def test_phase_ending_before_it_starts_is_refused_and_nothing_changes(client, team):
    phase = team["inquiry"].phases[0]
    before = (phase.starts_on, phase.ends_on)
    login(client, team["student"])
    _post_phase(client, phase, "2026-12-01", "2026-11-01")
    db.session.expire_all()
    phase = db.session.get(Phase, phase.id)
    assert (phase.starts_on, phase.ends_on) == before
    assert _all(Activity, Activity.verb == "inquiry.phases_edited") == []


def test_inquiry_edit_saves_title_and_question(client, team):
    login(client, team["student"])
    response = client.post(
        _url(team["inquiry"], "edit"), data={"title": "Nouveau titre", "question": "Pourquoi ?"}
    )
    assert response.headers["Location"] == _url(team["inquiry"])
    db.session.expire_all()
    inquiry = db.session.get(Inquiry, team["inquiry"].id)
    assert (inquiry.title, inquiry.question) == ("Nouveau titre", "Pourquoi ?")


def test_inquiry_edit_refuses_an_empty_title(client, team):
    login(client, team["student"])
    response = client.post(_url(team["inquiry"], "edit"), data={"title": "  ", "question": "?"})
    assert response.status_code == 200
    assert db.session.get(Inquiry, team["inquiry"].id).title == "Enquête test"


# --- my inquiries -----------------------------------------------------------------------


def test_my_inquiries_sends_a_single_inquiry_member_to_its_home(client, team):
    login(client, team["student"])
    response = client.get("/inquiries/")
    assert response.status_code == 302
    assert response.headers["Location"] == _url(team["inquiry"])


def test_my_inquiries_lists_every_inquiry_of_a_member_of_several(client, team):
    second = make_inquiry("Deuxième enquête", tutors=[team["tutor"]])
    login(client, team["tutor"])
    html = client.get("/inquiries/").get_data(as_text=True)
    assert team["inquiry"].title in html and second.title in html


# --- activity page ----------------------------------------------------------------------


def test_activity_page_lists_writes_newest_first(client, team):
    login(client, team["student"])
    for title in ("Titre Un", "Titre Deux", "Titre Trois"):
        client.post(_url(team["inquiry"], "edit"), data={"title": title, "question": ""})
    body = _table_body(client.get(_url(team["inquiry"], "activity/")))
    assert body.index("Titre Trois") < body.index("Titre Deux") < body.index("Titre Un")


def test_activity_page_filters_by_room(app, client, team):
    _set_rule(team, "any_member")
    newcomer = make_user("Zoé Nouvelle")
    login(client, team["student"])
    client.post(_url(team["inquiry"], "edit"), data={"title": "Titre modifié", "question": ""})
    _invite(client, team, email=newcomer.email)
    link = re.search(r"/auth/invitation/[\w-]+", _all(OutboxMessage)[-1].body).group(0)
    joining = app.test_client()  # the newcomer joins through the emailed link
    login(joining, newcomer)
    joining.post(link)
    body = _table_body(client.get(_url(team["inquiry"], "activity/?room=members")))
    assert "Zoé Nouvelle" in body
    assert "Titre modifié" not in body


# --- notifications ----------------------------------------------------------------------


def _opened_notifications(user) -> list[Notification]:
    return _all(Notification, Notification.user_id == user.id, Notification.kind == "proposal.opened")


def test_other_students_see_a_proposal_opened_notification(client, team):
    login(client, team["student"])
    _invite(client, team)
    reader = team["students"][1]
    (notification,) = _opened_notifications(reader)
    login(client, reader)
    html = client.get("/notifications/").get_data(as_text=True)
    assert f"/notifications/{notification.id}" in html
    assert team["student"].name in html


def test_proposer_gets_no_proposal_opened_notification(client, team):
    login(client, team["student"])
    _invite(client, team)
    assert len(_opened_notifications(team["students"][1])) == 1  # control: the others are told
    assert _opened_notifications(team["student"]) == []
    assert _opened_notifications(team["tutor"]) == []


def test_mark_all_read_marks_my_notifications_only(client, team):
    login(client, team["student"])
    _invite(client, team)
    reader, other = team["students"][1], team["students"][2]
    login(client, reader)
    assert client.post("/notifications/read").status_code == 302
    assert [n.read_at is not None for n in _opened_notifications(reader)] == [True]
    assert [n.read_at is not None for n in _opened_notifications(other)] == [False]


def test_opening_a_notification_marks_it_read_and_follows_it(client, team):
    login(client, team["student"])
    _invite(client, team)
    reader = team["students"][1]
    (notification,) = _opened_notifications(reader)
    login(client, reader)
    response = client.get(f"/notifications/{notification.id}")
    assert response.headers["Location"] == notification.url
    assert _opened_notifications(reader)[0].read_at is not None


# --- query count ------------------------------------------------------------------------


def test_inquiry_home_query_count_does_not_grow_with_members(client):
    viewer = make_user("Viewer")
    small = make_inquiry("Petite", students=[viewer, make_user(), make_user()])
    big = make_inquiry(
        "Grande",
        students=[viewer, *(make_user() for _ in range(26))],
        tutors=[make_user()],
        partners=[make_user(), make_user()],
    )
    assert (len(small.memberships), len(big.memberships)) == (3, 30)
    login(client, viewer)
    counts = []
    for inquiry in (small, big):
        assert client.get(_url(inquiry)).status_code == 200  # warm-up
        db.session.expire_all()
        with count_queries() as n:
            assert client.get(_url(inquiry)).status_code == 200
        counts.append(n())
    assert counts[0] == counts[1]


def test_open_proposals_show_on_the_inquiry_home(client, team):
    login(client, team["student"])
    _invite(client, team)
    (proposal,) = _all(Proposal)
    html = client.get(_url(team["inquiry"])).get_data(as_text=True)
    assert f"decisions/{proposal.id}" in html


def test_closed_proposals_do_not_show_on_the_inquiry_home(client, team):
    login(client, team["student"])
    _invite(client, team)
    (proposal,) = _all(Proposal)
    _everyone_else_agrees(client, team, proposal.id)
    assert db.session.get(Proposal, proposal.id).status == ProposalStatus.PASSED
    html = client.get(_url(team["inquiry"])).get_data(as_text=True)
    assert f"decisions/{proposal.id}" not in html
