"""Trust guarantees of governance: the partner co-decides its brief; joint meetings and published
minutes go through the team's rule.

Findings (measured on main): students amended the partner's brief alone, the partner neither saw
the proposal nor was told; one student alone could make a meeting joint and publish its minutes.
Each attack has its positive control: the legitimate path really changes what the partner sees.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from inquiry_hub.activity.models import Notification, OutboxMessage
from inquiry_hub.db import utcnow
from inquiry_hub.extensions import db
from inquiry_hub.followup.models import EMAIL_IMMEDIATE, NotificationPreference
from inquiry_hub.governance.models import Meeting
from inquiry_hub.governance.services import commission, meetings
from inquiry_hub.inquiries import engine
from inquiry_hub.inquiries.models import Proposal, ProposalStatus
from tests.api.conftest import Api, make_token
from tests.conftest import login
from tests.governance.helpers import base, future


def _brief(scope="PERIMETRE-PROPOSE", note="Élargir le périmètre"):
    return {
        "research_questions": "- Qui décide des investissements ?",
        "scope": scope,
        "schedule": "Restitution en mai.",
        "deliverables": "Un rapport.",
        "note": note,
    }


def _student_amends(client, team, **kw) -> Proposal | None:
    login(client, team["student"])
    assert client.post(base(team, "commission/amend"), data=_brief(**kw)).status_code == 302
    client.post("/auth/logout")
    return db.session.scalar(select(Proposal).where(Proposal.action == "commission.amend"))


def _said(message) -> set[str]:
    """The message in either language: the outcome is stored as the settling request read it."""
    said = set()
    for locale in ("en", "fr"):
        with force_locale(locale):
            said.add(str(message))
    return said


def _team_agrees(proposal, team):
    for student in team["students"]:
        if proposal.is_open:
            engine.take_position(proposal, student, "agree")
    db.session.commit()


def _partner_position(client, team, proposal, stance, reason=""):
    login(client, team["partner"])
    url = base(team, f"commission/proposals/{proposal.id}/position")
    response = client.post(url, data={f"a{proposal.id}-stance": stance, f"a{proposal.id}-reason": reason})
    client.post("/auth/logout")
    return response


# --- the brief ------------------------------------------------------------------------------


def test_student_amendment_agreed_by_the_team_alone_changes_nothing(client, team):
    proposal = _student_amends(client, team)
    _team_agrees(proposal, team)
    engine.settle_due(now=utcnow() + timedelta(hours=49))
    db.session.commit()
    assert commission.current(team["inquiry"]) is None
    assert proposal.status == ProposalStatus.REJECTED  # the partner never agreed
    assert proposal.outcome in _said(_l("Rejected: the partner did not agree before the deadline."))


@pytest.mark.parametrize("rule", ["any_member", "consent", "majority"])
def test_student_amendment_waits_for_the_partner_under_every_rule(client, team, rule):
    team["inquiry"].governance_rule = rule
    db.session.commit()
    proposal = _student_amends(client, team)
    _team_agrees(proposal, team)
    assert proposal.is_open and commission.current(team["inquiry"]) is None


@pytest.mark.parametrize("rule", ["any_member", "consent", "majority"])
def test_student_amendment_applies_once_the_team_and_the_partner_agree(client, team, rule):
    team["inquiry"].governance_rule = rule
    db.session.commit()
    proposal = _student_amends(client, team)
    assert _partner_position(client, team, proposal, "agree").status_code == 302
    _team_agrees(proposal, team)
    assert proposal.status == ProposalStatus.PASSED
    assert commission.current(team["inquiry"]).scope == "PERIMETRE-PROPOSE"


def test_partner_sees_the_student_amendment_on_the_commission_page(client, team):
    proposal = _student_amends(client, team)
    login(client, team["partner"])
    page = client.get(base(team, "commission/?lang=en")).get_data(as_text=True)
    assert "PERIMETRE-PROPOSE" in page and "Élargir le périmètre" in page
    assert f"commission/proposals/{proposal.id}/position" in page


def test_partner_does_not_see_the_team_positions(client, team):
    proposal = _student_amends(client, team)
    engine.take_position(proposal, team["students"][1], "disagree", "RAISON-INTERNE")
    db.session.commit()
    login(client, team["partner"])
    page = client.get(base(team, "commission/")).get_data(as_text=True)
    assert "PERIMETRE-PROPOSE" in page and "RAISON-INTERNE" not in page


def test_students_read_the_partner_answer_on_the_proposal_page(client, team):
    proposal = _student_amends(client, team)
    _partner_position(client, team, proposal, "disagree", "RAISON-DU-PARTENAIRE")
    login(client, team["students"][1])
    page = client.get(base(team, f"decisions/{proposal.id}?lang=en"))
    assert page.status_code == 200 and "RAISON-DU-PARTENAIRE" in page.get_data(as_text=True)
    assert proposal.is_open  # a disagreement is not an agreement: it waits


def test_partner_is_told_of_the_student_amendment(client, team):
    db.session.add(
        NotificationPreference(user_id=team["partner"].id, kind="proposal.co_decision", email=EMAIL_IMMEDIATE)
    )
    db.session.commit()
    _student_amends(client, team)
    note = db.session.scalar(
        select(Notification).where(
            Notification.user_id == team["partner"].id, Notification.kind.like("proposal.%")
        )
    )
    assert (note.kind, note.url) == ("proposal.co_decision", f"/inquiries/{team['inquiry'].id}/commission/")
    assert db.session.scalar(select(OutboxMessage).where(OutboxMessage.to_addr == team["partner"].email))


def test_partner_without_email_setting_is_told_in_the_app_only(client, team):
    _student_amends(client, team)
    asked = select(Notification).where(
        Notification.user_id == team["partner"].id, Notification.kind == "proposal.co_decision"
    )
    assert db.session.scalar(asked)
    assert not db.session.scalar(select(OutboxMessage).where(OutboxMessage.to_addr == team["partner"].email))


def test_partner_block_rejects_the_student_amendment(client, team):
    proposal = _student_amends(client, team)
    assert _partner_position(client, team, proposal, "block", "Hors de notre mandat.").status_code == 302
    _team_agrees(proposal, team)
    assert proposal.status == ProposalStatus.REJECTED and commission.current(team["inquiry"]) is None
    assert proposal.outcome in _said(_l("Rejected: the partner blocked it."))


def test_partner_block_needs_a_reason(client, team):
    proposal = _student_amends(client, team)
    assert _partner_position(client, team, proposal, "block", "").status_code == 422
    assert proposal.positions and all(p.user_id != team["partner"].id for p in proposal.positions)


def test_partner_amendment_follows_the_team_rule_alone(client, team):
    login(client, team["partner"])
    client.post(base(team, "commission/amend"), data=_brief(scope="PAR-LE-PARTENAIRE"))
    proposal = db.session.scalar(select(Proposal))
    _team_agrees(proposal, team)
    assert commission.current(team["inquiry"]).scope == "PAR-LE-PARTENAIRE"


def test_partner_cannot_take_a_position_on_an_internal_proposal(client, team):
    internal = engine.start(
        team["inquiry"], team["student"], "members.invite", {"email": "x@test.example", "role": "student"}
    )
    db.session.commit()
    login(client, team["partner"])
    url = base(team, f"commission/proposals/{internal.id}/position")
    assert client.post(url, data={"stance": "block", "reason": "non"}).status_code == 404
    url = base(team, f"decisions/{internal.id}/position")
    assert client.post(url, data={"stance": "block", "reason": "non"}).status_code == 404
    assert internal.is_open and all(p.user_id != team["partner"].id for p in internal.positions)


def test_students_and_tutors_cannot_use_the_partner_position_route(client, team):
    proposal = _student_amends(client, team)
    for who, status in (("student", 403), ("tutor", 403), ("outsider", 404)):
        login(client, team[who])
        url = base(team, f"commission/proposals/{proposal.id}/position")
        assert client.post(url, data={f"a{proposal.id}-stance": "agree"}).status_code == status
        client.post("/auth/logout")
    assert proposal.is_open


def test_api_partner_position_follows_the_same_rule(client, team):
    proposal = _student_amends(client, team)
    internal = engine.start(
        team["inquiry"], team["student"], "members.invite", {"email": "x@test.example", "role": "student"}
    )
    db.session.commit()
    api = Api(client, make_token(team["partner"]))
    assert api.put(f"/api/v1/proposals/{internal.id}/position", json={"stance": "agree"}).status_code == 404
    assert api.get(f"/api/v1/proposals/{internal.id}").status_code == 404
    abstain = api.put(f"/api/v1/proposals/{proposal.id}/position", json={"stance": "abstain"})
    assert abstain.status_code == 422  # the brief is the partner's: agree, disagree or block
    response = api.put(f"/api/v1/proposals/{proposal.id}/position", json={"stance": "agree"})
    assert response.status_code == 200, response.get_json()
    assert [p["user"]["id"] for p in response.get_json()["positions"]] == [team["partner"].id]
    _team_agrees(proposal, team)
    assert commission.current(team["inquiry"]).scope == "PERIMETRE-PROPOSE"


# --- meetings -------------------------------------------------------------------------------


def _plan(client, team, kind="joint", title="Comité de suivi") -> Meeting:
    login(client, team["student"])
    data = {"title": title, "held_at": future(24), "place": "Salle 2", "kind": kind, "agenda": "Point"}
    assert client.post(base(team, "meetings/new"), data=data).status_code == 302
    client.post("/auth/logout")
    return db.session.scalar(select(Meeting).where(Meeting.title == title))


def _partner_gets(client, team, path):
    login(client, team["partner"])
    response = client.get(base(team, path))
    client.post("/auth/logout")
    return response


def test_one_student_cannot_make_a_new_meeting_joint_under_consent(client, team):
    item = _plan(client, team)
    assert item.kind != "joint"
    assert _partner_gets(client, team, f"meetings/{item.id}").status_code == 404
    proposal = db.session.scalar(select(Proposal).where(Proposal.action == "meetings.make_joint"))
    _team_agrees(proposal, team)
    assert _partner_gets(client, team, f"meetings/{item.id}").status_code == 200  # positive control


def test_one_student_makes_a_meeting_joint_under_any_member_and_it_is_logged(client, team):
    team["inquiry"].governance_rule = "any_member"
    db.session.commit()
    item = _plan(client, team)
    assert item.kind == "joint"
    assert _partner_gets(client, team, f"meetings/{item.id}").status_code == 200
    login(client, team["student"])
    log = client.get(base(team, "activity/?lang=en")).get_data(as_text=True)
    assert "acted directly" in log


def test_one_student_cannot_turn_a_team_meeting_joint_by_editing_it(client, team):
    item = _plan(client, team, kind="team", title="Point interne")
    login(client, team["student"])
    data = {
        "title": "Point interne",
        "held_at": future(24),
        "place": "Salle 2",
        "kind": "joint",
        "agenda": "",
    }
    assert client.post(base(team, f"meetings/{item.id}/edit"), data=data).status_code == 302
    client.post("/auth/logout")
    db.session.refresh(item)
    assert item.kind == "team"
    assert _partner_gets(client, team, f"meetings/{item.id}").status_code == 404


def _joint_with_minutes(team, text="MINUTES-DU-COMITE") -> Meeting:
    item = meetings.create_meeting(
        team["inquiry"], team["student"], title="Comité", held_at=utcnow(), place="", kind="team"
    )
    meetings.make_joint_action(team["inquiry"], {"meeting_id": item.id}, team["student"])
    meetings.save_minutes(item, team["student"], text, item.minutes_version)
    db.session.commit()
    return item


def test_one_student_cannot_publish_minutes_to_the_partner_under_consent(client, team):
    item = _joint_with_minutes(team)
    login(client, team["student"])
    client.post(base(team, f"meetings/{item.id}/publish"), data={"published": "1"})
    client.post("/auth/logout")
    assert "MINUTES-DU-COMITE" not in _partner_gets(client, team, f"meetings/{item.id}").get_data(
        as_text=True
    )
    proposal = db.session.scalar(select(Proposal).where(Proposal.action == "meetings.publish_minutes"))
    _team_agrees(proposal, team)
    page = _partner_gets(client, team, f"meetings/{item.id}")
    assert page.status_code == 200 and "MINUTES-DU-COMITE" in page.get_data(as_text=True)


def test_minutes_edited_after_publication_stay_unpublished(client, team):
    team["inquiry"].governance_rule = "any_member"
    db.session.commit()
    item = _joint_with_minutes(team, "VERSION-PUBLIEE")
    login(client, team["student"])
    client.post(base(team, f"meetings/{item.id}/publish"), data={"published": "1"})
    client.post(base(team, f"meetings/{item.id}/minutes"), data={"minutes": "AJOUT-INTERNE", "version": "1"})
    client.post("/auth/logout")
    db.session.refresh(item)
    assert item.minutes == "AJOUT-INTERNE"
    page = _partner_gets(client, team, f"meetings/{item.id}").get_data(as_text=True)
    assert "VERSION-PUBLIEE" in page and "AJOUT-INTERNE" not in page
    api = Api(client, make_token(team["partner"]))
    assert api.get(f"/api/v1/meetings/{item.id}").get_json()["minutes"] == "VERSION-PUBLIEE"


# --- minutes and the disclosure gate ---------------------------------------------------------


def _vault(team, full_name="Lucienne Martin", aliases="Lulu"):
    from inquiry_hub.fieldwork import services as fieldwork

    interview = fieldwork.create_interview(team["inquiry"], team["student"], {"pseudonym": "E01"})
    fieldwork.set_identity(interview, team["student"], full_name, "", aliases)
    db.session.commit()
    return interview


def test_minutes_naming_someone_of_the_vault_are_not_published(client, team):
    team["inquiry"].governance_rule = "any_member"
    db.session.commit()
    _vault(team)
    item = _joint_with_minutes(team, "on a revu le potager avec lulu martin.")
    login(client, team["student"])
    response = client.post(base(team, f"meetings/{item.id}/publish?lang=en"), data={"published": "1"})
    assert response.status_code == 422 and "E01" in response.get_data(as_text=True)
    client.post("/auth/logout")
    db.session.refresh(item)
    assert item.published_version is None
    assert "potager" not in _partner_gets(client, team, f"meetings/{item.id}").get_data(as_text=True)


def test_published_minutes_are_withheld_when_a_name_enters_the_vault(client, team):
    from inquiry_hub.fieldwork import services as fieldwork

    team["inquiry"].governance_rule = "any_member"
    db.session.commit()
    interview = _vault(team, aliases="")
    item = _joint_with_minutes(team, "on a revu le potager avec lulu.")
    login(client, team["student"])
    client.post(base(team, f"meetings/{item.id}/publish"), data={"published": "1"})
    client.post("/auth/logout")
    assert "potager" in _partner_gets(client, team, f"meetings/{item.id}").get_data(as_text=True)
    fieldwork.set_identity(interview, team["student"], "Lucienne Martin", "", "Lulu")
    db.session.commit()
    db.session.refresh(item)
    assert item.minutes_withheld_at is not None
    assert "potager" not in _partner_gets(client, team, f"meetings/{item.id}").get_data(as_text=True)
    api = Api(client, make_token(team["partner"]))
    assert api.get(f"/api/v1/meetings/{item.id}").get_json()["minutes"] is None
    login(client, team["partner"])
    portal = client.get(f"/partner/{team['inquiry'].id}").get_data(as_text=True)
    client.post("/auth/logout")
    assert "potager" not in portal
    told = db.session.scalars(select(Notification.user_id).where(Notification.kind == "meetings.withheld"))
    assert set(told) == {s.id for s in team["students"]}
    # The alias leaves the vault again: the minutes pass and are back.
    fieldwork.set_identity(interview, team["student"], "Lucienne Martin", "", "")
    db.session.commit()
    assert "potager" in _partner_gets(client, team, f"meetings/{item.id}").get_data(as_text=True)


def test_partner_is_reminded_before_the_deadline_where_it_answers(client, team):
    from inquiry_hub.governance.services import decisions

    proposal = _student_amends(client, team)
    decisions.send_reminders(now=proposal.deadline - timedelta(hours=2))
    db.session.commit()
    note = db.session.scalar(
        select(Notification).where(
            Notification.user_id == team["partner"].id, Notification.kind == "proposal.reminder"
        )
    )
    assert note is not None and note.url == f"/inquiries/{team['inquiry'].id}/commission/"
    internal = engine.start(
        team["inquiry"], team["student"], "members.invite", {"email": "x@test.example", "role": "student"}
    )
    db.session.commit()
    decisions.send_reminders(now=internal.deadline - timedelta(hours=2))
    reminded = db.session.scalars(
        select(Notification).where(
            Notification.user_id == team["partner"].id, Notification.kind == "proposal.reminder"
        )
    ).all()
    assert len(reminded) == 1  # never about an internal proposal


def test_a_joint_meeting_agenda_naming_someone_of_the_vault_is_refused(client, team):
    team["inquiry"].governance_rule = "any_member"
    db.session.commit()
    _vault(team)
    item = _plan(client, team, title="Comité")  # positive control: a clean agenda becomes joint
    assert item.kind == "joint"
    login(client, team["student"])
    data = {
        "title": "Comité",
        "held_at": future(24),
        "place": "",
        "kind": "joint",
        "agenda": "retour de lulu",
    }
    response = client.post(base(team, f"meetings/{item.id}/edit?lang=en"), data=data)
    assert response.status_code == 422 and "E01" in response.get_data(as_text=True)
    data["title"] = "Autre"
    response = client.post(base(team, "meetings/new?lang=en"), data=data)
    assert response.status_code == 422
    client.post("/auth/logout")
    db.session.expire_all()
    assert [a.title for a in db.session.get(Meeting, item.id).agenda] == ["Point"]
    assert db.session.scalar(select(Meeting).where(Meeting.title == "Autre")) is None
