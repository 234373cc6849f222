"""Deliverables: uploads, visibility, reviews, sharing, citations, downloads."""

import io
from pathlib import Path

import pytest
from sqlalchemy import func, select

from inquiry_hub.activity.models import Activity
from inquiry_hub.deliverables.models import Deliverable, Review, Version
from inquiry_hub.extensions import db
from inquiry_hub.inquiries.models import Proposal
from tests.conftest import login, make_inquiry, make_user
from tests.deliverables.conftest import docx_bytes, make_deliverable, pdf_bytes, share_now, text_version


def _base(inquiry):
    return f"/inquiries/{inquiry.id}/deliverables"


def _upload(client, inquiry, deliverable, data: bytes, name: str):
    return client.post(
        f"{_base(inquiry)}/{deliverable.id}/versions/file",
        data={"file": (io.BytesIO(data), name), "changelog": "upload"},
        content_type="multipart/form-data",
    )


def _versions() -> int:
    return db.session.scalar(select(func.count(Version.id)))


def _stored_files(app) -> int:
    root = Path(app.config["UPLOAD_FOLDER"])
    return sum(1 for p in root.rglob("*") if p.is_file()) if root.exists() else 0


# --- uploads ----------------------------------------------------------------------------


def test_a_pdf_that_is_really_html_is_refused(client, team):
    deliverable = make_deliverable(team["inquiry"], team["student"])
    login(client, team["student"])
    html = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"
    response = _upload(client, team["inquiry"], deliverable, html, "rapport.pdf")
    assert response.status_code == 422
    assert "not accepted" in response.get_data(as_text=True)
    assert _versions() == 0


@pytest.mark.parametrize(
    "data",
    [
        "# Rapport d'étape\n\nLes salarié·es décrivent l'été.\n".encode("latin-1", "replace"),
        "Entretien avec Hélène, à Besançon, été 2026.\n".encode("cp1252"),
    ],
)
def test_a_text_file_not_in_utf8_is_refused_with_a_message(client, team, data):
    deliverable = make_deliverable(team["inquiry"], team["student"])
    login(client, team["student"])
    response = _upload(client, team["inquiry"], deliverable, data, "rapport.md")
    assert response.status_code == 422
    assert "UTF-8" in response.get_data(as_text=True)
    assert _versions() == 0


def test_a_real_pdf_is_stored_with_its_sniffed_type(client, team):
    deliverable = make_deliverable(team["inquiry"], team["student"])
    login(client, team["student"])
    response = _upload(client, team["inquiry"], deliverable, pdf_bytes(), "notes.txt")
    assert response.status_code == 302
    version = db.session.scalar(select(Version))
    assert version.mimetype == "application/pdf"
    assert version.filename == "notes.pdf"


def test_oversized_upload_is_413_and_nothing_is_stored(app, client, team):
    deliverable = make_deliverable(team["inquiry"], team["student"])
    login(client, team["student"])
    before = _stored_files(app)
    limit = app.config["MAX_CONTENT_LENGTH"]
    app.config["MAX_CONTENT_LENGTH"] = 10_000
    try:
        response = _upload(client, team["inquiry"], deliverable, pdf_bytes() + b"0" * 20_000, "big.pdf")
    finally:
        app.config["MAX_CONTENT_LENGTH"] = limit
    assert response.status_code == 413
    assert _versions() == 0
    assert _stored_files(app) == before


def test_path_tricks_in_file_names_are_harmless(app, client, team):
    deliverable = make_deliverable(team["inquiry"], team["student"])
    login(client, team["student"])
    response = _upload(client, team["inquiry"], deliverable, pdf_bytes(), "../../etc/passwd\\..\\x.pdf")
    assert response.status_code == 302
    version = db.session.scalar(select(Version))
    assert "/" not in version.filename and "\\" not in version.filename
    assert not version.filename.startswith(".")
    assert version.filename.endswith(".pdf")
    assert not (Path(app.config["UPLOAD_FOLDER"]).parent / "etc").exists()


def test_a_zip_bomb_disguised_as_docx_is_refused(client, team):
    from inquiry_hub.deliverables import files

    deliverable = make_deliverable(team["inquiry"], team["student"])
    data = docx_bytes("x")
    buffer = io.BytesIO()
    import zipfile

    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bomb,
    ):
        for item in source.infolist():
            bomb.writestr(item, source.read(item.filename))
        bomb.writestr("word/padding.xml", b"0" * (files.MAX_UNCOMPRESSED // 10))
    login(client, team["student"])
    response = _upload(client, team["inquiry"], deliverable, buffer.getvalue(), "rapport.docx")
    assert response.status_code == 422
    assert _versions() == 0


# --- visibility -------------------------------------------------------------------------


def test_partner_sees_only_shared_versions_and_gets_404_on_drafts(client, team):
    deliverable = make_deliverable(team["inquiry"], team["student"])
    first = text_version(deliverable, team["student"], "Version partagée")
    draft = text_version(deliverable, team["student"], "Brouillon secret")
    share_now(first)
    login(client, team["partner"])
    base = f"{_base(team['inquiry'])}/{deliverable.id}"
    page = client.get(base).get_data(as_text=True)
    assert f"versions/{first.id}" in page and f"versions/{draft.id}" not in page
    assert client.get(f"{base}/versions/{first.id}").status_code == 200
    for suffix in ("", "/download", "/diff", "/share"):
        assert client.get(f"{base}/versions/{draft.id}{suffix}").status_code == 404


def test_partner_gets_404_on_an_unshared_deliverable(client, team):
    deliverable = make_deliverable(team["inquiry"], team["student"])
    text_version(deliverable, team["student"])
    login(client, team["partner"])
    assert client.get(f"{_base(team['inquiry'])}/{deliverable.id}").status_code == 404
    assert "Rapport final" not in client.get(f"{_base(team['inquiry'])}/").get_data(as_text=True)


def test_partner_never_sees_tutor_feedback(client, team):
    deliverable = make_deliverable(team["inquiry"], team["student"])
    version = text_version(deliverable, team["student"])
    login(client, team["tutor"])
    client.post(
        f"{_base(team['inquiry'])}/{deliverable.id}/versions/{version.id}/reviews",
        data={"verdict": "needs_work", "body": "Assessment of the tutor"},
    )
    share_now(version)
    client.post("/auth/logout")
    login(client, team["partner"])
    response = client.get(f"{_base(team['inquiry'])}/{deliverable.id}/versions/{version.id}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Premier jet." in page  # control: the partner reads the version
    assert "Assessment of the tutor" not in page


def test_ids_of_another_inquiry_are_404(client, team):
    other = make_deliverable(team["other_inquiry"], team["outsider"])
    version = text_version(other, team["outsider"])
    login(client, team["student"])
    base = _base(team["inquiry"])
    assert client.get(f"{base}/{other.id}").status_code == 404
    assert client.get(f"{base}/{other.id}/versions/{version.id}").status_code == 404
    assert (
        client.post(f"{base}/{other.id}/versions/text", data={"body": "x", "changelog": "x"}).status_code
        == 404
    )
    assert _versions() == 1


def test_missing_title_rerenders_and_saves_nothing(client, team):
    login(client, team["student"])
    response = client.post(f"{_base(team['inquiry'])}/new", data={"title": "", "kind": "final_report"})
    assert response.status_code == 422
    assert db.session.scalar(select(func.count(Deliverable.id))) == 0


def test_wrong_kind_rerenders_and_saves_nothing(client, team):
    login(client, team["student"])
    response = client.post(f"{_base(team['inquiry'])}/new", data={"title": "X", "kind": "poem"})
    assert response.status_code == 422
    assert db.session.scalar(select(func.count(Deliverable.id))) == 0


# --- reviews ----------------------------------------------------------------------------


def _partner_review(client, team, deliverable, version, verdict, body=""):
    return client.post(
        f"{_base(team['inquiry'])}/{deliverable.id}/versions/{version.id}/reviews",
        data={"verdict": verdict, "body": body},
    )


def test_requesting_changes_needs_a_comment(client, team):
    deliverable = make_deliverable(team["inquiry"], team["student"])
    version = text_version(deliverable, team["student"])
    share_now(version)
    login(client, team["partner"])
    _partner_review(client, team, deliverable, version, "changes", "")
    assert db.session.scalar(select(func.count(Review.id))) == 0
    _partner_review(client, team, deliverable, version, "changes", "Plus de chiffres")
    db.session.expire_all()
    assert db.session.get(Deliverable, deliverable.id).status == "changes_requested"


def test_approval_marks_approved_notifies_and_a_new_version_reopens(client, team):
    from inquiry_hub.activity.models import Notification

    deliverable = make_deliverable(team["inquiry"], team["student"])
    version = text_version(deliverable, team["student"])
    share_now(version)
    login(client, team["partner"])
    _partner_review(client, team, deliverable, version, "approve", "Parfait")
    db.session.expire_all()
    assert db.session.get(Deliverable, deliverable.id).status == "approved"
    notified = set(
        db.session.scalars(select(Notification.user_id).where(Notification.kind == "deliverable.approved"))
    )
    assert notified == {u.id for u in team["students"]} | {team["tutor"].id}
    second = text_version(db.session.get(Deliverable, deliverable.id), team["student"], "v2")
    assert db.session.get(Deliverable, deliverable.id).status == "draft"
    share_now(second)
    assert db.session.get(Deliverable, deliverable.id).status == "shared"


def test_tutor_comments_a_passage_and_a_student_answers_and_resolves(client, team):
    from inquiry_hub.deliverables.models import ReviewComment

    deliverable = make_deliverable(team["inquiry"], team["student"])
    version = text_version(deliverable, team["student"])
    base = f"{_base(team['inquiry'])}/{deliverable.id}"
    login(client, team["tutor"])
    client.post(
        f"{base}/versions/{version.id}/comments", data={"anchor": "Premier jet", "body": "Trop court"}
    )
    comment = db.session.scalar(select(ReviewComment))
    client.post("/auth/logout")
    login(client, team["student"])
    client.post(f"{base}/comments/{comment.id}/reply", data={"body": "Corrigé"})
    client.post(f"{base}/comments/{comment.id}/resolve")
    db.session.expire_all()
    assert db.session.get(ReviewComment, comment.id).resolved_at is not None
    assert len(db.session.get(ReviewComment, comment.id).replies) == 1


# --- sharing ----------------------------------------------------------------------------


def test_sharing_under_any_member_executes_at_once(client):
    student, partner = make_user("S"), make_user("P")
    inquiry = make_inquiry(students=[student], partners=[partner], rule="any_member")
    deliverable = make_deliverable(inquiry, student)
    version = text_version(deliverable, student)
    login(client, student)
    response = client.post(f"{_base(inquiry)}/{deliverable.id}/versions/{version.id}/share")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Version, version.id).shared_at is not None
    assert db.session.scalar(select(func.count(Proposal.id))) == 0


def test_sharing_under_consent_opens_a_proposal_showing_the_check(client, team):
    deliverable = make_deliverable(team["inquiry"], team["student"])
    version = text_version(deliverable, team["student"], "Le Directeur a parlé.")
    login(client, team["student"])
    response = client.post(f"{_base(team['inquiry'])}/{deliverable.id}/versions/{version.id}/share")
    proposal = db.session.scalar(select(Proposal))
    assert response.headers["Location"].endswith(f"/decisions/{proposal.id}")
    assert db.session.get(Version, version.id).shared_at is None
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Pre-share check" in page and "Directeur" in page


def _interview(inquiry, actor, pseudonym="E01", quotation="anonymised", full_name="Jeanne Martin"):
    from inquiry_hub.fieldwork import services as fieldwork

    interview = fieldwork.create_interview(inquiry, actor, {"pseudonym": pseudonym})
    interview.consent.quotation = quotation
    interview.consent.status = "written"
    fieldwork.set_identity(interview, actor, full_name, "", "Jeannette")
    db.session.commit()
    return interview


def test_a_vault_name_inside_a_docx_blocks_sharing(client, team):
    _interview(team["inquiry"], team["student"])
    deliverable = make_deliverable(team["inquiry"], team["student"])
    login(client, team["student"])
    _upload(client, team["inquiry"], deliverable, docx_bytes("Selon jeanne MARTIN, tout va bien."), "r.docx")
    version = db.session.scalar(select(Version))
    response = client.post(f"{_base(team['inquiry'])}/{deliverable.id}/versions/{version.id}/share")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "E01" in page and "Martin" not in page
    assert db.session.scalar(select(func.count(Proposal.id))) == 0
    assert db.session.get(Version, version.id).shared_at is None


def test_an_alias_in_markdown_blocks_the_check(team):
    from inquiry_hub.deliverables import checks

    _interview(team["inquiry"], team["student"])
    deliverable = make_deliverable(team["inquiry"], team["student"])
    version = text_version(deliverable, team["student"], "Comme dit Jeannette.")
    assert not checks.run(team["inquiry"], version).ok
    clean = text_version(deliverable, team["student"], "Comme dit E01.", "v2")
    assert checks.run(team["inquiry"], clean).ok  # control: the pseudonym alone passes


def test_citation_of_quotation_forbidden_or_withdrawn_interview_blocks(team):
    from inquiry_hub.deliverables import checks

    forbidden = _interview(team["inquiry"], team["student"], "E02", "forbidden", "Paul Durand")
    allowed = _interview(team["inquiry"], team["student"], "E03", "named", "Luc Petit")
    assert checks.citation_blockers([allowed]) == []
    assert len(checks.citation_blockers([forbidden])) == 1
    allowed.purged_at = allowed.created_at
    assert len(checks.citation_blockers([allowed])) == 1


@pytest.fixture
def fake_excerpts(monkeypatch, team):
    """Excerpts as the coding room exposes them, for citations."""
    from types import SimpleNamespace

    from inquiry_hub.fieldwork import services as fieldwork

    named = _interview(team["inquiry"], team["student"], "E04", "named", "Anne Roux")
    forbidden = _interview(team["inquiry"], team["student"], "E05", "forbidden", "Marc Blanc")
    rows = {
        1: SimpleNamespace(text="On décide ensemble", interview=named),
        2: SimpleNamespace(text="Je ne veux pas être cité", interview=forbidden),
    }
    monkeypatch.setattr(
        fieldwork,
        "excerpt_for_citation",
        lambda inquiry, excerpt_id, viewer=None: rows.get(excerpt_id),
        raising=False,
    )
    return rows


def test_citations_render_for_the_team_and_for_the_partner(client, team, fake_excerpts):
    deliverable = make_deliverable(team["inquiry"], team["student"])
    version = text_version(deliverable, team["student"], "Voici.\n\n[[excerpt:1]]\n\n[[excerpt:2]]\n")
    version.shared_at = version.created_at  # shared directly: the check would block excerpt 2
    deliverable.shared_with_partner = True
    db.session.commit()
    url = f"{_base(team['inquiry'])}/{deliverable.id}/versions/{version.id}"
    login(client, team["student"])
    page = client.get(url).get_data(as_text=True)
    assert "On décide ensemble" in page and "Je ne veux pas être cité" in page and "E04" in page
    assert "/fieldwork/interviews/" in page
    client.post("/auth/logout")
    login(client, team["partner"])
    page = client.get(url).get_data(as_text=True)
    assert "On décide ensemble" in page
    assert "Je ne veux pas être cité" not in page and "[Quotation not shown]" in page
    assert "/fieldwork/" not in page
    assert client.get(f"{url}/evidence").status_code == 404


def test_evidence_lists_citations_and_their_interviews(client, team, fake_excerpts):
    deliverable = make_deliverable(team["inquiry"], team["student"])
    version = text_version(deliverable, team["student"], "[[excerpt:1]] et [[excerpt:2]] et [[excerpt:99]]")
    login(client, team["tutor"])
    page = client.get(f"{_base(team['inquiry'])}/{deliverable.id}/versions/{version.id}/evidence").get_data(
        as_text=True
    )
    assert "E04" in page and "E05" in page and "#99" in page


def test_a_citation_of_a_forbidden_interview_blocks_sharing(client, team, fake_excerpts):
    deliverable = make_deliverable(team["inquiry"], team["student"])
    version = text_version(deliverable, team["student"], "[[excerpt:2]]")
    login(client, team["student"])
    response = client.post(f"{_base(team['inquiry'])}/{deliverable.id}/versions/{version.id}/share")
    assert response.status_code == 422
    assert "E05" in response.get_data(as_text=True)


# --- diff and downloads -----------------------------------------------------------------


def test_text_diff_against_the_previous_version(client, team):
    deliverable = make_deliverable(team["inquiry"], team["student"])
    text_version(deliverable, team["student"], "ligne un\nligne deux")
    second = text_version(deliverable, team["student"], "ligne un\nligne trois")
    login(client, team["tutor"])
    page = client.get(f"{_base(team['inquiry'])}/{deliverable.id}/versions/{second.id}/diff").get_data(
        as_text=True
    )
    assert "<del>- ligne deux</del>" in page and "<ins>+ ligne trois</ins>" in page


def test_downloads_have_safe_headers_and_are_logged(client, team):
    deliverable = make_deliverable(team["inquiry"], team["student"])
    login(client, team["student"])
    _upload(client, team["inquiry"], deliverable, pdf_bytes(), "rapport.pdf")
    version = db.session.scalar(select(Version))
    base = f"{_base(team['inquiry'])}/{deliverable.id}/versions/{version.id}"
    response = client.get(f"{base}/download")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response.headers["Content-Security-Policy"]
    assert (
        db.session.scalar(select(func.count(Activity.id)).where(Activity.verb == "deliverables.downloaded"))
        == 1
    )
    inline = client.get(f"{base}/inline")
    assert inline.headers["Content-Security-Policy"].startswith("sandbox")
    assert inline.headers["Content-Type"] == "application/pdf"


def test_a_markdown_version_is_never_served_inline(client, team):
    deliverable = make_deliverable(team["inquiry"], team["student"])
    version = text_version(deliverable, team["student"])
    login(client, team["student"])
    assert (
        client.get(f"{_base(team['inquiry'])}/{deliverable.id}/versions/{version.id}/inline").status_code
        == 404
    )


# --- role × action ----------------------------------------------------------------------

ROUTES = [
    # (method, path suffix, expected status for student, tutor, partner, outsider)
    ("get", "/", (200, 200, 200, 404)),
    ("get", "/new", (200, 403, 403, 404)),
    ("get", "/{d}", (200, 200, 404, 404)),
    ("get", "/{d}/edit", (200, 403, 404, 404)),
    ("get", "/{d}/versions/{v}", (200, 200, 404, 404)),
    ("get", "/{d}/versions/{v}/download", (200, 200, 404, 404)),
    ("get", "/{d}/versions/{v}/evidence", (200, 200, 404, 404)),
    ("get", "/{d}/versions/{v}/share", (200, 403, 404, 404)),
    ("post", "/{d}/versions/text", (422, 403, 404, 404)),
    ("post", "/{d}/versions/{v}/reviews", (403, 302, 404, 404)),
    ("post", "/{d}/versions/{v}/comments", (302, 302, 404, 404)),
]


@pytest.mark.parametrize(("method", "suffix", "expected"), ROUTES)
def test_role_action_matrix_on_a_draft(client, team, method, suffix, expected):
    deliverable = make_deliverable(team["inquiry"], team["student"])
    version = text_version(deliverable, team["student"])
    url = _base(team["inquiry"]) + suffix.format(d=deliverable.id, v=version.id)
    for who, status in zip(("student", "tutor", "partner", "outsider"), expected, strict=True):
        login(client, team[who])
        response = getattr(client, method)(url, data={})
        assert response.status_code == status, (who, url)
        client.post("/auth/logout")


SHARED_ROUTES = [
    ("get", "/{d}", (200, 200, 200, 404)),
    ("get", "/{d}/versions/{v}", (200, 200, 200, 404)),
    ("get", "/{d}/versions/{v}/download", (200, 200, 200, 404)),
    ("get", "/{d}/versions/{v}/evidence", (200, 200, 404, 404)),
    ("post", "/{d}/versions/{v}/comments", (302, 302, 404, 404)),
    ("get", "/{d}/edit", (200, 403, 403, 404)),
]


@pytest.mark.parametrize(("method", "suffix", "expected"), SHARED_ROUTES)
def test_role_action_matrix_on_a_shared_version(client, team, method, suffix, expected):
    deliverable = make_deliverable(team["inquiry"], team["student"])
    version = text_version(deliverable, team["student"])
    share_now(version)
    url = _base(team["inquiry"]) + suffix.format(d=deliverable.id, v=version.id)
    for who, status in zip(("student", "tutor", "partner", "outsider"), expected, strict=True):
        login(client, team[who])
        response = getattr(client, method)(url, data={})
        assert response.status_code == status, (who, url)
        client.post("/auth/logout")


# --- overview, home, calendar -----------------------------------------------------------


def test_home_and_month_view_show_deliverables(client, team):
    from datetime import date

    deliverable = make_deliverable(team["inquiry"], team["student"], title="Synthèse intermédiaire")
    deliverable.due_on = date(2026, 12, 10)
    db.session.commit()
    login(client, team["student"])
    home = client.get(f"/inquiries/{team['inquiry'].id}/").get_data(as_text=True)
    assert "Draft: 1" in home
    month = client.get(f"/inquiries/{team['inquiry'].id}/tasks/calendar?month=2026-12").get_data(as_text=True)
    assert "Synthèse intermédiaire" in month


def test_feed_lists_due_dates_of_deliverables_the_person_may_see(team):
    from datetime import date

    from inquiry_hub.tasks.services.feeds import feed_calendar

    deliverable = make_deliverable(team["inquiry"], team["student"], title="Restitution")
    deliverable.due_on = date(2027, 5, 1)
    db.session.commit()
    assert b"Restitution" in feed_calendar(team["student"], "http://x", lambda p: p.kind)
    assert b"Restitution" not in feed_calendar(team["partner"], "http://x", lambda p: p.kind)


def test_a_real_excerpt_of_a_forbidden_interview_blocks_and_is_hidden_from_the_partner(app, team):
    from inquiry_hub.deliverables import checks, citations
    from inquiry_hub.fieldwork import services as fieldwork
    from inquiry_hub.fieldwork.models import Excerpt

    interview = _interview(team["inquiry"], team["student"], "E06", "forbidden", "Rose Noir")
    note = fieldwork.create_note(
        team["inquiry"],
        team["student"],
        title="Entretien",
        body="Nous décidons tout ensemble.",
        kind="interview_notes",
        interview=interview,
    )
    excerpt = Excerpt(inquiry_id=team["inquiry"].id, note_id=note.id, start=0, end=10, text="Nous décidons")
    db.session.add(excerpt)
    db.session.commit()
    deliverable = make_deliverable(team["inquiry"], team["student"])
    version = text_version(deliverable, team["student"], f"[[excerpt:{excerpt.id}]]")
    result = checks.run(team["inquiry"], version)
    assert not result.ok and "E06" in " ".join(result.blockers)
    with app.test_request_context():
        assert "Nous décidons" in citations.render(team["inquiry"], version.body, for_team=True)
        assert "Nous décidons" not in citations.render(team["inquiry"], version.body, for_team=False)
