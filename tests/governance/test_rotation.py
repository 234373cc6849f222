"""The fair rotation of facilitator, secretary and timekeeper (a pure function)."""

from __future__ import annotations

import pytest

from inquiry_hub.governance.services.rotation import ROLES, propose_roles, rotation_table


def _run(students, meetings=12, swap_at=None):
    history = []
    for index in range(meetings):
        roles = propose_roles(students, history)
        if index == swap_at:  # the team swaps two roles that day
            roles["facilitator"], roles["timekeeper"] = roles["timekeeper"], roles["facilitator"]
        history.append(roles)
    return history


def _spread(students, history) -> dict[str, int]:
    table = rotation_table(students, history)
    return {
        role: max(table[s][role] for s in students) - min(table[s][role] for s in students) for role in ROLES
    }


@pytest.mark.parametrize("n", [3, 5])
def test_rotation_is_fair_over_twelve_meetings(n):
    students = list(range(100, 100 + n))
    assert max(_spread(students, _run(students)).values()) <= 1


@pytest.mark.parametrize("n", [3, 4, 5, 6])
def test_rotation_stays_fair_after_the_team_swaps_roles(n):
    students = list(range(1, n + 1))
    assert max(_spread(students, _run(students, swap_at=2)).values()) <= 1


@pytest.mark.parametrize("n", [3, 5])
def test_rotation_is_fair_at_every_meeting_of_the_year(n):
    students = list(range(1, n + 1))
    history = _run(students)
    for k in range(1, len(history) + 1):
        assert max(_spread(students, history[:k]).values()) <= 1


def test_three_roles_go_to_three_different_students():
    roles = propose_roles([1, 2, 3, 4], [])
    assert len(set(roles.values())) == 3


def test_a_newcomer_catches_up_first():
    history = _run([1, 2, 3], meetings=6)
    roles = propose_roles([1, 2, 3, 4], history)
    assert 4 in roles.values()


def test_former_students_in_the_history_are_ignored():
    roles = propose_roles([1, 2, 3], [{"facilitator": 9, "secretary": 1, "timekeeper": 2}])
    assert set(roles.values()) == {1, 2, 3}


def test_fewer_students_than_roles_still_gets_every_role_filled():
    roles = propose_roles([1, 2], [])
    assert set(roles.values()) <= {1, 2} and None not in roles.values()


def test_no_student_no_role():
    assert propose_roles([], []) == dict.fromkeys(ROLES)
