"""A name added to the vault after notes were written: preview, then one revision per changed note."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from inquiry_hub.activity.models import Activity
from inquiry_hub.extensions import db
from inquiry_hub.fieldwork import pseudonymise
from inquiry_hub.fieldwork import services as fieldwork
from inquiry_hub.fieldwork.models import Excerpt, Note, NoteRevision
from inquiry_hub.fieldwork.services import coding
from tests.conftest import login
from tests.fieldwork.conftest import REAL_NAME, base

#: Written before "Mémé Jo" was recorded as an alias of E07.
BODY = "Ce matin, Mémé Jo arrose le jardin. Tout le monde dit que Meme Jo connaît chaque plant."


@pytest.fixture
def old(fw):
    """A note that names E07 by a nickname the vault does not know yet, coded twice, edited once."""
    note = fieldwork.create_note(
        fw["inquiry"], fw["student"], title="Visite chez Mémé Jo", body=BODY, kind="field_notes"
    )
    fieldwork.save_note(
        note, fw["student"], title=note.title, body=BODY + "\n\nFin.", base_version=note.version
    )
    code = coding.create_code(fw["inquiry"], fw["student"], name="Jardin")
    start = BODY.index("arrose")
    after = coding.code_span(note, fw["student"], start, start + len("arrose le jardin"), [code.id])
    start = BODY.index("Meme Jo")
    spanning = coding.code_span(note, fw["student"], start, start + len("Meme Jo connaît"), [code.id])
    db.session.commit()
    return {**fw, "old": note, "after": after, "spanning": spanning}


def _add_alias(fw, client=None):
    """The student records the nickname as an alias (through the web when a client is given)."""
    aliases = "Léa\nLulu Ferrand\nMémé Jo"
    if client is None:
        fieldwork.set_identity(fw["interview"], fw["student"], REAL_NAME, "", aliases)
        db.session.commit()
        return None
    login(client, fw["student"])
    url = base(fw["inquiry"]) + f"/interviews/{fw['interview'].id}/identity"
    return client.post(url, data={"full_name": REAL_NAME, "contact": "", "aliases": aliases})


def test_shift_carries_offsets_over_replacements():
    result = pseudonymise.replace_names("ab Lulu cd", [("E07", ["Lulu"])])
    assert result.text == "ab E07 cd" and result.spans == [(3, 7, "E07")]
    assert [pseudonymise.shift(result.spans, i) for i in (0, 3, 5, 7, 10)] == [0, 3, 3, 6, 9]
    assert pseudonymise.shift(result.spans, 5, end=True) == 6  # an end inside a name takes it whole


def test_saving_an_alias_offers_the_preview(client, old):
    response = _add_alias(old, client)
    assert response.status_code == 302 and response.headers["Location"].endswith("/fieldwork/repseudonymise")


def test_saving_an_identity_that_changes_nothing_goes_back_to_the_interview(client, fw):
    login(client, fw["student"])
    url = base(fw["inquiry"]) + f"/interviews/{fw['interview'].id}/identity"
    response = client.post(url, data={"full_name": REAL_NAME, "aliases": "Léa\nLulu Ferrand"})
    assert response.status_code == 302 and response.headers["Location"].endswith(
        f"/interviews/{fw['interview'].id}"
    )


def test_preview_lists_notes_and_counts_per_pseudonym_and_writes_nothing(client, old):
    _add_alias(old)
    login(client, old["student"])
    page = client.get(base(old["inquiry"]) + "/repseudonymise")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Visite chez E07" in text and "E07: 3 times" in text
    assert "Mémé Jo" not in text and "Meme Jo" not in text  # the words found are vault names
    db.session.expire_all()
    assert "Mémé Jo" in db.session.get(Note, old["old"].id).body


@pytest.mark.parametrize("who, status", [("tutor", 403), ("partner", 404), ("outsider", 404)])
def test_preview_and_confirmation_are_for_students_only(client, old, who, status):
    _add_alias(old)
    login(client, old[who])
    url = base(old["inquiry"]) + "/repseudonymise"
    assert client.get(url).status_code == status
    assert client.post(url).status_code == status
    db.session.expire_all()
    assert "Mémé Jo" in db.session.get(Note, old["old"].id).body


def test_confirmation_replaces_names_with_one_new_revision(client, old):
    _add_alias(old)
    note = old["old"]
    version, revisions = note.version, len(note.revisions)
    login(client, old["student"])
    response = client.post(base(old["inquiry"]) + "/repseudonymise")
    assert response.status_code == 302
    db.session.expire_all()
    note = db.session.get(Note, note.id)
    assert note.title == "Visite chez E07"
    assert note.body.startswith("Ce matin, E07 arrose le jardin. Tout le monde dit que E07 connaît")
    assert note.version == version + 1 and len(note.revisions) == revisions + 1
    assert note.revisions[-1].body == note.body and note.revisions[-1].author_id == old["student"].id


def test_earlier_revisions_keep_no_name(client, old):
    _add_alias(old)
    login(client, old["student"])
    client.post(base(old["inquiry"]) + "/repseudonymise")
    bodies = db.session.scalars(select(NoteRevision.body).where(NoteRevision.note_id == old["old"].id)).all()
    assert len(bodies) == 3 and not any("Jo" in b for b in bodies)


def test_excerpts_follow_the_new_text(client, old):
    _add_alias(old)
    login(client, old["student"])
    client.post(base(old["inquiry"]) + "/repseudonymise")
    db.session.expire_all()
    body = db.session.get(Note, old["old"].id).body
    for excerpt_id, expected in ((old["after"].id, "arrose le jardin"), (old["spanning"].id, "E07 connaît")):
        excerpt = db.session.get(Excerpt, excerpt_id)
        assert (
            excerpt.text == expected and body[excerpt.start : excerpt.end] == expected and not excerpt.stale
        )


def test_an_excerpt_cut_inside_a_name_takes_the_whole_pseudonym(old):
    start = BODY.index("Jo arrose")
    code_ids = [c.id for c in old["after"].codes]
    cut = coding.code_span(old["old"], old["student"], start, start + len("Jo arrose"), code_ids)
    db.session.commit()
    _add_alias(old)
    fieldwork.apply_plan(old["inquiry"], old["student"])
    db.session.commit()
    assert cut.text == "E07 arrose"


def test_a_stale_excerpt_has_names_replaced_in_its_own_text(old):
    stale = old["spanning"]
    stale.stale, stale.text = True, "Meme Jo, plus tard"
    db.session.commit()
    _add_alias(old)
    fieldwork.apply_plan(old["inquiry"], old["student"])
    db.session.commit()
    assert stale.text == "E07, plus tard" and stale.stale


def test_confirmation_is_logged_without_names(client, old):
    _add_alias(old)
    login(client, old["student"])
    client.post(base(old["inquiry"]) + "/repseudonymise")
    row = db.session.scalars(select(Activity).where(Activity.verb == "fieldwork.notes_repseudonymised")).one()
    assert row.summary == "1"


def test_an_editor_holding_the_old_text_gets_the_conflict_page(client, old):
    stale_version = old["old"].version
    _add_alias(old)
    fieldwork.apply_plan(old["inquiry"], old["student"])
    db.session.commit()
    login(client, old["students"][1])
    response = client.post(
        base(old["inquiry"]) + f"/notes/{old['old'].id}/edit",
        data={
            "title": "Visite",
            "kind": "field_notes",
            "body": "Autre texte",
            "version": stale_version,
            "reviewed": "1",
        },
    )
    assert response.status_code == 409


def test_nothing_to_replace_shows_an_empty_preview_and_confirming_changes_nothing(client, fw):
    login(client, fw["student"])
    page = client.get(base(fw["inquiry"]) + "/repseudonymise")
    assert page.status_code == 200 and "nothing to replace" in page.get_data(as_text=True)
    before = db.session.scalar(select(func.count(NoteRevision.id)))
    assert client.post(base(fw["inquiry"]) + "/repseudonymise").status_code == 302
    assert db.session.scalar(select(func.count(NoteRevision.id))) == before


def test_notes_of_another_inquiry_are_left_alone(old):
    other = fieldwork.create_note(
        old["other_inquiry"], old["outsider"], title="Ailleurs", body="Mémé Jo aussi.", kind="field_notes"
    )
    db.session.commit()
    _add_alias(old)
    fieldwork.apply_plan(old["inquiry"], old["student"])
    db.session.commit()
    assert other.body == "Mémé Jo aussi."


def test_a_note_saved_during_the_confirmation_gives_409_and_writes_nothing(client, old, monkeypatch):
    from sqlalchemy.orm.exc import StaleDataError

    _add_alias(old)

    def raced(inquiry, actor):
        raise StaleDataError("the note was saved meanwhile")

    monkeypatch.setattr(fieldwork, "apply_plan", raced)
    login(client, old["student"])
    response = client.post(base(old["inquiry"]) + "/repseudonymise")
    assert response.status_code == 409 and "saved by someone else" in response.get_data(as_text=True)
    db.session.expire_all()
    assert "Mémé Jo" in db.session.get(Note, old["old"].id).body


def test_a_note_hidden_by_a_pending_withdrawal_is_cleaned_but_not_listed(client, old):
    hidden = fieldwork.create_note(
        old["inquiry"],
        old["student"],
        title="Notes cachées",
        body="Mémé Jo encore.",
        kind="interview_notes",
        interview=old["interview"],
    )
    fieldwork.withdraw_consent(old["interview"], old["student"])
    db.session.commit()
    _add_alias(old)
    login(client, old["student"])
    page = client.get(base(old["inquiry"]) + "/repseudonymise").get_data(as_text=True)
    assert "Notes cachées" not in page and "1 note hidden by a pending withdrawal" in page
    client.post(base(old["inquiry"]) + "/repseudonymise")
    body = db.session.scalars(
        select(Note.body).where(Note.id == hidden.id).execution_options(include_withdrawn=True)
    ).one()
    assert body == "E07 encore."


def test_a_new_interview_whose_name_older_notes_hold_offers_the_preview(client, fw):
    fieldwork.create_note(
        fw["inquiry"], fw["student"], title="Marché", body="Jean Valjean tient le stand.", kind="field_notes"
    )
    db.session.commit()
    login(client, fw["student"])
    data = {"pseudonym": "E08", "status": "planned", "full_name": "Jean Valjean"}
    response = client.post(base(fw["inquiry"]) + "/interviews/new", data=data)
    assert response.status_code == 302 and response.headers["Location"].endswith("/fieldwork/repseudonymise")
    assert "E08: 1 time" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_the_activity_log_keeps_no_name_in_note_titles(client, old):
    _add_alias(old)
    login(client, old["student"])
    client.post(base(old["inquiry"]) + "/repseudonymise")
    summaries = db.session.scalars(
        select(Activity.summary).where(Activity.inquiry_id == old["inquiry"].id)
    ).all()
    assert "Visite chez E07" in summaries and not any("Jo" in s for s in summaries)
    login(client, old["tutor"])
    page = client.get(f"/inquiries/{old['inquiry'].id}/activity/").get_data(as_text=True)
    assert page.count("Visite chez E07") >= 1 and "Mémé Jo" not in page
