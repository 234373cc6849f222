"""The identity vault: encrypted at rest, revealed to students only, every reveal logged."""

from __future__ import annotations

from pathlib import Path

from cryptography.fernet import Fernet
from sqlalchemy import select

from inquiry_hub import search
from inquiry_hub.activity.models import Activity, Notification
from inquiry_hub.extensions import db
from inquiry_hub.fieldwork import services as fieldwork
from inquiry_hub.fieldwork import vault
from inquiry_hub.fieldwork.models import IdentityKey, IdentityReveal
from tests.conftest import login
from tests.fieldwork.conftest import CONTACT, REAL_NAME, base


def _reveal_url(fw) -> str:
    return base(fw["inquiry"]) + f"/interviews/{fw['interview'].id}/reveal"


def test_student_reveal_shows_the_identity(client, fw):
    login(client, fw["student"])
    page = client.post(_reveal_url(fw)).get_data(as_text=True)
    assert REAL_NAME in page and CONTACT in page


def test_reveal_is_logged_and_listed_on_the_interview_page(client, fw):
    login(client, fw["student"])
    client.post(_reveal_url(fw))
    reveals = db.session.scalars(select(IdentityReveal)).all()
    assert [(r.user_id, r.interview_id) for r in reveals] == [(fw["student"].id, fw["interview"].id)]
    login(client, fw["tutor"])
    page = client.get(base(fw["inquiry"]) + f"/interviews/{fw['interview'].id}").get_data(as_text=True)
    assert fw["student"].name in page


def test_tutor_cannot_reveal(client, fw):
    login(client, fw["tutor"])
    assert client.post(_reveal_url(fw)).status_code == 403
    assert db.session.scalar(select(IdentityReveal)) is None


def test_partner_gets_404_on_reveal(client, fw):
    login(client, fw["partner"])
    assert client.post(_reveal_url(fw)).status_code == 404


def test_interview_page_does_not_show_the_identity_before_a_reveal(client, fw):
    login(client, fw["student"])
    page = client.get(base(fw["inquiry"]) + f"/interviews/{fw['interview'].id}").get_data(as_text=True)
    assert "Dupont" not in page and "Reveal" in page


def _pages(fw) -> list[str]:
    inquiry = fw["inquiry"]
    fw_base = base(inquiry)
    i, n = fw["interview"].id, fw["note"].id
    return [
        f"/inquiries/{inquiry.id}/",
        "/notifications",
        fw_base + "/",
        fw_base + f"/interviews/{i}",
        fw_base + f"/interviews/{i}/withdraw",
        fw_base + f"/notes/{n}",
        fw_base + f"/notes/{n}/history",
        fw_base + "/search?q=Lea",
        fw_base + "/sampling",
        fw_base + "/guide",
    ]


def test_vault_name_appears_on_no_page_a_tutor_or_partner_can_load(client, fw):
    login(client, fw["student"])
    # A reveal happened (the control: the name is in the data): still nothing leaks to others.
    assert "Dupont" in client.post(_reveal_url(fw)).get_data(as_text=True)
    for who in ("tutor", "partner"):
        login(client, fw[who])
        for url in _pages(fw):
            response = client.get(url, follow_redirects=True)
            text = response.get_data(as_text=True)
            assert "Dupont" not in text and "Lulu" not in text and "lea.secret" not in text, (who, url)


def test_search_never_finds_a_vault_name(fw):
    assert len(fieldwork.search_notes(fw["inquiry"], "entreprises", search.Filters())) == 1  # control
    assert fieldwork.search_notes(fw["inquiry"], "Dupont", search.Filters()) == []


def test_identity_never_in_activity_or_notifications(fw):
    texts = [a.summary for a in db.session.scalars(select(Activity))]
    texts += [str(n.params) for n in db.session.scalars(select(Notification))]
    assert any("E07" in t for t in texts)  # control: the interview's creation is in the log
    assert not any("Dupont" in t or "Léa" in t for t in texts)


def test_vault_name_is_not_in_the_database_file_in_clear(app, fw):
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if not url.startswith("sqlite"):
        # On PostgreSQL, read the stored column values instead of a file.
        tokens = db.session.execute(select(IdentityKey.full_name_token, IdentityKey.aliases_token)).one()
        assert all("Dupont" not in t and "Lulu" not in t for t in tokens)
        return
    db.session.execute(db.text("PRAGMA wal_checkpoint(FULL)"))
    path = Path(url.removeprefix("sqlite:///"))
    raw = b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
    for secret in (REAL_NAME, "Dupont", "Lulu Ferrand", CONTACT):
        assert secret.encode() not in raw and secret.encode("utf-16-le") not in raw, secret


def test_notes_hold_the_pseudonym_not_the_name(fw):
    assert "Léa" not in fw["note"].body and "E07 raconte" in fw["note"].body


def test_key_rotation_keeps_identities_readable(app, fw):
    old = vault.keys()
    new_key = Fernet.generate_key().decode()
    app.config["VAULT_KEYS"] = ",".join([new_key] + [k.decode() for k in old])
    try:
        assert fieldwork.rotate_keys() == 1
        db.session.commit()
        app.config["VAULT_KEYS"] = new_key  # the old key is gone: everything must read with the new one
        identity = fieldwork.reveal(fw["interview"], fw["student"])
        assert identity.full_name == REAL_NAME
    finally:
        app.config.pop("VAULT_KEYS")


def test_rotate_vault_key_command(app, fw):
    result = app.test_cli_runner().invoke(args=["rotate-vault-key"])
    assert result.exit_code == 0 and "1" in result.output
