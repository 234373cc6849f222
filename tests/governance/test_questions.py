"""Research questions: rows synced from the accepted brief, linked from tasks, interviews and
deliverables, and their coverage on the inquiry home."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from inquiry_hub.deliverables import services as deliverables
from inquiry_hub.deliverables.models import Deliverable
from inquiry_hub.extensions import db
from inquiry_hub.fieldwork import services as fieldwork
from inquiry_hub.fieldwork.models import Interview
from inquiry_hub.fieldwork.services import coding
from inquiry_hub.governance.models import ResearchQuestion
from inquiry_hub.governance.models.commission import parse_questions
from inquiry_hub.governance.services import commission
from inquiry_hub.inquiries import engine
from inquiry_hub.inquiries.models import Proposal
from inquiry_hub.tasks.models import Task
from tests.conftest import count_queries, login, make_inquiry, make_user
from tests.governance.helpers import base
from tests.tasks.helpers import column, make_task


def _accept(inquiry, questions: str, actor=None) -> list[ResearchQuestion]:
    """Store a new accepted brief directly, as the collective action does; committed."""
    payload = commission.amendment_payload({"research_questions": questions, "scope": "S"}, "why", 0)
    commission.apply_amendment(inquiry, payload, actor)
    db.session.commit()
    return commission.questions(inquiry)


def _texts(inquiry) -> list[tuple[str, str]]:
    return [(q.label, q.text) for q in commission.questions(inquiry)]


# --- parsing the brief ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("markdown", "expected"),
    [
        ("Qui décide ?\nQui vient ?", ["Qui décide ?", "Qui vient ?"]),
        (
            "Question centrale ?\n\n- Sous-question A ?\n- Sous-question B ?",
            ["Question centrale ?", "Sous-question A ?", "Sous-question B ?"],
        ),
        ("1. Un ?\n2) Deux ?\n* Trois ?\n+ Quatre ?", ["Un ?", "Deux ?", "Trois ?", "Quatre ?"]),
        (
            "- Une question longue\n  qui continue ici ?\n- Une autre ?",
            ["Une question longue qui continue ici ?", "Une autre ?"],
        ),
        ("## Nos questions\n\n---\n- A ?\n\n", ["A ?"]),
        ("Q1 : Typée ?\n- Q2. Aussi ?\n- [ ] Case ?\n> Citée ?", ["Typée ?", "Aussi ?", "Case ?", "Citée ?"]),
        ("- A ?\n- A ?\n-   \n", ["A ?"]),
        ("", []),
        ("   \n\n", []),
    ],
    ids=[
        "lines",
        "intro-and-list",
        "list-markers",
        "continuation",
        "headings-rules",
        "labels",
        "duplicates",
        "empty",
        "blank",
    ],
)
def test_parse_questions_reads_lines_and_markdown_lists(markdown, expected):
    assert parse_questions(markdown) == expected


# --- syncing the rows with the accepted brief -------------------------------------------------


def test_first_accepted_brief_numbers_its_questions(team):
    _accept(team["inquiry"], "- A ?\n- B ?\n- C ?")
    assert _texts(team["inquiry"]) == [("Q1", "A ?"), ("Q2", "B ?"), ("Q3", "C ?")]


def test_unchanged_question_keeps_its_row_when_moved(team):
    first = {q.text: q.id for q in _accept(team["inquiry"], "- A ?\n- B ?")}
    second = _accept(team["inquiry"], "- B ?\n- A ?")
    assert [(q.text, q.id, q.label) for q in second] == [
        ("B ?", first["B ?"], "Q2"),
        ("A ?", first["A ?"], "Q1"),
    ]


def test_changed_text_at_the_same_place_updates_that_question(team):
    before = _accept(team["inquiry"], "- A ?\n- B ?")
    after = _accept(team["inquiry"], "- A ?\n- B, reformulée ?")
    assert (after[1].id, after[1].label, after[1].text) == (before[1].id, "Q2", "B, reformulée ?")


def test_new_question_gets_the_next_number(team):
    _accept(team["inquiry"], "- A ?\n- B ?")
    assert _texts(team["inquiry"])[-1] == ("Q2", "B ?")
    _accept(team["inquiry"], "- A ?\n- B ?\n- C ?")
    assert _texts(team["inquiry"])[-1] == ("Q3", "C ?")


def test_question_left_out_is_retired_not_deleted(team):
    _accept(team["inquiry"], "- A ?\n- B ?\n- C ?")
    _accept(team["inquiry"], "- A ?\n- C ?")
    every = commission.questions(team["inquiry"], include_retired=True)
    assert [(q.label, q.retired) for q in every] == [("Q1", False), ("Q3", False), ("Q2", True)]


def test_retired_number_is_never_reused(team):
    _accept(team["inquiry"], "- A ?\n- B ?")
    _accept(team["inquiry"], "- A ?")
    _accept(team["inquiry"], "- A ?\n- D ?\n- E ?")
    assert [label for label, _ in _texts(team["inquiry"])] == ["Q1", "Q3", "Q4"]


def test_links_survive_retirement(team):
    questions = _accept(team["inquiry"], "- A ?\n- B ?")
    task = make_task(team["inquiry"], team["student"], research_question_id=questions[1].id)
    _accept(team["inquiry"], "- A ?")
    db.session.refresh(task)
    assert (task.research_question.label, task.research_question.retired) == ("Q2", True)


def test_retired_question_coming_back_is_active_again_with_its_links(team):
    questions = _accept(team["inquiry"], "- A ?\n- B ?")
    task = make_task(team["inquiry"], team["student"], research_question_id=questions[1].id)
    _accept(team["inquiry"], "- A ?")
    _accept(team["inquiry"], "- A ?\n- B ?")
    db.session.refresh(task)
    assert (task.research_question.label, task.research_question.retired) == ("Q2", False)


def test_question_rows_of_another_inquiry_are_untouched(team):
    _accept(team["other_inquiry"], "- Autre ?")
    _accept(team["inquiry"], "- A ?")
    assert _texts(team["other_inquiry"]) == [("Q1", "Autre ?")]


# --- amendments through the governance rule ---------------------------------------------------


def _partner_amends(client, team, questions: str):
    login(client, team["partner"])
    data = {"research_questions": questions, "scope": "S", "schedule": "", "deliverables": "", "note": "N"}
    assert client.post(base(team, "commission/amend"), data=data).status_code == 302
    client.post("/auth/logout")
    return db.session.scalar(select(Proposal).where(Proposal.action == commission.ACTION))


def test_accepted_partner_amendment_changes_the_questions_both_sides_see(client, team):
    _accept(team["inquiry"], "- Ancienne ?")
    proposal = _partner_amends(client, team, "- Ancienne ?\n- QUESTION-NOUVELLE ?")
    for student in team["students"]:
        engine.take_position(proposal, student, "agree")
    db.session.commit()
    assert _texts(team["inquiry"]) == [("Q1", "Ancienne ?"), ("Q2", "QUESTION-NOUVELLE ?")]
    for who in ("partner", "student"):
        login(client, team[who])
        for page in ("", "commission/"):
            assert "QUESTION-NOUVELLE ?" in client.get(base(team, page)).get_data(as_text=True)
        client.post("/auth/logout")


def test_rejected_partner_amendment_leaves_the_questions_unchanged(client, team):
    _accept(team["inquiry"], "- Ancienne ?")
    proposal = _partner_amends(client, team, "- QUESTION-REFUSEE ?")
    engine.take_position(proposal, team["students"][1], "block", "Hors périmètre.")
    db.session.commit()
    assert commission.questions(team["inquiry"], include_retired=True)[0].text == "Ancienne ?"
    assert db.session.scalar(select(func.count(ResearchQuestion.id))) == 1
    login(client, team["partner"])
    assert "QUESTION-REFUSEE" not in client.get(base(team, "")).get_data(as_text=True)


def test_commission_page_lists_questions_with_labels_and_retired_ones(client, team):
    _accept(team["inquiry"], "- GARDEE ?\n- RETIREE ?")
    _accept(team["inquiry"], "- GARDEE ?")
    login(client, team["partner"])
    page = client.get(base(team, "commission/")).get_data(as_text=True)
    assert 'id="q1"' in page and 'id="q2"' in page
    assert page.index("GARDEE") < page.index("Retired research questions") < page.index("RETIREE ?</li>")


# --- linking from the forms -------------------------------------------------------------------


@pytest.fixture
def linked(team):
    """The team's questions (Q2 retired), and a question of another inquiry."""
    questions = _accept(team["inquiry"], "- Un ?\n- Deux ?\n- Trois ?")
    _accept(team["inquiry"], "- Un ?\n- Trois ?")
    other = _accept(team["other_inquiry"], "- Ailleurs ?")[0]
    return {"active": questions[2], "retired": questions[1], "other": other}


def _task_data(team, question_id, **extra):
    return {
        "title": "Tâche liée",
        "column_id": column(team["inquiry"]).id,
        "research_question_id": question_id,
        **extra,
    }


def _interview_data(question_id, **extra):
    return {"pseudonym": "E42", "status": "planned", "research_question_id": question_id, **extra}


def _deliverable_data(question_id, **extra):
    return {"title": "Synthèse", "kind": "other", "research_question_id": question_id, **extra}


FORMS = {
    "task": ("tasks/new", _task_data, Task),
    "interview": ("fieldwork/interviews/new", lambda team, q: _interview_data(q), Interview),
    "deliverable": ("deliverables/new", lambda team, q: _deliverable_data(q), Deliverable),
}


@pytest.mark.parametrize("kind", sorted(FORMS))
def test_create_form_links_an_active_question(client, team, linked, kind):
    path, data, model = FORMS[kind]
    login(client, team["student"])
    assert client.post(base(team, path), data=data(team, linked["active"].id)).status_code == 302
    assert db.session.scalar(select(model.research_question_id)) == linked["active"].id


@pytest.mark.parametrize("kind", sorted(FORMS))
def test_create_form_without_a_question_links_none(client, team, linked, kind):
    path, data, model = FORMS[kind]
    login(client, team["student"])
    assert client.post(base(team, path), data=data(team, "")).status_code == 302
    assert db.session.scalar(select(model.research_question_id)) is None


@pytest.mark.parametrize("which", ["other", "retired", "junk", "missing-id"])
@pytest.mark.parametrize("kind", sorted(FORMS))
def test_create_form_refuses_a_question_not_active_in_this_inquiry(client, team, linked, kind, which):
    path, data, model = FORMS[kind]
    value = {"junk": "abc", "missing-id": "999999"}.get(which) or linked[which].id
    login(client, team["student"])
    response = client.post(base(team, path), data=data(team, value))
    assert response.status_code == 422
    assert 'id="research_question_id-error"' in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(model.id))) == 0


def test_create_form_offers_only_the_active_questions(client, team, linked):
    login(client, team["student"])
    page = client.get(base(team, "tasks/new")).get_data(as_text=True)
    assert "Q3 — Trois ?" in page and "Deux ?" not in page and "Ailleurs ?" not in page


def test_task_edit_changes_and_clears_the_question(client, team, linked):
    task = make_task(team["inquiry"], team["student"])
    login(client, team["student"])
    data = _task_data(team, linked["active"].id, version=task.version)
    assert client.post(base(team, f"tasks/{task.id}/edit"), data=data).status_code == 302
    db.session.refresh(task)
    assert task.research_question_id == linked["active"].id
    data = _task_data(team, "", version=task.version)
    assert client.post(base(team, f"tasks/{task.id}/edit"), data=data).status_code == 302
    db.session.refresh(task)
    assert task.research_question_id is None


def test_task_edit_refuses_another_inquiry_question_and_keeps_the_task(client, team, linked):
    task = make_task(team["inquiry"], team["student"], research_question_id=linked["active"].id)
    login(client, team["student"])
    data = _task_data(team, linked["other"].id, version=task.version, title="CHANGE")
    assert client.post(base(team, f"tasks/{task.id}/edit"), data=data).status_code == 422
    db.session.refresh(task)
    assert (task.title, task.research_question_id) == ("Une tâche", linked["active"].id)


def _interview(team, question=None):
    interview = fieldwork.create_interview(
        team["inquiry"],
        team["student"],
        {"pseudonym": "E01", "status": "planned", "research_question_id": question.id if question else None},
    )
    db.session.commit()
    return interview


def _deliverable(team, question=None, shared=False):
    deliverable = deliverables.create_deliverable(
        team["inquiry"],
        team["student"],
        title="Rapport",
        kind="other",
        due_on=None,
        phase="",
        research_question_id=question.id if question else None,
    )
    deliverable.shared_with_partner = shared
    db.session.commit()
    return deliverable


def test_edit_keeps_a_link_to_a_retired_question(client, team, linked):
    interview = _interview(team, linked["retired"])
    deliverable = _deliverable(team, linked["retired"])
    login(client, team["student"])
    path = f"fieldwork/interviews/{interview.id}/edit"
    assert (
        client.post(base(team, path), data=_interview_data(linked["retired"].id, pseudonym="E01")).status_code
        == 302
    )
    path = f"deliverables/{deliverable.id}/edit"
    assert client.post(base(team, path), data=_deliverable_data(linked["retired"].id)).status_code == 302
    db.session.refresh(interview)
    db.session.refresh(deliverable)
    assert interview.research_question_id == deliverable.research_question_id == linked["retired"].id


@pytest.mark.parametrize("kind", ["interview", "deliverable"])
def test_edit_forms_refuse_another_inquiry_question(client, team, linked, kind):
    item = _interview(team, linked["active"]) if kind == "interview" else _deliverable(team, linked["active"])
    login(client, team["student"])
    if kind == "interview":
        path, data = (
            f"fieldwork/interviews/{item.id}/edit",
            _interview_data(linked["other"].id, pseudonym="E01"),
        )
    else:
        path, data = f"deliverables/{item.id}/edit", _deliverable_data(linked["other"].id)
    assert client.post(base(team, path), data=data).status_code == 422
    db.session.refresh(item)
    assert item.research_question_id == linked["active"].id


def test_forged_csrf_links_nothing(client, team, linked, request):
    login(client, team["student"])
    request.getfixturevalue("csrf_enabled")  # after the login, which posts without a token
    data = _task_data(team, linked["active"].id, csrf_token="forged")
    assert client.post(base(team, "tasks/new"), data=data).status_code == 400
    assert db.session.scalar(select(func.count(Task.id))) == 0


@pytest.mark.parametrize(
    ("kind", "who"),
    [("task", "student"), ("task", "partner"), ("interview", "tutor"), ("deliverable", "partner")],
)
def test_detail_pages_show_the_linked_question(client, team, linked, kind, who):
    if kind == "task":
        path = f"tasks/{make_task(team['inquiry'], team['student'], shared=True, research_question_id=linked['active'].id).id}"
    elif kind == "interview":
        path = f"fieldwork/interviews/{_interview(team, linked['active']).id}"
    else:
        path = f"deliverables/{_deliverable(team, linked['active'], shared=True).id}"
    login(client, team[who])
    response = client.get(base(team, path))
    assert response.status_code == 200
    assert "Q3 — Trois ?" in response.get_data(as_text=True)


def test_partner_still_gets_404_on_a_linked_interview(client, team, linked):
    interview = _interview(team, linked["active"])
    login(client, team["partner"])
    assert client.get(base(team, f"fieldwork/interviews/{interview.id}")).status_code == 404


# --- coverage on the inquiry home -------------------------------------------------------------


@pytest.fixture
def covered(team):
    """Q1: 2 open tasks + 1 done, 1 conducted interview with 3 excerpts + 1 planned, 2 deliverables
    (1 shared); Q2: one done task; Q3 (retired): a task, not counted anywhere."""
    inquiry, student = team["inquiry"], team["student"]
    q1, q2, q3 = _accept(inquiry, "- Un ?\n- Deux ?\n- Trois ?")
    _accept(inquiry, "- Un ?\n- Deux ?")
    for kind in ("todo", "doing", "done"):
        make_task(inquiry, student, kind=kind, research_question_id=q1.id)
    make_task(inquiry, student, kind="done", research_question_id=q2.id)
    make_task(inquiry, student, research_question_id=q3.id)
    make_task(inquiry, student)  # linked to nothing
    conducted = fieldwork.create_interview(
        inquiry,
        student,
        {
            "pseudonym": "E01",
            "status": "conducted",
            "conducted_on": date(2026, 1, 5),
            "research_question_id": q1.id,
        },
    )
    fieldwork.create_interview(
        inquiry, student, {"pseudonym": "E02", "status": "planned", "research_question_id": q1.id}
    )
    note = fieldwork.create_note(
        inquiry,
        student,
        title="Notes",
        body="Un. Deux. Trois. Quatre.",
        kind="interview_notes",
        interview=conducted,
    )
    code = coding.create_code(inquiry, student, name="Engagement")
    for start in (0, 4, 9):
        coding.code_span(note, student, start, start + 3, [code.id])
    free = fieldwork.create_note(inquiry, student, title="Libre", body="Hors entretien.", kind="field_notes")
    coding.code_span(free, student, 0, 4, [code.id])  # no interview: counts for no question
    _deliverable(team, q1, shared=True)
    _deliverable(team, q1)
    db.session.commit()
    return {"q1": q1, "q2": q2}


def _figures(rows):
    return [
        (
            r.question.label,
            r.tasks_open,
            r.tasks_done,
            r.interviews_conducted,
            r.interviews_planned,
            r.excerpts,
            r.deliverables,
        )
        for r in rows
    ]


@pytest.mark.parametrize("who", ["student", "tutor"])
def test_coverage_counts_what_serves_each_active_question(team, covered, who):
    rows = commission.coverage(team["inquiry"], team[who])
    assert _figures(rows) == [("Q1", 2, 1, 1, 1, 3, 2), ("Q2", 0, 1, 0, 0, 0, 0)]


def test_partner_coverage_has_no_fieldwork_figures_and_shared_deliverables_only(team, covered):
    rows = commission.coverage(team["inquiry"], team["partner"])
    assert _figures(rows) == [
        ("Q1", None, None, None, None, None, 1),
        ("Q2", None, None, None, None, None, 0),
    ]


def test_coverage_is_empty_without_questions(team):
    assert commission.coverage(team["inquiry"], team["student"]) == []
    _accept(team["inquiry"], "- Un ?")  # control: one question, one row
    assert len(commission.coverage(team["inquiry"], team["student"])) == 1


def test_home_shows_the_coverage_table_to_the_team(client, team, covered):
    login(client, team["tutor"])
    page = client.get(base(team, "")).get_data(as_text=True)
    assert 'class="coverage"' in page and "Interviews (conducted / planned)" in page
    assert "<td>2 / 1</td>" in page and "<td>1 / 1</td>" in page


def test_partner_home_shows_questions_but_no_fieldwork_figures(client, team, covered):
    login(client, team["partner"])
    page = client.get(base(team, "")).get_data(as_text=True)
    assert 'class="coverage"' in page and "Un ?" in page
    assert "Interviews" not in page and "Coded excerpts" not in page and "Tasks (open" not in page


WHO = ("student", "tutor", "partner", "outsider", "admin")


@pytest.mark.parametrize(("who", "status"), list(zip(WHO, (200, 200, 200, 404, 404), strict=True)))
def test_home_with_questions_status_by_role(client, team, covered, who, status):
    login(client, team[who])
    assert client.get(base(team, "")).status_code == status


def _questions(inquiry, n: int) -> None:
    questions = _accept(inquiry, "\n".join(f"- Question {i} ?" for i in range(n)))
    student = make_user("Extra")
    for i, question in enumerate(questions):
        make_task(inquiry, student, kind="done" if i % 2 else "todo", research_question_id=question.id)
        deliverables.create_deliverable(
            inquiry,
            student,
            title=f"L{i}",
            kind="other",
            due_on=None,
            phase="",
            research_question_id=question.id,
        )
        fieldwork.create_interview(
            inquiry, student, {"pseudonym": f"E{n}-{i}", "research_question_id": question.id}
        )
    db.session.commit()


@pytest.mark.parametrize("who", ["student", "partner"])
def test_coverage_query_count_does_not_grow_with_questions(team, who):
    counts = []
    for n in (2, 10):
        inquiry = make_inquiry(f"Enquête {n}", students=[team["student"]], partners=[team["partner"]])
        _questions(inquiry, n)
        db.session.expire_all()
        with count_queries() as queries:
            rows = commission.coverage(inquiry, team[who])
        assert len(rows) == n
        counts.append(queries())
    assert counts[0] == counts[1]


def test_home_query_count_does_not_grow_with_questions(client, team):
    counts = []
    for n in (2, 10):
        _questions(team["inquiry"], n)
        login(client, team["student"])
        client.get(base(team, ""))
        with count_queries() as queries:
            assert client.get(base(team, "")).status_code == 200
        counts.append(queries())
    assert counts[0] == counts[1]


# --- the task list filter ----------------------------------------------------------------------


def _listed(client, team, query: str) -> list[str]:
    page = client.get(base(team, f"tasks/list?{query}"))
    assert page.status_code == 200
    return sorted(t for t in ("SERT-UN", "SERT-TROIS", "SANS-QUESTION") if t in page.get_data(as_text=True))


def test_task_list_filters_by_research_question(client, team, linked):
    make_task(team["inquiry"], team["student"], title="SERT-TROIS", research_question_id=linked["active"].id)
    make_task(team["inquiry"], team["student"], title="SERT-UN", research_question_id=linked["retired"].id)
    make_task(team["inquiry"], team["student"], title="SANS-QUESTION")
    login(client, team["student"])
    assert _listed(client, team, f"question={linked['active'].id}") == ["SERT-TROIS"]
    assert _listed(client, team, f"question={linked['retired'].id}") == ["SERT-UN"]


@pytest.mark.parametrize("value", ["other", "abc", "999999"])
def test_task_list_ignores_a_question_filter_it_does_not_know(client, team, linked, value):
    make_task(team["inquiry"], team["student"], title="SERT-TROIS", research_question_id=linked["active"].id)
    make_task(team["inquiry"], team["student"], title="SANS-QUESTION")
    login(client, team["student"])
    question = linked["other"].id if value == "other" else value
    assert _listed(client, team, f"question={question}") == ["SANS-QUESTION", "SERT-TROIS"]


# --- demo data ---------------------------------------------------------------------------------


def test_demo_inquiries_have_questions_with_coverage():
    from inquiry_hub import policy, seed
    from inquiry_hub.inquiries.models import Inquiry

    seed.seed_demo()
    db.session.commit()
    for inquiry in db.session.scalars(select(Inquiry)):
        student = next(m.user for m in inquiry.memberships if policy.can(m.user, "fieldwork.edit", inquiry))
        rows = commission.coverage(inquiry, student)
        assert [r.question.label for r in rows] == ["Q1", "Q2", "Q3"]
        assert sum(r.interviews_conducted + r.interviews_planned for r in rows) > 0
        assert sum(r.tasks_open + r.tasks_done for r in rows) > 0
        assert sum(r.deliverables for r in rows) > 0
