"""Collective coding: codebook, excerpts and re-anchoring, views, memos, blind mode, exchange."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import func, select

from inquiry_hub.activity.models import Activity
from inquiry_hub.db import utcnow
from inquiry_hub.extensions import db
from inquiry_hub.fieldwork import services as fieldwork
from inquiry_hub.fieldwork.models import Code, Excerpt, Memo
from inquiry_hub.fieldwork.services import coding
from inquiry_hub.inquiries.models import Proposal
from tests.conftest import count_queries, login
from tests.fieldwork.conftest import REAL_NAME, base

BODY = "Premier paragraphe sur le bénévolat.\n\nDeuxième paragraphe : la gouvernance partagée.\n\nTroisième : le salaire."


@pytest.fixture
def cb(fw):
    """The fieldwork fixture with a two-level codebook and a three-paragraph note."""
    inquiry, student = fw["inquiry"], fw["student"]
    engagement = coding.create_code(inquiry, student, name="Engagement", colour="#ff0000")
    benevolat = coding.create_code(inquiry, student, name="Bénévolat", parent=engagement)
    gouvernance = coding.create_code(inquiry, student, name="Gouvernance", description="Inclure : décisions.")
    note = fieldwork.create_note(
        inquiry, student, title="Entretien test", body=BODY, kind="transcript", interview=fw["interview"]
    )
    db.session.commit()
    return {**fw, "engagement": engagement, "benevolat": benevolat, "gouvernance": gouvernance, "cnote": note}


def _span(note, text):
    start = note.body.index(text)
    return start, start + len(text)


# --- codebook ---------------------------------------------------------------------------


def test_student_creates_code_through_the_form(client, fw):
    login(client, fw["student"])
    response = client.post(
        base(fw["inquiry"]) + "/codebook", data={"name": "Précarité", "colour": "#00ff00", "parent_id": ""}
    )
    assert response.status_code == 302
    assert db.session.scalar(select(Code.name).where(Code.inquiry_id == fw["inquiry"].id)) == "Précarité"


def test_empty_code_name_is_refused_and_nothing_saved(client, fw):
    login(client, fw["student"])
    response = client.post(base(fw["inquiry"]) + "/codebook", data={"name": "  ", "colour": "#00ff00"})
    assert response.status_code == 422
    assert db.session.scalar(select(func.count()).select_from(Code)) == 0


def test_codebook_changes_are_in_the_activity_log(cb):
    verbs = set(db.session.scalars(select(Activity.verb).where(Activity.inquiry_id == cb["inquiry"].id)))
    assert "fieldwork.code_created" in verbs


def test_move_code_under_another(client, cb):
    login(client, cb["student"])
    g = cb["gouvernance"]
    response = client.post(
        base(cb["inquiry"]) + f"/codes/{g.id}/edit",
        data={
            "name": "Gouvernance",
            "colour": "#123456",
            "parent_id": cb["engagement"].id,
            "description": "",
            "example": "",
        },
    )
    assert response.status_code == 302
    db.session.refresh(g)
    assert g.parent_id == cb["engagement"].id


def test_code_cannot_move_under_its_own_child(client, cb):
    login(client, cb["student"])
    e = cb["engagement"]
    response = client.post(
        base(cb["inquiry"]) + f"/codes/{e.id}/edit",
        data={"name": "Engagement", "colour": "#ff0000", "parent_id": cb["benevolat"].id},
    )
    assert response.status_code == 422
    db.session.refresh(e)
    assert e.parent_id is None


def test_parent_code_of_another_inquiry_is_404(client, cb):
    other = coding.create_code(cb["other_inquiry"], cb["outsider"], name="Ailleurs")
    db.session.commit()
    login(client, cb["student"])
    response = client.post(
        base(cb["inquiry"]) + "/codebook", data={"name": "X", "colour": "#00ff00", "parent_id": other.id}
    )
    assert response.status_code in (404, 422)
    assert db.session.scalar(select(func.count()).select_from(Code).where(Code.name == "X")) == 0


def test_merge_moves_excerpts_to_the_target(client, cb):
    note, student = cb["cnote"], cb["student"]
    a = coding.code_span(note, student, *_span(note, "bénévolat"), [cb["benevolat"].id])
    b = coding.code_span(
        note, student, *_span(note, "gouvernance"), [cb["benevolat"].id, cb["gouvernance"].id]
    )
    db.session.commit()
    login(client, student)
    response = client.post(
        base(cb["inquiry"]) + f"/codes/{cb['benevolat'].id}/merge", data={"target_id": cb["gouvernance"].id}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Code, cb["benevolat"].id) is None
    assert [c.name for c in db.session.get(Excerpt, a.id).codes] == ["Gouvernance"]
    assert [c.name for c in db.session.get(Excerpt, b.id).codes] == ["Gouvernance"]


def test_merging_a_code_others_used_is_a_collective_action(client, cb):
    note = cb["cnote"]
    coding.code_span(note, cb["students"][1], *_span(note, "bénévolat"), [cb["benevolat"].id])
    db.session.commit()
    login(client, cb["student"])
    client.post(
        base(cb["inquiry"]) + f"/codes/{cb['benevolat'].id}/merge", data={"target_id": cb["gouvernance"].id}
    )
    db.session.expire_all()
    assert db.session.get(Code, cb["benevolat"].id) is not None
    assert db.session.scalar(select(Proposal.action)) == "fieldwork.merge_codes"


def test_unused_code_is_deleted_at_once(client, cb):
    login(client, cb["student"])
    response = client.post(base(cb["inquiry"]) + f"/codes/{cb['gouvernance'].id}/delete")
    assert response.status_code == 302
    assert db.session.get(Code, cb["gouvernance"].id) is None


def test_used_code_asks_for_confirmation(client, cb):
    note = cb["cnote"]
    coding.code_span(note, cb["student"], *_span(note, "gouvernance"), [cb["gouvernance"].id])
    db.session.commit()
    login(client, cb["student"])
    page = client.post(base(cb["inquiry"]) + f"/codes/{cb['gouvernance'].id}/delete")
    assert page.status_code == 200 and b"confirmed" in page.data
    assert db.session.get(Code, cb["gouvernance"].id) is not None
    client.post(base(cb["inquiry"]) + f"/codes/{cb['gouvernance'].id}/delete", data={"confirmed": "1"})
    db.session.expire_all()
    assert db.session.get(Code, cb["gouvernance"].id) is None
    assert db.session.scalar(select(func.count()).select_from(Excerpt)) == 0


def test_deleting_a_code_others_used_is_a_collective_action(client, cb):
    note = cb["cnote"]
    coding.code_span(note, cb["students"][2], *_span(note, "gouvernance"), [cb["gouvernance"].id])
    db.session.commit()
    login(client, cb["student"])
    client.post(base(cb["inquiry"]) + f"/codes/{cb['gouvernance'].id}/delete", data={"confirmed": "1"})
    db.session.expire_all()
    assert db.session.get(Code, cb["gouvernance"].id) is not None
    assert db.session.scalar(select(Proposal.action)) == "fieldwork.delete_code"


# --- coding and re-anchoring ------------------------------------------------------------


def test_code_a_selected_span(client, cb):
    note = cb["cnote"]
    start, end = _span(note, "gouvernance partagée")
    login(client, cb["student"])
    response = client.post(
        base(cb["inquiry"]) + f"/notes/{note.id}/excerpts",
        data={"start": start, "end": end, "codes": [cb["gouvernance"].id, cb["engagement"].id]},
    )
    assert response.status_code == 302
    excerpt = db.session.scalar(select(Excerpt))
    assert (excerpt.text, excerpt.coder_id) == ("gouvernance partagée", cb["student"].id)
    assert {c.name for c in excerpt.codes} == {"Gouvernance", "Engagement"}


def test_code_a_paragraph_without_javascript(client, cb):
    note = cb["cnote"]
    login(client, cb["student"])
    response = client.post(
        base(cb["inquiry"]) + f"/notes/{note.id}/excerpts",
        data={"par-paragraph": 2, "par-codes": [cb["gouvernance"].id]},
    )
    assert response.status_code == 302
    assert db.session.scalar(select(Excerpt.text)) == "Deuxième paragraphe : la gouvernance partagée."


def test_offsets_outside_the_note_are_refused(client, cb):
    note = cb["cnote"]
    login(client, cb["student"])
    response = client.post(
        base(cb["inquiry"]) + f"/notes/{note.id}/excerpts",
        data={"start": 5, "end": len(note.body) + 10, "codes": [cb["gouvernance"].id]},
    )
    assert response.status_code == 422
    assert db.session.scalar(select(func.count()).select_from(Excerpt)) == 0


def test_code_of_another_inquiry_is_refused(client, cb):
    other = coding.create_code(cb["other_inquiry"], cb["outsider"], name="Ailleurs")
    db.session.commit()
    login(client, cb["student"])
    response = client.post(
        base(cb["inquiry"]) + f"/notes/{cb['cnote'].id}/excerpts",
        data={"start": 0, "end": 5, "codes": [other.id]},
    )
    assert response.status_code == 422
    assert db.session.scalar(select(func.count()).select_from(Excerpt)) == 0


def _save(note, student, body):
    return fieldwork.save_note(note, student, title=note.title, body=body, base_version=note.version)


def test_reanchor_after_insertion_before_the_span(cb):
    note, student = cb["cnote"], cb["student"]
    excerpt = coding.code_span(note, student, *_span(note, "gouvernance partagée"), [cb["gouvernance"].id])
    db.session.commit()
    _save(note, student, "Un ajout au début.\n\n" + note.body)
    db.session.commit()
    db.session.refresh(excerpt)
    assert note.body[excerpt.start : excerpt.end] == "gouvernance partagée"
    assert not excerpt.stale


def test_reanchor_picks_the_occurrence_nearest_the_old_offset(cb):
    note, student = cb["cnote"], cb["student"]
    excerpt = coding.code_span(note, student, *_span(note, "le salaire"), [cb["gouvernance"].id])
    db.session.commit()
    old_start = excerpt.start
    _save(note, student, "le salaire " + note.body.replace("Troisième", "3e"))
    db.session.commit()
    db.session.refresh(excerpt)
    assert excerpt.start == note.body.rindex("le salaire")
    assert abs(excerpt.start - old_start) < 20


def test_edit_inside_the_span_marks_it_stale(cb):
    note, student = cb["cnote"], cb["student"]
    excerpt = coding.code_span(note, student, *_span(note, "gouvernance partagée"), [cb["gouvernance"].id])
    db.session.commit()
    _save(note, student, note.body.replace("gouvernance partagée", "gouvernance très partagée"))
    db.session.commit()
    db.session.refresh(excerpt)
    assert excerpt.stale
    assert excerpt.text == "gouvernance partagée"


def test_deletion_of_the_span_marks_it_stale(cb):
    note, student = cb["cnote"], cb["student"]
    excerpt = coding.code_span(note, student, *_span(note, "Troisième : le salaire."), [cb["gouvernance"].id])
    db.session.commit()
    _save(note, student, note.body.replace("\n\nTroisième : le salaire.", ""))
    db.session.commit()
    db.session.refresh(excerpt)
    assert excerpt.stale


def test_stale_excerpts_are_listed_for_a_human_to_fix(client, cb):
    note, student = cb["cnote"], cb["student"]
    coding.code_span(note, student, *_span(note, "le salaire"), [cb["gouvernance"].id])
    db.session.commit()
    _save(note, student, note.body.replace("le salaire", "la paie"))
    db.session.commit()
    login(client, student)
    page = client.get(base(cb["inquiry"]) + f"/notes/{note.id}/coding").get_data(as_text=True)
    assert "Excerpts to fix" in page


def test_coding_page_shows_spans_in_the_margin(client, cb):
    note = cb["cnote"]
    coding.code_span(note, cb["student"], *_span(note, "gouvernance"), [cb["gouvernance"].id])
    db.session.commit()
    login(client, cb["tutor"])
    page = client.get(base(cb["inquiry"]) + f"/notes/{note.id}/coding").get_data(as_text=True)
    assert 'class="code-tag" data-colour="#ffd966">Gouvernance' in page
    assert 'for="par-paragraph"' not in page  # a tutor has no coding form


# --- blind mode -------------------------------------------------------------------------


def test_blind_coder_does_not_see_others_codes_on_the_note(client, cb):
    note = cb["cnote"]
    coding.code_span(note, cb["students"][1], *_span(note, "bénévolat"), [cb["benevolat"].id])
    db.session.commit()
    login(client, cb["student"])
    before = client.get(base(cb["inquiry"]) + f"/notes/{note.id}/coding")
    assert before.status_code == 200 and ">Bénévolat</span>" in before.get_data(as_text=True)  # control
    client.post(base(cb["inquiry"]) + f"/notes/{note.id}/blind", data={"on": "1"})
    response = client.get(base(cb["inquiry"]) + f"/notes/{note.id}/coding")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert ">Bénévolat</span>" not in page
    code_page = client.get(base(cb["inquiry"]) + f"/codes/{cb['benevolat'].id}").get_data(as_text=True)
    assert "sur le bénévolat" not in code_page


def test_excerpts_coded_blind_are_flagged(cb):
    note = cb["cnote"]
    coding.set_blind(note, cb["student"], True)
    excerpt = coding.code_span(note, cb["student"], 0, 5, [cb["benevolat"].id])
    assert excerpt.blind


# --- excerpt views ----------------------------------------------------------------------


def _many_excerpts(cb, n):
    note = cb["cnote"]
    coders = cb["students"]
    for i in range(n):
        db.session.add(
            Excerpt(
                inquiry_id=note.inquiry_id,
                note_id=note.id,
                start=0,
                end=5,
                text=note.body[:5],
                coder_id=coders[i % 3].id,
                codes=[cb["benevolat"], cb["gouvernance"]],
            )
        )
    db.session.commit()


def _code_page_queries(client, cb):
    url = base(cb["inquiry"]) + f"/codes/{cb['benevolat'].id}"
    client.get(url)
    with count_queries() as n:
        response = client.get(url)
    assert response.status_code == 200
    return n()


def test_code_page_query_count_is_constant(client, cb):
    login(client, cb["student"])
    _many_excerpts(cb, 10)
    small = _code_page_queries(client, cb)
    _many_excerpts(cb, 490)
    assert _code_page_queries(client, cb) == small


def test_code_page_shows_pseudonym_profile_and_coder(client, cb):
    attribute = fieldwork.save_attribute(cb["inquiry"], cb["student"], "Statut", "bénévole\nsalarié")
    cb["interview"].profile = {str(attribute.id): "bénévole"}
    note = cb["cnote"]
    coding.code_span(note, cb["students"][1], *_span(note, "bénévolat"), [cb["benevolat"].id])
    db.session.commit()
    login(client, cb["tutor"])
    page = client.get(base(cb["inquiry"]) + f"/codes/{cb['benevolat'].id}").get_data(as_text=True)
    assert "E07" in page and "Statut: bénévole" in page and "Student 1" in page
    assert REAL_NAME not in page


def test_retrieval_by_two_codes(client, cb):
    note, s = cb["cnote"], cb["student"]
    both = coding.code_span(note, s, *_span(note, "Deuxième paragraphe"), [cb["gouvernance"].id])
    coding.code_span(note, s, *_span(note, "paragraphe : la gouvernance"), [cb["engagement"].id])
    coding.code_span(note, s, *_span(note, "le salaire"), [cb["gouvernance"].id])
    db.session.commit()
    found = coding.retrieve(cb["inquiry"], cb["gouvernance"], cb["engagement"], viewer=None)
    assert [e.id for e in found] == [both.id]


def test_retrieval_by_code_and_profile_value(client, cb):
    attribute = fieldwork.save_attribute(cb["inquiry"], cb["student"], "Statut", "bénévole\nsalarié")
    cb["interview"].profile = {str(attribute.id): "bénévole"}
    free = fieldwork.create_note(
        cb["inquiry"], cb["student"], title="Libre", body="Gouvernance ici.", kind="field_notes"
    )
    note = cb["cnote"]
    mine = coding.code_span(note, cb["student"], *_span(note, "gouvernance"), [cb["gouvernance"].id])
    coding.code_span(free, cb["student"], 0, 11, [cb["gouvernance"].id])
    db.session.commit()
    login(client, cb["student"])
    page = client.get(
        base(cb["inquiry"]) + f"/excerpts?a={cb['gouvernance'].id}&attribute={attribute.id}&value=bénévole"
    ).get_data(as_text=True)
    assert f'id="excerpt-{mine.id}"' in page and "1 excerpt" in page


# --- memos ------------------------------------------------------------------------------


def test_tutor_writes_a_memo_on_a_code(client, cb):
    login(client, cb["tutor"])
    response = client.post(
        base(cb["inquiry"]) + "/memos",
        data={"title": "Une piste", "body": "Lien avec la précarité", "code_id": cb["gouvernance"].id},
    )
    assert response.status_code == 302
    memo = db.session.scalar(select(Memo))
    assert (memo.code_id, memo.author_id) == (cb["gouvernance"].id, cb["tutor"].id)


def test_memo_on_an_excerpt_and_on_the_inquiry(cb):
    note = cb["cnote"]
    excerpt = coding.code_span(note, cb["student"], 0, 5, [cb["benevolat"].id])
    on_excerpt = coding.create_memo(
        cb["inquiry"], cb["student"], title="Sur l'extrait", body="", excerpt=excerpt
    )
    general = coding.create_memo(cb["inquiry"], cb["student"], title="Général", body="")
    assert on_excerpt.excerpt_id == excerpt.id and general.code_id is None and general.excerpt_id is None


def test_memos_are_searchable(client, cb):
    coding.create_memo(cb["inquiry"], cb["student"], title="Rapport au salariat", body="tensions")
    coding.create_memo(cb["inquiry"], cb["student"], title="Autre", body="rien")
    db.session.commit()
    login(client, cb["tutor"])
    page = client.get(base(cb["inquiry"]) + "/memos?q=TENSION").get_data(as_text=True)
    assert "Rapport au salariat" in page and "Autre" not in page


def test_memo_with_a_code_of_another_inquiry_is_404(client, cb):
    other = coding.create_code(cb["other_inquiry"], cb["outsider"], name="Ailleurs")
    db.session.commit()
    login(client, cb["student"])
    response = client.post(base(cb["inquiry"]) + "/memos", data={"title": "x", "code_id": other.id})
    assert response.status_code == 404
    assert db.session.scalar(select(func.count()).select_from(Memo)) == 0


# --- exchange ---------------------------------------------------------------------------


def test_excerpts_as_csv_and_markdown_hold_pseudonyms_only(client, cb):
    note = cb["cnote"]
    coding.code_span(note, cb["student"], *_span(note, "bénévolat"), [cb["benevolat"].id])
    db.session.commit()
    login(client, cb["student"])
    url = base(cb["inquiry"]) + f"/codes/{cb['benevolat'].id}/excerpts"
    rows = list(csv.DictReader(io.StringIO(client.get(url + ".csv").get_data(as_text=True))))
    assert rows[0]["interview"] == "E07" and rows[0]["text"] == "bénévolat"
    markdown = client.get(url + ".md").get_data(as_text=True)
    assert "> bénévolat" in markdown and "E07" in markdown
    assert REAL_NAME not in markdown and REAL_NAME not in str(rows)


def test_excerpt_for_citation_gives_pseudonym_and_consent_terms(cb):
    note = cb["cnote"]
    excerpt = coding.code_span(note, cb["student"], 0, 5, [cb["benevolat"].id])
    citation = fieldwork.excerpt_for_citation(cb["inquiry"], excerpt.id)
    assert (citation.pseudonym, citation.text, citation.quotation) == ("E07", note.body[:5], "anonymised")
    assert fieldwork.excerpt_for_citation(cb["other_inquiry"], excerpt.id) is None


def test_withdrawal_purges_the_interviews_excerpts_and_their_memos(cb):
    note = cb["cnote"]
    excerpt = coding.code_span(note, cb["student"], *_span(note, "bénévolat"), [cb["benevolat"].id])
    coding.create_memo(cb["inquiry"], cb["student"], title="Sur l'extrait", body="", excerpt=excerpt)
    db.session.commit()
    fieldwork.withdraw_consent(cb["interview"], cb["student"])
    fieldwork.delete_due(utcnow() + fieldwork.WITHDRAWAL_DELAY)
    db.session.commit()
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Excerpt)) == 0
    assert db.session.scalar(select(func.count()).select_from(Memo)) == 0
    assert db.session.get(Code, cb["benevolat"].id) is not None


def test_deleting_a_note_deletes_its_excerpts(client, cb):
    note = cb["cnote"]
    coding.code_span(note, cb["student"], 0, 5, [cb["benevolat"].id])
    cb["inquiry"].governance_rule = "any_member"
    db.session.commit()
    login(client, cb["student"])
    client.post(base(cb["inquiry"]) + f"/notes/{note.id}/delete")
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Excerpt)) == 0
