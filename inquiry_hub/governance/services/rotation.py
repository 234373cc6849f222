"""Fair rotation of the coordination roles (facilitator, secretary, timekeeper).

A pure function: given the students and the roles they held at past meetings, propose
who holds each role next, so that over the year every student holds each role about
equally (for any role, the counts of two students differ by at most one).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from itertools import permutations

ROLES = ("facilitator", "secretary", "timekeeper")


def propose_roles(
    students: Sequence[int], history: Sequence[dict[str, int | None]], roles: Sequence[str] = ROLES
) -> dict[str, int | None]:
    """Role → student id for the next meeting; ``history`` lists past meetings, oldest first."""
    if not students:
        return {role: None for role in roles}
    counts = {role: Counter() for role in roles}
    last_held: dict[int, int] = {}
    for index, past in enumerate(history):
        for role in roles:
            holder = past.get(role)
            if holder in students:
                counts[role][holder] += 1
                last_held[holder] = index
    order = {student: i for i, student in enumerate(students)}
    if len(students) < len(roles):
        # Too few people for distinct roles: each role on its own least-loaded student.
        return {role: min(students, key=lambda s, r=role: (counts[r][s], order[s])) for role in roles}
    total = {s: sum(counts[r][s] for r in roles) for s in students}

    def cost(assignment: tuple[int, ...]):
        return (
            max(counts[r][s] for r, s in zip(roles, assignment, strict=True)),
            sum(counts[r][s] for r, s in zip(roles, assignment, strict=True)),
            sum(total[s] for s in assignment),
            sum(last_held.get(s, -1) for s in assignment),
            [order[s] for s in assignment],
        )

    best = min(permutations(students, len(roles)), key=cost)
    return dict(zip(roles, best, strict=True))


def rotation_table(students: Sequence[int], history: Sequence[dict[str, int | None]], roles=ROLES):
    """Student id → role → how many times held."""
    table = {s: dict.fromkeys(roles, 0) for s in students}
    for past in history:
        for role in roles:
            holder = past.get(role)
            if holder in table:
                table[holder][role] += 1
    return table
