"""The inquiry archive opens without the app and holds no identity data; the audit page."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date
from html.parser import HTMLParser

import pytest
from sqlalchemy import func, select

from inquiry_hub.extensions import db
from inquiry_hub.fieldwork import services as fieldwork
from inquiry_hub.governance.services import logbook
from inquiry_hub.privacy.models import SensitiveRead
from tests.conftest import login
from tests.privacy.conftest import NAMES


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.hrefs.append(dict(attrs)["href"])


def _archive(client, world) -> zipfile.ZipFile:
    """Build the archive through the archive page, then download it from the link it offers."""
    login(client, world["student"])
    page = f"/inquiries/{world['inquiry'].id}/archive/"
    assert client.post(page).status_code == 302
    html = client.get(page).get_data(as_text=True)
    (href,) = re.findall(r'href="([^"]+\.zip)"', html)
    response = client.get(href)
    assert response.status_code == 200
    return zipfile.ZipFile(io.BytesIO(response.data))


def test_archive_index_links_resolve_to_files_of_the_zip(client, world):
    archive = _archive(client, world)
    parser = _Links()
    parser.feed(archive.read("index.html").decode())
    assert parser.hrefs and set(parser.hrefs) <= set(archive.namelist())


def test_archive_has_markdown_per_room_and_csv(client, world):
    names = set(_archive(client, world).namelist())
    assert {"tasks.md", "tasks.csv", "interviews.csv", "meetings.md", "decisions.md", "logbook.md"} <= names
    assert any(n.startswith("notes/") and "E07" in n for n in names)


def test_archive_holds_no_vault_name_anywhere(client, world):
    archive = _archive(client, world)
    assert any(n.startswith("notes/") and "E07" in n for n in archive.namelist())  # control: E07's notes
    for name in archive.namelist():
        text = archive.read(name).decode("utf-8", "replace")
        assert NAMES["main"] not in text and "e07@secret.example" not in text, name
        assert "form E07" not in text and "audio E07" not in text, name


def test_archive_holds_nothing_of_another_inquiry(client, world):
    archive = _archive(client, world)
    texts = [archive.read(n).decode("utf-8", "replace") for n in archive.namelist()]
    assert any("E07" in text for text in texts)  # control: the inquiry's own interview is there
    assert not any("B12" in text for text in texts)


def test_archive_download_is_listed_on_the_audit_page(client, world):
    _archive(client, world)
    page = client.get(f"/inquiries/{world['inquiry'].id}/audit/").get_data(as_text=True)
    assert "inquiry exported" in page


def test_identity_reveal_is_listed_on_the_audit_page(client, world):
    fieldwork.reveal(world["main"]["interview"], world["students"][1])
    login(client, world["tutor"])
    page = client.get(f"/inquiries/{world['inquiry'].id}/audit/").get_data(as_text=True)
    assert "identity revealed" in page and "E07" in page and NAMES["main"] not in page


def test_consent_form_download_is_listed_on_the_audit_page(client, world):
    interview, form = world["main"]["interview"], world["main"]["form"]
    login(client, world["student"])
    base = f"/inquiries/{world['inquiry'].id}"
    assert client.get(f"{base}/fieldwork/interviews/{interview.id}/files/{form.id}").status_code == 200
    page = client.get(f"{base}/audit/").get_data(as_text=True)
    assert "consent form downloaded" in page and "E07" in page


def test_audio_download_is_not_listed_as_a_consent_form(client, world):
    interview, audio = world["main"]["interview"], world["main"]["audio"]
    login(client, world["student"])
    base = f"/inquiries/{world['inquiry'].id}"
    assert client.get(f"{base}/fieldwork/interviews/{interview.id}/files/{audio.id}").status_code == 200
    response = client.get(f"{base}/audit/")
    assert response.status_code == 200
    assert "consent form downloaded" not in response.get_data(as_text=True)


@pytest.mark.parametrize("who,status", [("tutor", 403), ("partner", 404), ("outsider", 404), ("admin", 404)])
def test_only_students_download_a_consent_form_and_refusals_are_not_logged(client, world, who, status):
    interview, form = world["main"]["interview"], world["main"]["form"]
    login(client, world[who])
    base = f"/inquiries/{world['inquiry'].id}"
    assert client.get(f"{base}/fieldwork/interviews/{interview.id}/files/{form.id}").status_code == status
    assert db.session.scalar(select(func.count(SensitiveRead.id))) == 0


def test_consent_form_download_of_another_inquiry_is_404_and_not_logged(client, world):
    login(client, world["student"])
    base = f"/inquiries/{world['inquiry'].id}"
    interview, form = world["main"]["interview"], world["other"]["form"]
    assert client.get(f"{base}/fieldwork/interviews/{interview.id}/files/{form.id}").status_code == 404
    assert db.session.scalar(select(func.count(SensitiveRead.id))) == 0


def test_archive_holds_shared_logbook_entries_but_no_personal_one(client, world):
    for title, personal in (("Carnet partagé", False), ("Carnet intime", True)):
        logbook.write_entry(
            world["inquiry"],
            world["student"],
            written_on=date(2026, 11, 4),
            title=title,
            body="…",
            personal=personal,
        )
    db.session.commit()
    text = _archive(client, world).read("logbook.md").decode()
    assert "Carnet partagé" in text and "Carnet intime" not in text
