"""Schemathesis against the app, from its own OpenAPI document, with a student's token.

Each operation gets random ids (mostly 404) and the ids of a real inquiry, task and interview.

Bounded (20 examples per operation, no deadline) and marked ``fuzz``: it runs as its own
step of ``.ci/run``, not in the default suite. Run it with::

    .venv/bin/pytest -m fuzz -q tests/api/test_fuzz.py

The operations are walked by hand rather than with ``schema.parametrize()``: schemathesis'
fixture-based parametrisation reads a pytest attribute that pytest 9 no longer has.
"""

from __future__ import annotations

import pytest

schemathesis = pytest.importorskip("schemathesis", reason="the fuzzing needs schemathesis")

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from schemathesis.checks import (  # noqa: E402
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from inquiry_hub.extensions import db  # noqa: E402
from tests.api.conftest import make_token  # noqa: E402

pytestmark = pytest.mark.fuzz

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
MAX_EXAMPLES = 20


def _operations(app):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    # Deletions last: the real task must still exist while the other operations run.
    return sorted(operations, key=lambda op: op.method.upper() == "DELETE")


def test_document_lists_every_operation(app):
    labels = {op.label for op in _operations(app)}
    assert "PATCH /api/v1/tasks/{task_id}" in labels
    assert len(labels) >= 12


def _decision_and_deliverable_ids(world) -> dict[str, int]:
    """A deliverable with a version, a joint meeting and an open proposal, for the fuzzer."""
    from datetime import timedelta

    from inquiry_hub.db import utcnow
    from inquiry_hub.deliverables import services as deliverables
    from inquiry_hub.governance.services import decisions, meetings

    inquiry, student = world["inquiry"], world["student"]
    deliverable = deliverables.create_deliverable(
        inquiry, student, title="Rapport", kind="final_report", due_on=None, phase=""
    )
    version = deliverables.add_text_version(deliverable, student, "# Rapport", "v1")
    meeting = meetings.create_meeting(
        inquiry, student, title="Comité", held_at=utcnow(), place="", kind="team", agenda=["Point"]
    )
    meetings.make_joint_action(inquiry, {"meeting_id": meeting.id}, student)  # as if the team agreed
    proposal = decisions.open_proposal(
        inquiry, student, title="Proposition", body="", kind="consent", deadline=utcnow() + timedelta(days=2)
    )
    db.session.commit()
    return {
        "deliverable_id": deliverable.id,
        "version_id": version.id,
        "meeting_id": meeting.id,
        "proposal_id": proposal.id,
    }


def _coding_ids(world) -> dict[str, int]:
    """A code and an excerpt of the world's note, for the fuzzer."""
    from inquiry_hub.fieldwork.services import coding

    code = coding.create_code(world["inquiry"], world["student"], name="Engagement")
    excerpt = coding.code_span(world["note"], world["student"], 0, 2, [code.id])
    db.session.commit()
    return {"code_id": code.id, "excerpt_id": excerpt.id}


def test_api_conforms_to_its_document(app, world):
    token = make_token(world["student"])
    headers = {"Authorization": f"Bearer {token}"}
    failures = {}
    ids = {
        "inquiry_id": world["inquiry"].id,
        "task_id": world["task"].id,
        "interview_id": world["interview"].id,
        "note_id": world["note"].id,
        **_decision_and_deliverable_ids(world),
        **_coding_ids(world),
    }

    def real_ids(case):
        """The same case aimed at objects that exist, so validation and writes are reached too."""
        if case.path_parameters:
            case.path_parameters = {k: ids.get(k, v) for k, v in case.path_parameters.items()}
        return case

    rate_limit, app.config["API_RATE_LIMIT"] = app.config["API_RATE_LIMIT"], "100000 per minute"
    operations = _operations(app)
    assert len(operations) >= 40  # control: the whole document is walked, not an empty one
    try:
        for operation in operations:

            @given(case=st.one_of(operation.as_strategy(), operation.as_strategy().map(real_ids)))
            @settings(
                max_examples=MAX_EXAMPLES,
                deadline=None,
                derandomize=True,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            def run(case):
                try:
                    case.call_and_validate(headers=headers, checks=CHECKS)
                finally:
                    db.session.rollback()

            try:
                run()
            except Exception as error:  # noqa: BLE001 - collected, reported together below
                failures[operation.label] = f"{type(error).__name__}: {error}"[:3000]
    finally:
        app.config["API_RATE_LIMIT"] = rate_limit
    assert failures == {}, "\n\n".join(f"{k}\n{v}" for k, v in failures.items())
