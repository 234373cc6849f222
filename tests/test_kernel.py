"""The kernel (accounts, inquiries, activity, policy, storage, search, the shell) stands on its own:
it imports no work room nor upper room; what those contribute, they register."""

from __future__ import annotations

import ast
from pathlib import Path

from inquiry_hub import policy, scope
from inquiry_hub.extensions import db
from inquiry_hub.followup import services as followup
from inquiry_hub.inquiries import engine
from inquiry_hub.inquiries import services as inquiries
from tests.conftest import make_user

PACKAGE = Path(__file__).resolve().parent.parent / "inquiry_hub"
KERNEL_ROOMS = {"accounts", "inquiries", "activity", "storage", "search"}
#: The app factory, the CLI and the demo seed assemble every room: they are not the kernel.
ASSEMBLERS = {"__init__.py", "cli.py", "seed.py"}
ROOMS_ABOVE = {"tasks", "fieldwork", "deliverables", "governance", "followup", "privacy", "admin", "api"}


def _imported_rooms(path: Path) -> set[str]:
    rooms = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            modules = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        else:
            continue
        rooms |= {m.split(".")[1] for m in modules if m.startswith("inquiry_hub.")}
    return rooms


def _kernel_files() -> list[Path]:
    shell = [p for p in PACKAGE.glob("*.py") if p.name not in ASSEMBLERS]
    return shell + [p for room in KERNEL_ROOMS for p in (PACKAGE / room).rglob("*.py")]


def test_the_kernel_imports_no_room_above_it():
    files = _kernel_files()
    assert any(p.name == "policy.py" for p in files) and any(p.name == "engine.py" for p in files)
    found = {str(p.relative_to(PACKAGE)): _imported_rooms(p) & ROOMS_ABOVE for p in files}
    assert {path: rooms for path, rooms in found.items() if rooms} == {}
    # The scan sees imports: the engine imports the policy and the activity room.
    assert {"policy", "activity"} <= _imported_rooms(PACKAGE / "inquiries" / "engine.py")


def test_collective_actions_are_the_engines_registry(app):
    assert set(engine.REGISTRY) == policy.COLLECTIVE_ACTIONS
    # Every room's actions are there, registered by the rooms themselves.
    assert {"members.invite", "tasks.share", "fieldwork.merge_codes", "meetings.publish_minutes"} <= set(
        engine.REGISTRY
    )
    assert policy.is_collective("members.remove") and not policy.is_collective("tasks.create")


def test_a_registered_action_is_collective_for_the_policy(app):
    @engine.collective_action("kernel_test.noop", describe=lambda payload: "noop")
    def noop(inquiry, payload, actor):
        return None

    try:
        assert policy.is_collective("kernel_test.noop")
        assert set(engine.REGISTRY) == policy.COLLECTIVE_ACTIONS
    finally:
        del engine.REGISTRY["kernel_test.noop"]
        policy.COLLECTIVE_ACTIONS.discard("kernel_test.noop")


def test_members_who_can(app, team):
    inquiry = team["inquiry"]
    everyone = policy.members_who_can(inquiry)
    expected = {u.id for u in (*team["students"], team["tutor"], team["partner"])}
    assert {u.id for u in everyone} == expected
    assert [u.name for u in everyone] == sorted(u.name for u in everyone)
    voters = policy.members_who_can(inquiry, "decisions.take_position")
    assert {u.id for u in voters} == {u.id for u in team["students"]}
    outsider = make_user("Outsider of the kernel test")
    db.session.flush()
    assert outsider.id not in {u.id for u in policy.members_who_can(inquiry)}


def test_the_scope_settles_through_a_registered_hook():
    assert engine.settle_due in scope._on_load


def test_the_members_page_counts_contributions_through_a_registered_counter(app):
    assert inquiries._contributions == [followup.contributions]


def test_the_policy_imports_no_room_the_inquiries_room_hands_it_its_directory(app, team):
    room_packages = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()}
    assert _imported_rooms(PACKAGE / "policy.py") & room_packages == set()
    assert _imported_rooms(PACKAGE / "scope.py") & room_packages == set()
    # The directory answers: a member is a member, with the role of the membership.
    inquiry = team["inquiry"]
    assert policy.role_in(team["students"][0], inquiry) == policy.Role.STUDENT
    assert policy.role_in(team["outsider"], inquiry) is None
