"""Notes: pseudonymisation on save and import, revisions and diffs, conflicts, import formats."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from inquiry_hub.extensions import db
from inquiry_hub.fieldwork import services as fieldwork
from inquiry_hub.fieldwork.imports import ImportFailed, extract_text
from inquiry_hub.fieldwork.models import Note, NoteRevision
from tests.conftest import login
from tests.fieldwork.conftest import base


def _new_note(client, fw, body, **extra):
    data = {"title": "Observation", "kind": "field_notes", "body": body, "interview_id": "", **extra}
    return client.post(base(fw["inquiry"]) + "/notes/new", data=data)


def test_save_with_a_vault_name_shows_the_preview_and_stores_nothing(client, fw):
    login(client, fw["student"])
    response = _new_note(client, fw, "Lea Dupont-Ferrand est passée au jardin.")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "E07 est passée au jardin." in page
    assert db.session.scalar(select(func.count(Note.id))) == 1  # only the fixture's note


def test_confirmed_save_stores_the_pseudonymised_text(client, fw):
    login(client, fw["student"])
    _new_note(client, fw, "LÉA est passée.")
    response = _new_note(client, fw, "E07 est passée.", reviewed="1")
    assert response.status_code == 302
    stored = db.session.scalars(select(Note).where(Note.title == "Observation")).one()
    assert stored.body == "E07 est passée."


def test_service_save_pseudonymises_with_and_without_accents(fw):
    note = fw["note"]
    fieldwork.save_note(
        note,
        fw["student"],
        title=note.title,
        body="lea et Lulu FERRAND, puis Léa.",
        base_version=note.version,
    )
    assert note.body == "E07 et E07, puis E07."


def test_names_inside_words_are_left_alone(fw):
    note = fw["note"]
    fieldwork.save_note(
        note, fw["student"], title=note.title, body="Cléa et Léandre", base_version=note.version
    )
    assert note.body == "Cléa et Léandre"


def test_warnings_need_one_review_then_save(client, fw):
    login(client, fw["student"])
    first = _new_note(client, fw, "Nous avons croisé Madame Garnier au marché.")
    assert first.status_code == 200 and "Garnier" in first.get_data(as_text=True)
    second = _new_note(client, fw, "Nous avons croisé Madame Garnier au marché.", reviewed="1")
    assert second.status_code == 302


def test_preview_renders_markdown_without_saving(client, fw):
    login(client, fw["student"])
    response = _new_note(client, fw, "**gras** <script>alert(1)</script>", action="preview", reviewed="1")
    page = response.get_data(as_text=True)
    assert "<strong>gras</strong>" in page and "<script>alert" not in page
    assert db.session.scalar(select(func.count(Note.id))) == 1


def _edit(client, fw, body, version):
    note = fw["note"]
    data = {"title": note.title, "kind": note.kind, "body": body, "version": version, "reviewed": "1"}
    return client.post(base(fw["inquiry"]) + f"/notes/{note.id}/edit", data=data)


def test_second_of_two_concurrent_saves_gets_a_conflict_page(client, fw):
    login(client, fw["student"])
    version = fw["note"].version
    assert _edit(client, fw, "Première version enregistrée.", version).status_code == 302
    response = _edit(client, fw, "Seconde version concurrente.", version)
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Première version enregistrée." in page and "Seconde version concurrente." in page
    db.session.expire_all()
    assert db.session.get(Note, fw["note"].id).body == "Première version enregistrée."


def test_stale_write_racing_in_the_database_is_a_conflict(fw):
    note = fw["note"]
    # Another process saved in between: the row's version moved under our loaded object.
    db.session.execute(
        db.update(Note).where(Note.id == note.id).values(version=note.version + 1),
        execution_options={"synchronize_session": False},
    )
    with pytest.raises(fieldwork.Conflict):
        fieldwork.save_note(note, fw["student"], title="t", body="autre", base_version=note.version)


def test_every_save_adds_a_revision_and_the_diff_shows_changes(client, fw):
    note = fw["note"]
    fieldwork.save_note(
        note, fw["student"], title=note.title, body="ligne un\nligne deux", base_version=note.version
    )
    fieldwork.save_note(
        note,
        fw["student"],
        title=note.title,
        body="ligne un\nligne 2\nligne trois",
        base_version=note.version,
    )
    db.session.commit()
    assert [r.number for r in fieldwork.revisions_of(note)] == [3, 2, 1]
    login(client, fw["tutor"])
    page = client.get(base(fw["inquiry"]) + f"/notes/{note.id}/history?a=2&b=3").get_data(as_text=True)
    assert (
        "<del>- ligne deux</del>" in page
        and "<ins>+ ligne 2</ins>" in page
        and "<ins>+ ligne trois</ins>" in page
    )


def test_diff_between_revisions_one_and_three(fw):
    note = fw["note"]
    fieldwork.save_note(note, fw["student"], title=note.title, body="B", base_version=note.version)
    fieldwork.save_note(note, fw["student"], title=note.title, body="C", base_version=note.version)
    revs = {
        r.number: r for r in db.session.scalars(select(NoteRevision).where(NoteRevision.note_id == note.id))
    }
    kinds = [(line.kind, line.text) for line in fieldwork.diff(revs[2], revs[3])]
    assert ("remove", "B") in kinds and ("add", "C") in kinds


def test_unknown_revision_in_diff_is_404(client, fw):
    login(client, fw["student"])
    assert client.get(base(fw["inquiry"]) + f"/notes/{fw['note'].id}/history?a=1&b=9").status_code == 404


# --- import -------------------------------------------------------------------------------

PARAGRAPHS = ["Enquêteur : bonjour Léa Dupont-Ferrand.", "Léa : bonjour, je travaille ici depuis 2019."]


def _docx() -> bytes:
    import docx

    document = docx.Document()
    for p in PARAGRAPHS:
        document.add_paragraph(p)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _odt() -> bytes:
    from odf.opendocument import OpenDocumentText
    from odf.text import H, P

    document = OpenDocumentText()
    document.text.addElement(H(outlinelevel=1, text="Entretien"))
    for p in PARAGRAPHS:
        document.text.addElement(P(text=p))
    out = io.BytesIO()
    document.write(out)
    return out.getvalue()


FILES = {
    "t.txt": lambda: "\n\n".join(PARAGRAPHS).encode(),
    "t.md": lambda: "\r\n\r\n".join(PARAGRAPHS).encode("cp1252"),
    "t.docx": _docx,
    "t.odt": _odt,
}


@pytest.mark.parametrize("name", sorted(FILES))
def test_import_keeps_paragraphs(name):
    text = extract_text(name, FILES[name]())
    paragraphs = [p for p in text.split("\n\n") if p.strip()]
    assert paragraphs[-2:] == PARAGRAPHS


@pytest.mark.parametrize("name", sorted(FILES))
def test_import_shows_the_pseudonymised_text_and_stores_nothing(client, fw, name):
    login(client, fw["student"])
    url = base(fw["inquiry"]) + f"/notes/import?interview_id={fw['interview'].id}"
    response = client.post(
        url, data={"transcript": (io.BytesIO(FILES[name]()), name)}, content_type="multipart/form-data"
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "bonjour E07." in page and "E07 : bonjour" in page
    assert "Dupont-Ferrand</del>" in page  # the preview lists what was replaced
    assert db.session.scalar(select(func.count(Note.id))) == 1


def test_import_refuses_other_formats_and_broken_files():
    with pytest.raises(ImportFailed):
        extract_text("x.pdf", b"%PDF")
    with pytest.raises(ImportFailed):
        extract_text("x.docx", b"not a zip")


def test_import_of_a_broken_file_is_a_422_saying_why(client, fw):
    login(client, fw["student"])
    url = base(fw["inquiry"]) + f"/notes/import?interview_id={fw['interview'].id}"
    response = client.post(url, data={"transcript": (io.BytesIO(b"nope"), "x.odt")})
    assert response.status_code == 422 and "damaged" in response.get_data(as_text=True)


def test_tutor_comments_on_a_note(client, fw):
    login(client, fw["tutor"])
    url = base(fw["inquiry"]) + f"/notes/{fw['note'].id}"
    assert client.post(url + "/comments", data={"body": "Relancer sur le bénévolat ?"}).status_code == 302
    assert "Relancer sur le bénévolat ?" in client.get(url).get_data(as_text=True)


def test_empty_comment_is_refused(client, fw):
    login(client, fw["tutor"])
    url = base(fw["inquiry"]) + f"/notes/{fw['note'].id}/comments"
    assert client.post(url, data={"body": ""}).status_code == 422


def test_comment_names_are_not_replaced_for_who_cannot_reveal(fw):
    # Replacing would tell a tutor that "Léa" is E07.
    tutor_comment = fieldwork.add_comment(fw["note"], fw["tutor"], "Léa ?")
    student_comment = fieldwork.add_comment(fw["note"], fw["student"], "Léa ?")
    assert (tutor_comment.body, student_comment.body) == ("Léa ?", "E07 ?")
