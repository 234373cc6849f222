"""The role × action matrix: ``policy.can`` directly, then the HTTP status of every route.

The expected table below is written from DESIGN.md ("Horizontal permissions"), on purpose
without reading ``policy.CAPABILITIES``: it is the specification the policy is checked against.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask_login import AnonymousUserMixin
from sqlalchemy import func, select
from werkzeug.exceptions import Forbidden, NotFound

from inquiry_hub import policy
from inquiry_hub.extensions import db
from inquiry_hub.inquiries import engine
from inquiry_hub.inquiries.models import Proposal
from inquiry_hub.tasks.models import Task
from tests.conftest import login
from tests.tasks.helpers import make_task

ROOT = Path(__file__).resolve().parent.parent

# S = student, T = tutor, P = partner of the inquiry. A site admin who is not a member,
# a member of another inquiry and an anonymous visitor hold none of these.
SPEC: dict[str, str] = {
    # inquiry overview, timeline, members: read for everyone; edits are the students'.
    "inquiry.view": "STP",
    "inquiry.edit": "S",
    "members.view": "STP",
    # per-person contributions: the team's own page, never the tutor's or the partner's.
    "members.contributions": "S",
    "activity.view": "ST",
    # members, governance rule: via collective action, students only.
    "members.invite": "S",
    "members.remove": "S",
    "governance.change_rule": "S",
    # tasks: students create/edit/move/delete; tutors read, comment; partners read +
    # comment on shared tasks (the object condition is checked separately).
    "tasks.view": "STP",
    "tasks.comment": "STP",
    "tasks.create": "S",
    "tasks.edit": "S",
    "tasks.move": "S",
    "tasks.delete": "S",
    "tasks.share": "S",
    # field material: students full, tutors read + comment, partners never.
    "fieldwork.view": "ST",
    "fieldwork.search": "ST",
    "fieldwork.comment": "ST",
    # analytic memos on codes and excerpts: students and tutors (issue 5).
    "fieldwork.memo": "ST",
    "fieldwork.edit": "S",
    "fieldwork.delete": "S",
    # identity keys: students only (logged).
    "fieldwork.reveal_identity": "S",
    "fieldwork.mark_withdrawal_mistake": "S",
    # deliverables: students full; tutors read, review; partners read, download, review
    # shared versions only.
    "deliverables.view": "STP",
    "deliverables.download": "STP",
    "deliverables.review": "TP",
    "deliverables.edit": "S",
    "deliverables.share": "S",
    # meetings: students full, tutors read + comment, partners joint meetings only.
    "meetings.view": "STP",
    "meetings.comment": "ST",
    "meetings.edit": "S",
    # making a meeting joint, publishing its minutes: collective, students only (issue 15).
    "meetings.make_joint": "S",
    "meetings.publish_minutes": "S",
    # proposals, positions: students propose and take positions; tutors read, comment.
    "decisions.view": "ST",
    "decisions.comment": "ST",
    "decisions.propose": "S",
    "decisions.take_position": "S",
    # the partner answers the proposals it co-decides (a student's amendment of its brief).
    "decisions.take_position_as_partner": "P",
    # logbook: students own + team entries; tutors team entries.
    "logbook.view": "ST",
    "logbook.comment": "ST",
    "logbook.write": "S",
    # the commission: the partner proposes amendments, students too; the team's rule decides.
    "commission.amend": "SP",
    # following the work: the tutor's view of the teams, the partner's portal.
    "followup.tutor_view": "T",
    "followup.partner_portal": "P",
    # privacy: students export the inquiry and change its retention date (collectively);
    # students and tutors read the audit of sensitive reads, partners never.
    "inquiry.export": "S",
    "inquiry.set_retention": "S",
    "audit.view": "ST",
}
SITE_SPEC: dict[str, set[str]] = {"admin.access": {"admin"}}

LETTER = {"student": "S", "tutor": "T", "partner": "P"}
WHO = ("student", "tutor", "partner", "outsider", "admin", "anonymous")


def _person(team, who: str):
    return AnonymousUserMixin() if who == "anonymous" else team[who]


def _expected(action: str, who: str) -> bool:
    if action in SITE_SPEC:
        return who in SITE_SPEC[action]
    return LETTER.get(who, "-") in SPEC[action]


# --- (a) the matrix on can() ------------------------------------------------------------


def test_spec_covers_exactly_the_inquiry_actions_of_the_policy():
    assert set(SPEC) == set(policy.INQUIRY_ACTIONS)


def test_spec_covers_exactly_the_site_actions_of_the_policy():
    assert set(SITE_SPEC) == set(policy.SITE_ACTIONS)


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("action", sorted(SPEC) + sorted(SITE_SPEC))
def test_can_matches_the_capability_table(team, action, who):
    assert policy.can(_person(team, who), action, team["inquiry"]) is _expected(action, who)


def test_can_refuses_an_unknown_action_loudly(team):
    with pytest.raises(ValueError):
        policy.can(team["student"], "tasks.fly", team["inquiry"])


def test_student_who_is_also_admin_keeps_student_rights_and_gains_admin_access(team):
    team["student"].is_admin = True
    db.session.commit()
    assert policy.can(team["student"], "admin.access")
    assert policy.can(team["student"], "tasks.create", team["inquiry"])


# --- (b) object conditions and denial statuses -----------------------------------------


@dataclass
class Thing:
    """A stand-in for any inquiry-scoped object (task, meeting, version, logbook entry)."""

    inquiry: Any
    visible_to_partner: bool = False
    private_to_user_id: int | None = None


def test_partner_is_refused_an_object_not_shared_with_the_partner(team):
    assert not policy.can(team["partner"], "tasks.view", Thing(team["inquiry"]))
    assert policy.can(team["student"], "tasks.view", Thing(team["inquiry"]))  # control: the team reads it


def test_partner_may_read_an_object_shared_with_the_partner(team):
    assert policy.can(team["partner"], "tasks.view", Thing(team["inquiry"], visible_to_partner=True))


def test_partner_may_comment_on_a_shared_task_only(team):
    assert policy.can(team["partner"], "tasks.comment", Thing(team["inquiry"], visible_to_partner=True))
    assert not policy.can(team["partner"], "tasks.comment", Thing(team["inquiry"]))


def test_partner_never_reaches_field_material_even_when_flagged_shared(team):
    shared_note = Thing(team["inquiry"], visible_to_partner=True)
    assert not policy.can(team["partner"], "fieldwork.view", shared_note)
    assert policy.can(team["student"], "fieldwork.view", shared_note)  # control: the team reads it


def test_student_reaches_team_content_that_is_not_shared_with_the_partner(team):
    assert policy.can(team["student"], "tasks.edit", Thing(team["inquiry"]))


def test_student_is_refused_an_object_private_to_another_user(team):
    entry = Thing(team["inquiry"], private_to_user_id=team["students"][1].id)
    assert not policy.can(team["student"], "logbook.view", entry)
    assert policy.can(team["students"][1], "logbook.view", entry)  # control: its author reads it


def test_tutor_is_refused_an_object_private_to_a_student(team):
    entry = Thing(team["inquiry"], private_to_user_id=team["student"].id)
    assert not policy.can(team["tutor"], "logbook.view", entry)
    assert policy.can(team["tutor"], "logbook.view", Thing(team["inquiry"]))  # control: not private, read


def test_author_reaches_her_own_private_object(team):
    entry = Thing(team["inquiry"], private_to_user_id=team["student"].id)
    assert policy.can(team["student"], "logbook.view", entry)


def test_object_of_another_inquiry_is_refused_to_a_student(team):
    assert not policy.can(team["student"], "tasks.view", Thing(team["other_inquiry"]))
    assert policy.can(team["outsider"], "tasks.view", Thing(team["other_inquiry"]))  # control: its own team


@pytest.mark.parametrize("who", ["outsider", "admin"])
@pytest.mark.parametrize("action", ["inquiry.view", "tasks.create", "members.invite", "fieldwork.view"])
def test_denial_is_404_for_non_members(team, who, action):
    assert policy.denial_status(team[who], action, team["inquiry"]) == 404


@pytest.mark.parametrize(
    "action",
    ["fieldwork.view", "fieldwork.search", "decisions.view", "decisions.take_position", "logbook.view"],
)
def test_denial_is_404_for_partner_in_confidential_rooms(team, action):
    assert policy.denial_status(team["partner"], action, team["inquiry"]) == 404


def test_denial_is_404_for_partner_on_an_object_not_shared(team):
    assert policy.denial_status(team["partner"], "tasks.view", Thing(team["inquiry"])) == 404


@pytest.mark.parametrize(
    ("who", "action"),
    [
        ("tutor", "tasks.create"),
        ("tutor", "inquiry.edit"),
        ("tutor", "members.invite"),
        ("partner", "tasks.create"),
        ("partner", "activity.view"),
        ("tutor", "decisions.take_position"),
        ("tutor", "fieldwork.reveal_identity"),
        ("tutor", "logbook.write"),
    ],
)
def test_denial_is_403_for_a_member_lacking_a_visible_capability(team, who, action):
    assert policy.denial_status(team[who], action, team["inquiry"]) == 403


# --- (c) HTTP status per route and role -------------------------------------------------


@pytest.fixture
def world(team):
    """The team with an open proposal (by the second student) awaiting positions."""
    proposal = engine.start(
        team["inquiry"],
        team["students"][1],
        "members.invite",
        {"email": "someone.new@test.example", "role": "student"},
    )
    db.session.commit()
    assert proposal.is_open
    return {
        **team,
        "proposal": proposal.id,
        "phase": team["inquiry"].phases[0].id,
        "inquiry_id": team["inquiry"].id,
    }


def _phase_dates(w):
    prefix = f"phase-{w['phase']}"
    return {f"{prefix}-starts_on": "2026-10-01", f"{prefix}-ends_on": "2026-11-15"}


# name → (method, path, form data)
ROUTES = {
    "home": ("GET", "/inquiries/{inquiry_id}/", None),
    "members": ("GET", "/inquiries/{inquiry_id}/members/", None),
    "decisions": ("GET", "/inquiries/{inquiry_id}/decisions/", None),
    "proposal": ("GET", "/inquiries/{inquiry_id}/decisions/{proposal}", None),
    "activity": ("GET", "/inquiries/{inquiry_id}/activity/", None),
    "edit": ("GET", "/inquiries/{inquiry_id}/edit", None),
    "invite": (
        "POST",
        "/inquiries/{inquiry_id}/members/invite",
        lambda w: {"email": "invited@test.example", "role": "tutor"},
    ),
    "remove": ("POST", "/inquiries/{inquiry_id}/members/{partner_id}/remove", lambda w: {}),
    "governance": (
        "POST",
        "/inquiries/{inquiry_id}/members/governance",
        lambda w: {"gov-rule": "majority", "gov-consent_delay_hours": "48"},
    ),
    "position": (
        "POST",
        "/inquiries/{inquiry_id}/decisions/{proposal}/position",
        lambda w: {"stance": "agree", "reason": ""},
    ),
    "phase": ("POST", "/inquiries/{inquiry_id}/phases/{phase}", _phase_dates),
}

# Expected status per route for: student, tutor, partner, outsider, admin (not a member).
# A successful POST redirects (302); an anonymous visitor is sent to the login page.
EXPECTED = {
    "home": (200, 200, 200, 404, 404),
    "members": (200, 200, 200, 404, 404),
    "decisions": (200, 200, 404, 404, 404),
    "proposal": (200, 200, 404, 404, 404),
    "activity": (200, 200, 403, 404, 404),
    "edit": (200, 403, 403, 404, 404),
    "invite": (302, 403, 403, 404, 404),
    "remove": (302, 403, 403, 404, 404),
    "governance": (302, 403, 403, 404, 404),
    "position": (302, 403, 404, 404, 404),
    "phase": (302, 403, 403, 404, 404),
}


def _request(client, w, route: str):
    method, path, data = ROUTES[route]
    url = path.format(partner_id=w["partner"].id, **{k: v for k, v in w.items() if isinstance(v, int)})
    if method == "GET":
        return client.get(url)
    return client.post(url, data=data(w))


def test_http_table_covers_every_route():
    assert set(EXPECTED) == set(ROUTES)


@pytest.mark.parametrize("who", WHO[:-1])
@pytest.mark.parametrize("route", sorted(ROUTES))
def test_route_status_by_role(client, world, route, who):
    login(client, world[who])
    response = _request(client, world, route)
    assert response.status_code == EXPECTED[route][WHO.index(who)]


@pytest.mark.parametrize("route", sorted(ROUTES))
def test_anonymous_is_sent_to_login(client, world, route):
    response = _request(client, world, route)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login")


@pytest.mark.parametrize("who", ["tutor", "partner", "outsider", "admin"])
def test_refused_invite_opens_no_proposal(client, world, who):
    login(client, world[who])
    _request(client, world, "invite")
    assert db.session.scalar(select(func.count(Proposal.id))) == 1  # the fixture's own


def test_unknown_inquiry_id_looks_like_a_foreign_one(client, team):
    login(client, team["student"])
    assert client.get("/inquiries/999999/").status_code == 404


@pytest.fixture
def foreign(team):
    """A proposal and a phase of the other inquiry, to request under the team's inquiry."""
    other = team["other_inquiry"]
    proposal = engine.start(
        other, team["outsider"], "governance.change_rule", {"rule": "majority", "consent_delay_hours": 48}
    )
    db.session.commit()
    return {"proposal": proposal.id, "phase": other.phases[0].id, "user": team["outsider"].id}


def test_proposal_of_another_inquiry_is_404(client, team, foreign):
    login(client, team["student"])
    response = client.get(f"/inquiries/{team['inquiry'].id}/decisions/{foreign['proposal']}")
    assert response.status_code == 404


def test_position_on_a_proposal_of_another_inquiry_is_404(client, team, foreign):
    login(client, team["student"])
    url = f"/inquiries/{team['inquiry'].id}/decisions/{foreign['proposal']}/position"
    assert client.post(url, data={"stance": "agree"}).status_code == 404


def test_phase_of_another_inquiry_is_404(client, team, foreign):
    login(client, team["student"])
    prefix = f"phase-{foreign['phase']}"
    response = client.post(
        f"/inquiries/{team['inquiry'].id}/phases/{foreign['phase']}",
        data={f"{prefix}-starts_on": "2026-10-01", f"{prefix}-ends_on": "2026-10-20"},
    )
    assert response.status_code == 404


def test_removing_a_member_of_another_inquiry_is_404(client, team, foreign):
    login(client, team["student"])
    response = client.post(f"/inquiries/{team['inquiry'].id}/members/{foreign['user']}/remove")
    assert response.status_code == 404


def test_admin_area_is_403_for_a_non_admin(client, team):
    login(client, team["student"])
    assert client.get("/admin/").status_code == 403


def test_admin_area_is_open_to_an_admin(client, team):
    login(client, team["admin"])
    assert client.get("/admin/").status_code == 200


def test_admin_area_sends_anonymous_to_login(client):
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login")


def test_admin_gets_404_on_an_inquiry_home_when_not_a_member(client, team):
    login(client, team["admin"])
    assert client.get(f"/inquiries/{team['inquiry'].id}/").status_code == 404


# --- (d) no role check outside the policy module ----------------------------------------

#: Role names as string literals; a translatable label (``_("student")``) is text, not a check.
ROLE_LITERAL = re.compile(r"""(?<!_\()(?<!_l\()(["'])(student|tutor|partner)\1""")
#: Comparing a role, or reading one to decide: ``role == ...``, ``... != Role.X``,
#: ``role in ("student", ...)``, ``policy.role_in(...)``, ``user.is_admin``.
ROLE_COMPARISON = re.compile(
    r"""\w*role\s*(==|!=)"""
    r"""|(==|!=|\bis\b)\s*(policy\.)?Role\."""
    r"""|\bRole\.\w+\s*(==|!=|\bis\b)"""
    r"""|\w*role\s+(not\s+)?in\s*[(\[{]"""
    r"""|\brole_in\("""
    # Reading the admin flag to decide (setting it, ``is_admin = True``, is fine).
    r"""|\bis_admin\b(?!\s*(=[^=]|:\s*\w))""",
    re.IGNORECASE,
)


def role_checks(text: str) -> list[str]:
    """Lines of ``text`` that name a role or compare roles."""
    return [
        f"{number}: {line.strip()}"
        for number, line in enumerate(text.splitlines(), 1)
        if ROLE_LITERAL.search(line) or ROLE_COMPARISON.search(line)
    ]


def _scanned_files() -> list[Path]:
    code = [p for p in (ROOT / "inquiry_hub").rglob("*.py") if p.name not in ("policy.py", "seed.py")]
    return sorted(code + list((ROOT / "templates").rglob("*.html")))


@pytest.mark.parametrize(
    "line",
    [
        'if membership.role == "student":',
        "if role != policy.Role.TUTOR:",
        "{% if m.role == 'partner' %}",
        "if policy.Role.PARTNER == m.role:",
        "select(Membership).where(Membership.role == Role.STUDENT)",
        'if role in ("student", "tutor"):',
        "if policy.role_in(user, inquiry) is policy.Role.STUDENT:",
        'kind = "tutor"',
        "if len(rows) == 1 and not current_user.is_admin:",
        "{% if current_user.is_admin %}",
    ],
)
def test_role_check_scanner_flags_role_checks(line):
    assert role_checks(line)


@pytest.mark.parametrize(
    "line",
    [
        "inquiries.add_member(inquiry, user, policy.Role.STUDENT)",
        'policy.Role.STUDENT: _l("student"),',
        "if membership.role in deciders:",
        "Membership.role.in_(roles)",
        "<h3>{{ role_label(role) }}</h3>",
        'if inquiry.governance_rule == "consent":',
        "user.is_admin = True",
        "is_admin: Mapped[bool] = mapped_column(default=False)",
    ],
)
def test_role_check_scanner_leaves_role_values_alone(line):
    assert role_checks('if membership.role == "student":')  # control: the scanner does flag a check
    assert not role_checks(line)


def test_no_role_check_outside_the_policy_module():
    files = _scanned_files()
    assert len(files) > 20  # the scan really reads the code and the templates
    found = {
        str(path.relative_to(ROOT)): hits
        for path in files
        if (hits := role_checks(path.read_text(encoding="utf-8")))
    }
    assert found == {}


# --- the permission table of docs/permissions.md ----------------------------------------

PERMISSION_DOC = ROOT / "docs" / "permissions.md"
TABLE_START, TABLE_END = "<!-- table: start -->", "<!-- table: end -->"


def render_permission_table() -> str:
    """The role × capability table of docs/permissions.md, from policy.CAPABILITIES."""
    roles = list(policy.CAPABILITIES)
    lines = [
        "| capability | " + " | ".join(str(r) for r in roles) + " | how |",
        "|---|" + "---|" * len(roles) + "---|",
    ]
    for action in sorted(policy.INQUIRY_ACTIONS | policy.COLLECTIVE_ACTIONS):
        cells = ["yes" if action in policy.CAPABILITIES[r] else "—" for r in roles]
        how = []
        if action in policy.COLLECTIVE_ACTIONS:
            how.append("collective action")
        if action in policy.SECOND_PERSON_ACTIONS:
            how.append("second person")
        if action.split(".")[0] in policy.CONFIDENTIAL_ROOMS:
            how.append("404 if refused")
        lines.append(f"| `{action}` | " + " | ".join(cells) + f" | {', '.join(how)} |")
    for action in sorted(policy.SITE_ACTIONS):
        lines.append(f"| `{action}` | " + " | ".join("—" for _ in roles) + " | site admin only |")
    return "\n".join(lines)


def test_permission_doc_matches_policy():
    text = PERMISSION_DOC.read_text(encoding="utf-8")
    assert TABLE_START in text and TABLE_END in text
    documented = text.split(TABLE_START, 1)[1].split(TABLE_END, 1)[0].strip()
    expected = render_permission_table()
    assert "`tasks.create` | yes | — | — |" in expected  # the table really is rendered
    assert documented == expected, "docs/permissions.md is out of date; its table should read:\n" + expected


# --- policy.load: the one loader of the routes --------------------------------------------


def test_load_gives_the_object_to_whom_may_do_the_action(team):
    task = make_task(team["inquiry"], team["student"], "Chargée")
    assert policy.load(team["student"], Task, team["inquiry"], task.id, "tasks.delete") is task
    assert policy.load(team["tutor"], Task, team["inquiry"], task.id, "tasks.view") is task


@pytest.mark.parametrize(
    ("who", "inquiry", "action", "status"),
    [
        ("tutor", "inquiry", "tasks.delete", Forbidden),  # sees it, may not delete it
        ("partner", "inquiry", "tasks.comment", NotFound),  # not shared: may not know it exists
        ("student", "other_inquiry", "tasks.view", NotFound),  # not in that inquiry
    ],
)
def test_load_is_404_for_what_one_may_not_know_and_403_for_what_one_may_not_do(
    team, who, inquiry, action, status
):
    task = make_task(team["inquiry"], team["student"], "Chargée")
    assert policy.load(team["student"], Task, team["inquiry"], task.id, action) is task  # control
    with pytest.raises(status):
        policy.load(team[who], Task, team[inquiry], task.id, action)
