"""The disclosure gate: what may leave the team, checked in one place (attacks and controls)."""

from __future__ import annotations

import pytest

from inquiry_hub.extensions import db
from inquiry_hub.fieldwork import disclosure
from inquiry_hub.fieldwork.disclosure import Piece


def _interview(
    inquiry,
    actor,
    pseudonym="E01",
    *,
    status="written",
    quotation="anonymised",
    full_name="Jeanne Moreau",
    aliases="Jeannette",
    profile=None,
):
    from inquiry_hub.fieldwork import services as fieldwork

    interview = fieldwork.create_interview(inquiry, actor, {"pseudonym": pseudonym})
    interview.consent.status = status
    interview.consent.quotation = quotation
    if profile is not None:
        interview.profile = profile
    if full_name:
        fieldwork.set_identity(interview, actor, full_name, "", aliases)
    db.session.commit()
    return interview


# --- check(): the vault, person names, consent ------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Selon Jeanne Moreau, tout va bien.",
        "Selon JEANNE MOREAU, tout va bien.",
        "Selon jeanne moreau, tout va bien.",
        "Selon Jeanne-Moreau, tout va bien.",
        "Selon **Jeanne** Mo-\nreau, tout va bien.",
        "Selon Jeanne\nMoreau, tout va bien.",
        "Selon Jéanne Moréau, tout va bien.",
        "Selon _Jeanne_ Moreau, tout va bien.",
        "Selon Jea&shy;nne Moreau, tout va bien.",
        "Comme dit Jeannette.",
    ],
)
def test_vault_names_are_found_whatever_their_spelling(team, text):
    _interview(team["inquiry"], team["student"])
    verdict = disclosure.check(team["inquiry"], [Piece("Version 1", text)], persons_too=False)
    assert [f.kind for f in verdict.findings] == ["vault_name"]
    assert "E01" in verdict.findings[0].message and "Moreau" not in verdict.findings[0].message


def test_a_vault_name_inside_a_longer_word_is_not_a_hit(team):
    _interview(team["inquiry"], team["student"], full_name="Léa Dupont", aliases="Léa")
    verdict = disclosure.check(
        team["inquiry"], [Piece("Version 1", "Un fléau pour Léandre.")], persons_too=False
    )
    assert verdict.ok


def test_a_third_party_name_is_found_and_its_initials_only_are_given(team):
    verdict = disclosure.check(
        team["inquiry"], [Piece("Excerpt 3", "Mon voisin Jean-Pierre Moreau est venu hier.")]
    )
    assert [f.kind for f in verdict.findings] == ["person_name"]
    assert "J. P. M." in verdict.findings[0].message and "Moreau" not in verdict.findings[0].message


def test_members_pseudonyms_and_public_names_are_allowed(team):
    from inquiry_hub.fieldwork.models import PublicName

    _interview(team["inquiry"], team["student"], full_name="")
    db.session.add(
        PublicName(inquiry_id=team["inquiry"].id, name="Emmanuel Macron", folded="emmanuel macron")
    )
    db.session.commit()
    text = "Student 0 a rencontré E01. Emmanuel Macron a visité la coopérative. Macron est reparti."
    assert disclosure.check(team["inquiry"], [Piece("Version 1", text)]).ok


@pytest.mark.parametrize(
    ("status", "quotation", "ok"),
    [
        ("written", "anonymised", True),
        ("oral", "named", True),
        ("not_asked", "anonymised", False),
        ("withdrawn", "anonymised", False),
        ("written", "forbidden", False),
    ],
)
def test_quoting_needs_a_consent_that_allows_it(team, status, quotation, ok):
    interview = _interview(team["inquiry"], team["student"], status=status, quotation=quotation, full_name="")
    piece = Piece("Excerpt 1", "On décide tout ensemble.", (interview.id,))
    verdict = disclosure.check(team["inquiry"], [piece], persons_too=False)
    assert verdict.ok is ok
    if not ok:
        assert verdict.findings[0].kind == "consent" and "E01" in verdict.findings[0].message


# --- attacks on sharing: each with its positive control ---------------------------------

from sqlalchemy import func, select  # noqa: E402

from inquiry_hub.deliverables import services as deliverables  # noqa: E402
from inquiry_hub.deliverables.models import Version  # noqa: E402
from inquiry_hub.fieldwork.models import Excerpt  # noqa: E402
from inquiry_hub.inquiries.models import Proposal  # noqa: E402
from tests.api.conftest import make_token  # noqa: E402
from tests.conftest import login  # noqa: E402
from tests.security import _documents  # noqa: E402


@pytest.fixture
def at_once(team):
    """The team's rule executes sharing at once, so the gate alone stands between text and partner."""
    team["inquiry"].governance_rule = "any_member"
    db.session.commit()
    return team


def _deliverable(team, title="Rapport final"):
    deliverable = deliverables.create_deliverable(
        team["inquiry"], team["student"], title=title, kind="final_report", due_on=None, phase=""
    )
    db.session.commit()
    return deliverable


def _text(team, body, *, title="Rapport final", changelog="Premier jet"):
    version = deliverables.add_text_version(_deliverable(team, title), team["student"], body, changelog)
    db.session.commit()
    return version


def _file(team, data: bytes, name: str):
    version = deliverables.add_file_version(_deliverable(team), team["student"], data, name, "Diapositives")
    db.session.commit()
    return version


def _excerpt(team, interview, text: str) -> Excerpt:
    from inquiry_hub.fieldwork import services as fieldwork

    note = fieldwork.create_note(
        team["inquiry"],
        team["student"],
        title="Entretien",
        body="Notes.",
        kind="interview_notes",
        interview=interview,
    )
    excerpt = Excerpt(inquiry_id=team["inquiry"].id, note_id=note.id, start=0, end=len(text), text=text)
    db.session.add(excerpt)
    db.session.commit()
    return excerpt


def _url(version) -> str:
    return f"/inquiries/{version.inquiry_id}/deliverables/{version.deliverable_id}/versions/{version.id}"


def _share(client, team, version):
    """A student shares through the web form; returns the response."""
    login(client, team["student"])
    response = client.post(_url(version) + "/share")
    client.post("/auth/logout")
    return response


def _partner_sees(client, team, version) -> tuple[int, int, str]:
    """The partner's web status, API status and page text for the version."""
    token = make_token(team["partner"])
    api = client.get(f"/api/v1/versions/{version.id}", headers={"Authorization": f"Bearer {token}"})
    login(client, team["partner"])
    page = client.get(_url(version))
    client.post("/auth/logout")
    return page.status_code, api.status_code, page.get_data(as_text=True)


def _assert_blocked(client, team, version, response):
    assert response.status_code == 422
    check = response.get_data(as_text=True).split('class="pre-share-check"', 1)[1].split("</section>", 1)[0]
    assert "Moreau" not in check and "Sharing is blocked" in check
    assert db.session.get(Version, version.id).shared_at is None
    assert db.session.scalar(select(func.count(Proposal.id))) == 0
    web, api, _page = _partner_sees(client, team, version)
    assert (web, api) == (404, 404)


def _assert_shared(client, team, version, marker: str):
    """Positive control: the partner really reads it, on the web and through the API."""
    web, api, page = _partner_sees(client, team, version)
    assert (web, api) == (200, 200) and marker in page


def test_a_vault_name_in_the_title_blocks_sharing(client, at_once):
    _interview(at_once["inquiry"], at_once["student"])
    version = _text(at_once, "Les jardins partagés.", title="Le jardin de Jeanne Moreau")
    _assert_blocked(client, at_once, version, _share(client, at_once, version))
    control = _text(at_once, "Les jardins partagés.", title="Le jardin de E01")
    assert _share(client, at_once, control).status_code == 302
    _assert_shared(client, at_once, control, "Les jardins partagés.")


def test_a_vault_name_in_the_changelog_blocks_sharing(client, at_once):
    _interview(at_once["inquiry"], at_once["student"])
    version = _text(at_once, "Les jardins partagés.", changelog="Ajout du témoignage de Jeanne Moreau")
    _assert_blocked(client, at_once, version, _share(client, at_once, version))
    control = _text(at_once, "Les jardins partagés.", changelog="Ajout du témoignage de E01")
    assert _share(client, at_once, control).status_code == 302
    _assert_shared(client, at_once, control, "Ajout du témoignage de E01")


def test_a_cited_excerpt_whose_name_entered_the_vault_after_coding_blocks_sharing(client, at_once):
    # Coded before the vault knew the name: the excerpt keeps its own copy of the text.
    interview = _interview(at_once["inquiry"], at_once["student"], full_name="")
    excerpt = _excerpt(at_once, interview, "Je m'appelle Jeanne Moreau et je bine le jeudi.")
    clean = _excerpt(at_once, interview, "Je bine le jeudi avec les autres.")
    from inquiry_hub.fieldwork import services as fieldwork

    fieldwork.set_identity(interview, at_once["student"], "Jeanne Moreau", "", "")
    db.session.commit()
    version = _text(at_once, f"Témoignage :\n\n[[excerpt:{excerpt.id}]]")
    _assert_blocked(client, at_once, version, _share(client, at_once, version))
    control = _text(at_once, f"Témoignage :\n\n[[excerpt:{clean.id}]]")
    assert _share(client, at_once, control).status_code == 302
    _assert_shared(client, at_once, control, "Je bine le jeudi avec les autres.")


def test_quoting_an_interview_whose_consent_was_not_asked_blocks_sharing(client, at_once):
    silent = _interview(at_once["inquiry"], at_once["student"], "E01", status="not_asked", full_name="")
    agreed = _interview(at_once["inquiry"], at_once["student"], "E02", full_name="")
    version = _text(at_once, f"[[excerpt:{_excerpt(at_once, silent, 'On décide ensemble.').id}]]")
    response = _share(client, at_once, version)
    _assert_blocked(client, at_once, version, response)
    assert "E01" in response.get_data(as_text=True)
    control = _text(at_once, f"[[excerpt:{_excerpt(at_once, agreed, 'On vote à main levée.').id}]]")
    assert _share(client, at_once, control).status_code == 302
    _assert_shared(client, at_once, control, "On vote à main levée.")


def test_a_third_party_name_inside_a_quotation_blocks_sharing_until_marked_public(client, at_once):
    interview = _interview(at_once["inquiry"], at_once["student"], full_name="")
    excerpt = _excerpt(at_once, interview, "Mon voisin Jean-Pierre Moreau m'a appris à tailler.")
    version = _text(at_once, f"[[excerpt:{excerpt.id}]]")
    _assert_blocked(client, at_once, version, _share(client, at_once, version))
    # Control: the team marks the name public (its rule executes at once), and the same version passes.
    login(client, at_once["student"])
    response = client.post(_url(version) + "/public-names", data={"name": "Jean-Pierre Moreau"})
    assert response.status_code == 302
    client.post("/auth/logout")
    assert _share(client, at_once, version).status_code == 302
    _assert_shared(client, at_once, version, "appris à tailler")


@pytest.mark.parametrize("kind", ["pptx", "odp"])
def test_a_vault_name_on_a_slide_blocks_sharing(client, at_once, kind):
    _interview(at_once["inquiry"], at_once["student"])
    writer, _type = _documents.FORMATS[kind]
    version = _file(at_once, writer(["Ce que dit JEANNE MOREAU du jardin"]), f"slides.{kind}")
    _assert_blocked(client, at_once, version, _share(client, at_once, version))
    control = _file(at_once, writer(["Ce que dit E01 du jardin"]), f"slides.{kind}")
    assert _share(client, at_once, control).status_code == 302
    _assert_shared(client, at_once, control, "Version")


def test_a_vault_name_in_the_speaker_notes_blocks_sharing(client, at_once):
    _interview(at_once["inquiry"], at_once["student"])
    version = _file(at_once, _documents.pptx(["Synthèse"], notes="Appeler Jeanne Moreau avant"), "s.pptx")
    _assert_blocked(client, at_once, version, _share(client, at_once, version))


def test_the_share_is_checked_again_when_the_proposal_executes(client, team):
    """Proposed while clean; the name enters the vault before the team agrees: nothing is shared."""
    from inquiry_hub.fieldwork import services as fieldwork
    from inquiry_hub.inquiries import engine

    interview = _interview(team["inquiry"], team["student"], full_name="")
    version = _text(team, "Lulu nous a tout montré du compost.")
    proposal = engine.start(
        team["inquiry"], team["student"], "deliverables.share", {"version_id": version.id}
    )
    db.session.commit()
    assert proposal is not None and proposal.is_open
    fieldwork.set_identity(interview, team["student"], "Lucienne Martin", "", "Lulu")
    for student in team["students"][1:]:
        engine.take_position(proposal, student, "agree")
    db.session.commit()
    assert proposal.status == "passed" and "E01" in proposal.outcome and "Lu" not in proposal.outcome
    assert db.session.get(Version, version.id).shared_at is None


# --- material_changed: what the partner already sees is re-checked at once ----------------


def _api(client, user, url):
    return client.get(url, headers={"Authorization": f"Bearer {make_token(user)}"})


def _shared_citing_an_alias(client, team):
    interview = _interview(team["inquiry"], team["student"], full_name="")
    excerpt = _excerpt(team, interview, "Au jardin, tout le monde m'appelle Lulu.")
    version = _text(team, f"Un surnom :\n\n[[excerpt:{excerpt.id}]]")
    assert _share(client, team, version).status_code == 302
    _assert_shared(client, team, version, "tout le monde")
    return interview, version


def _partner_reaches(client, team, version) -> dict:
    inquiry_id = team["inquiry"].id
    partner = team["partner"]
    versions = _api(client, partner, f"/api/v1/deliverables/{version.deliverable_id}/versions")
    listed = _api(client, partner, f"/api/v1/inquiries/{inquiry_id}/deliverables").get_json()
    login(client, partner)
    portal = client.get(f"/partner/{inquiry_id}").get_data(as_text=True)
    web = client.get(_url(version)).status_code
    download = client.get(_url(version) + "/download").status_code
    client.post("/auth/logout")
    return {
        "web": web,
        "download": download,
        "api": _api(client, partner, f"/api/v1/versions/{version.id}").status_code,
        "api_versions": versions.status_code == 200
        and any(v["id"] == version.id for v in versions.get_json()),
        "api_deliverables": any(d["id"] == version.deliverable_id for d in listed),
        "portal": f"/versions/{version.id}" in portal,
    }


def test_a_name_entering_the_vault_withholds_the_shared_version_at_once(client, at_once):
    from inquiry_hub.activity.models import Notification
    from inquiry_hub.fieldwork import services as fieldwork

    interview, version = _shared_citing_an_alias(client, at_once)
    assert _partner_reaches(client, at_once, version) == {
        "web": 200,
        "download": 200,
        "api": 200,
        "api_versions": True,
        "api_deliverables": True,
        "portal": True,
    }
    fieldwork.set_identity(interview, at_once["student"], "Lucienne Martin", "", "Lulu")
    db.session.commit()
    assert db.session.get(Version, version.id).withheld_at is not None
    assert _partner_reaches(client, at_once, version) == {
        "web": 404,
        "download": 404,
        "api": 404,
        "api_versions": False,
        "api_deliverables": False,
        "portal": False,
    }
    told = db.session.scalars(select(Notification.user_id).where(Notification.kind == "deliverable.withheld"))
    assert set(told) == {s.id for s in at_once["students"]}
    # The team reads why on the version page, without the name.
    login(client, at_once["student"])
    page = client.get(_url(version)).get_data(as_text=True)
    assert (
        "Withheld from the partner" in page
        and "E01" in page.split("withheld-title", 1)[1].split("</section>")[0]
    )
    client.post("/auth/logout")
    # The alias goes out of the vault again (a typo): the version passes and is back.
    fieldwork.set_identity(interview, at_once["student"], "Lucienne Martin", "", "")
    db.session.commit()
    assert _partner_reaches(client, at_once, version)["web"] == 200


@pytest.mark.parametrize(("status", "quotation"), [("withdrawn", "anonymised"), ("written", "forbidden")])
def test_a_consent_change_withholds_the_versions_quoting_the_interview(client, at_once, status, quotation):
    from inquiry_hub.fieldwork import services as fieldwork

    interview, version = _shared_citing_an_alias(client, at_once)
    values = {
        "status": status,
        "given_on": None,
        "notice_version": "",
        "recording_allowed": False,
        "quotation": quotation,
        "archiving_allowed": False,
    }
    fieldwork.update_consent(interview, at_once["student"], values)
    db.session.commit()
    web, api, _page = _partner_sees(client, at_once, version)
    assert (web, api) == (404, 404)


def test_withholding_removes_the_partners_notice_of_the_version(client, at_once):
    from inquiry_hub.activity.models import Notification
    from inquiry_hub.fieldwork import services as fieldwork

    interview, version = _shared_citing_an_alias(client, at_once)
    partner_notices = select(func.count(Notification.id)).where(
        Notification.user_id == at_once["partner"].id, Notification.url == _url(version)
    )
    assert db.session.scalar(partner_notices) == 1
    fieldwork.set_identity(interview, at_once["student"], "Lucienne Martin", "", "Lulu")
    db.session.commit()
    assert db.session.scalar(partner_notices) == 0


# --- anonymised quotations: a profile that fits at least three interviewees -----------------


def _profiled(team):
    from inquiry_hub.fieldwork.models import ProfileAttribute

    attributes = [
        ProfileAttribute(inquiry_id=team["inquiry"].id, name=name, values=[], position=i)
        for i, name in enumerate(["Âge", "Rôle", "Quartier"])
    ]
    db.session.add_all(attributes)
    db.session.commit()
    age, role, area = (str(a.id) for a in attributes)
    people = {
        "E01": {age: "18-30", role: "bénévole", area: "Nord"},
        "E02": {age: "18-30", role: "bénévole", area: "Sud"},
        "E03": {age: "18-30", role: "salariée", area: "Nord"},
        "E04": {age: "60+", role: "bénévole", area: "Nord"},
    }
    made = {}
    for pseudonym, profile in people.items():
        made[pseudonym] = _interview(
            team["inquiry"], team["student"], pseudonym, full_name="", profile=profile
        )
        made[pseudonym].status = "conducted"
    db.session.commit()
    return made


def _caption(page: str) -> str:
    return page.split('<q class="citation">', 1)[1].split("</cite>", 1)[0]


def test_an_anonymised_quotation_shows_the_partner_a_profile_shared_by_three(client, at_once):
    made = _profiled(at_once)
    excerpt = _excerpt(at_once, made["E01"], "On se retrouve le samedi matin.")
    version = _text(at_once, f"[[excerpt:{excerpt.id}]]")
    assert _share(client, at_once, version).status_code == 302
    _web, _api_status, page = _partner_sees(client, at_once, version)
    caption = _caption(page)
    assert "samedi matin" in page and "E01" in caption
    assert "18-30" not in caption and "bénévole" not in caption
    shown = [part.split(": ", 1) for part in caption.split("· ", 1)[1].split("</cite>")[0].split(", ")]
    fitting = [
        p for p in made.values() if all(any(v == value for v in p.profile.values()) for _name, value in shown)
    ]
    assert len(fitting) >= 3
    login(client, at_once["student"])
    team_caption = _caption(client.get(_url(version)).get_data(as_text=True))
    assert "18-30" in team_caption and "bénévole" in team_caption  # control: the team sees it all


def test_a_named_quotation_keeps_its_profile(client, at_once):
    made = _profiled(at_once)
    made["E01"].consent.quotation = "named"
    db.session.commit()
    version = _text(at_once, f"[[excerpt:{_excerpt(at_once, made['E01'], 'On se retrouve le samedi.').id}]]")
    assert _share(client, at_once, version).status_code == 302
    _web, _api_status, page = _partner_sees(client, at_once, version)
    assert "18-30" in _caption(page)


def test_a_title_edited_after_sharing_goes_through_the_gate_again(client, at_once):
    _interview(at_once["inquiry"], at_once["student"])
    version = _text(at_once, "Les jardins partagés.")
    assert _share(client, at_once, version).status_code == 302
    _assert_shared(client, at_once, version, "Les jardins partagés.")
    deliverable = version.deliverable
    deliverables.update_deliverable(
        deliverable,
        at_once["student"],
        title="Chez Jeanne Moreau",
        kind=deliverable.kind,
        due_on=None,
        phase="",
    )
    db.session.commit()
    web, api, _page = _partner_sees(client, at_once, version)
    assert (web, api) == (404, 404)
    listed = _api(client, at_once["partner"], f"/api/v1/inquiries/{at_once['inquiry'].id}/deliverables")
    assert listed.status_code == 200 and "Moreau" not in listed.get_data(as_text=True)


# --- files the gate cannot read are not shared --------------------------------------------


def _zip(entries: dict[str, bytes]) -> bytes:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_the_gate_refuses_to_unpack_a_zip_bomb(app):
    from inquiry_hub.deliverables import files

    bomb = _zip(
        {"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<a>" + b" " * 20_000_000 + b"</a>"}
    )
    with pytest.raises(files.Unreadable):
        files.texts_of(bomb, "application/vnd.openxmlformats-officedocument.wordprocessingml.document")


def test_the_gate_refuses_xml_entities(app):
    from inquiry_hub.deliverables import files

    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "Jeanne Moreau"><!ENTITY b "&a;&a;&a;&a;">]>'
        b"<w:document xmlns:w='w'><w:p><w:t>&b;</w:t></w:p></w:document>"
    )
    docx = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": laughs})
    with pytest.raises(files.Unreadable):
        files.texts_of(docx, "application/vnd.openxmlformats-officedocument.wordprocessingml.document")


def test_a_file_whose_text_cannot_be_read_blocks_sharing(client, at_once):
    from inquiry_hub.storage import get_storage

    version = _file(at_once, _documents.docx(["Un rapport propre."]), "r.docx")
    # Damaged in storage (or crafted past the upload checks): the gate cannot read it.
    version.sha256 = get_storage().save(b"PK\x03\x04 not really a zip")
    db.session.commit()
    response = _share(client, at_once, version)
    assert response.status_code == 422 and "could not be read" in response.get_data(as_text=True)
    control = _file(at_once, _documents.docx(["Un rapport propre."]), "r.docx")
    assert _share(client, at_once, control).status_code == 302


# --- public names: decided by the team, re-checked at once -----------------------------------


def test_removing_a_public_name_withholds_what_it_let_through(client, at_once):
    from inquiry_hub.fieldwork.models import PublicName

    interview = _interview(at_once["inquiry"], at_once["student"], full_name="")
    excerpt = _excerpt(at_once, interview, "Le maire Grégory Doucet est passé au jardin.")
    version = _text(at_once, f"[[excerpt:{excerpt.id}]]")
    login(client, at_once["student"])
    assert client.post(_url(version) + "/public-names", data={"name": "Grégory Doucet"}).status_code == 302
    client.post("/auth/logout")
    assert _share(client, at_once, version).status_code == 302
    _assert_shared(client, at_once, version, "est passé au jardin")
    row = db.session.scalar(select(PublicName))
    login(client, at_once["student"])
    assert client.post(_url(version) + f"/public-names/{row.id}/remove").status_code == 302
    client.post("/auth/logout")
    assert db.session.scalar(select(func.count(PublicName.id))) == 0
    web, api, _page = _partner_sees(client, at_once, version)
    assert (web, api) == (404, 404)


def test_a_vault_name_can_never_be_made_public(client, at_once):
    from inquiry_hub.fieldwork.models import PublicName

    _interview(at_once["inquiry"], at_once["student"])
    version = _text(at_once, "Rien à signaler.")
    login(client, at_once["student"])
    response = client.post(
        _url(version) + "/public-names", data={"name": "jeanne  MOREAU"}, follow_redirects=True
    )
    assert "identity vault" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(PublicName.id))) == 0
    # Control: another name is accepted.
    client.post(_url(version) + "/public-names", data={"name": "Marie Curie"})
    assert db.session.scalar(select(PublicName.name)) == "Marie Curie"


def test_proposing_a_public_name_is_for_students_only(client, at_once):
    version = _text(at_once, "Rien à signaler.")
    login(client, at_once["tutor"])
    assert client.post(_url(version) + "/public-names", data={"name": "Marie Curie"}).status_code == 403
    client.post("/auth/logout")
    login(client, at_once["partner"])
    assert client.post(_url(version) + "/public-names", data={"name": "Marie Curie"}).status_code == 404


def test_the_model_is_loaded_once_per_process_even_from_several_threads(app):
    import threading

    from inquiry_hub.fieldwork import person_names

    models = []
    threads = [threading.Thread(target=lambda: models.append(person_names.nlp())) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({id(m) for m in models}) == 1 and models[0].pipe_names == ["ner"]
    assert person_names.MODEL_LOAD["seconds"] > 0
