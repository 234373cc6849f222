"""Command line of CONTRACT.md: seed-demo, create-admin, backup; and /healthz when the database fails."""

import sqlite3

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from inquiry_hub.accounts import services as accounts
from inquiry_hub.accounts.models import User
from inquiry_hub.db import Base
from inquiry_hub.extensions import db
from inquiry_hub.inquiries.models import Inquiry, Membership
from tests.conftest import make_user

DEMO_PASSWORD = "demo-pass-2026"
ADMIN_PASSWORD = "a sturdy admin passphrase"

DEMO_MEMBERS = {
    "Les Jardins du Lien": {
        ("alice@demo.example", "student"),
        ("bruno@demo.example", "student"),
        ("chloe@demo.example", "student"),
        ("tutor@demo.example", "tutor"),
        ("partner-a@demo.example", "partner"),
    },
    "Énergie Citoyenne": {
        ("david@demo.example", "student"),
        ("emma@demo.example", "student"),
        ("farid@demo.example", "student"),
        ("tutor@demo.example", "tutor"),
        ("partner-b@demo.example", "partner"),
    },
}
DEMO_ACCOUNTS = ["admin@demo.example"] + sorted(
    {email for members in DEMO_MEMBERS.values() for email, _ in members}
)


@pytest.fixture
def cli(app):
    runner = app.test_cli_runner()

    def invoke(*args, env=None):
        result = runner.invoke(args=list(args), env=env, catch_exceptions=False)
        db.session.expire_all()
        return result

    return invoke


def _row_counts() -> dict[str, int]:
    return {
        table.name: db.session.scalar(select(func.count()).select_from(table))
        for table in Base.metadata.sorted_tables
    }


def _members(title: str) -> set[tuple[str, str]]:
    rows = db.session.execute(
        select(User.email, Membership.role)
        .join(Membership, Membership.user_id == User.id)
        .join(Inquiry, Inquiry.id == Membership.inquiry_id)
        .where(Inquiry.title == title)
    ).all()
    return {(email, role) for email, role in rows}


# --- seed-demo --------------------------------------------------------------------------


def test_seed_demo_creates_every_demo_account(cli):
    cli("seed-demo")
    emails = set(db.session.scalars(select(User.email)))
    assert set(DEMO_ACCOUNTS) <= emails and len(DEMO_ACCOUNTS) == 10


def test_every_demo_account_logs_in_with_the_demo_password(app, cli):
    cli("seed-demo")
    refused = []
    for email in DEMO_ACCOUNTS:
        response = app.test_client().post("/auth/login", data={"email": email, "password": DEMO_PASSWORD})
        if response.status_code != 302:
            refused.append(email)
    assert refused == []
    wrong = app.test_client().post("/auth/login", data={"email": DEMO_ACCOUNTS[0], "password": "wrong!"})
    assert wrong.status_code == 200  # control: a wrong password is not let in (the form again)


def test_seed_demo_makes_only_the_admin_a_site_admin(cli):
    cli("seed-demo")
    admins = set(db.session.scalars(select(User.email).where(User.is_admin)))
    assert admins == {"admin@demo.example"}


@pytest.mark.parametrize("title", sorted(DEMO_MEMBERS))
def test_seed_demo_creates_each_inquiry_with_its_members(cli, title):
    cli("seed-demo")
    assert _members(title) == DEMO_MEMBERS[title]


def test_seed_demo_is_idempotent(cli):
    cli("seed-demo")
    first = _row_counts()
    result = cli("seed-demo")
    assert result.exit_code == 0 and _row_counts() == first


def test_seed_demo_reset_restores_the_demo_data(cli):
    cli("seed-demo")
    expected = _row_counts()
    make_user("Extra person")
    db.session.delete(db.session.scalars(select(Membership)).first())
    db.session.commit()
    cli("seed-demo", "--reset")
    assert (
        _row_counts() == expected and _members("Les Jardins du Lien") == DEMO_MEMBERS["Les Jardins du Lien"]
    )


def test_seed_demo_reset_removes_other_data(cli):
    extra = make_user("Extra person").email
    cli("seed-demo", "--reset")
    assert accounts.find_user(extra) is None


def test_seed_demo_scale_adds_inquiries(cli):
    cli("seed-demo", "--scale", "3")
    assert db.session.scalar(select(func.count(Inquiry.id))) == len(DEMO_MEMBERS) + 3


# --- create-admin -----------------------------------------------------------------------


def test_create_admin_creates_an_admin_with_the_env_password(cli):
    result = cli("create-admin", "Boss@Test.example", env={"ADMIN_PASSWORD": ADMIN_PASSWORD})
    user = accounts.authenticate("boss@test.example", ADMIN_PASSWORD, "127.0.0.1")
    assert result.exit_code == 0 and user is not None and user.is_admin


def test_create_admin_promotes_an_existing_account(cli):
    user = make_user()
    cli("create-admin", user.email, env={"ADMIN_PASSWORD": ""})
    assert db.session.get(User, user.id).is_admin


def test_create_admin_refuses_a_weak_password(app):
    result = app.test_cli_runner().invoke(
        args=["create-admin", "boss@test.example"], env={"ADMIN_PASSWORD": "password"}
    )
    assert result.exit_code != 0 and accounts.find_user("boss@test.example") is None


# --- backup -----------------------------------------------------------------------------


def test_backup_writes_a_copy_of_the_database_holding_the_users(app, cli, tmp_path):
    user = make_user()
    target = tmp_path / "backup"
    result = cli("backup", str(target))
    assert result.exit_code == 0, result.output
    backend = make_url(app.config["SQLALCHEMY_DATABASE_URI"]).get_backend_name()
    if backend == "sqlite":
        copy = sqlite3.connect(target / "database.sqlite3")
        emails = [row[0] for row in copy.execute("SELECT email FROM users")]
        copy.close()
        assert emails == [user.email]
    else:
        assert backend == "postgresql"
        dump = (target / "database.sql").read_text()
        assert "CREATE TABLE" in dump and user.email in dump


def test_backup_copies_the_uploads(app, cli, tmp_path, monkeypatch):
    uploads = tmp_path / "uploads"
    (uploads / "inquiry-1").mkdir(parents=True)
    (uploads / "inquiry-1" / "consent.pdf").write_bytes(b"%PDF-1.4 consent")
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(uploads))
    cli("backup", str(tmp_path / "backup"))
    assert (tmp_path / "backup" / "uploads" / "inquiry-1" / "consent.pdf").read_bytes() == b"%PDF-1.4 consent"


# --- healthz ----------------------------------------------------------------------------


def test_healthz_answers_503_when_the_database_is_unreachable(client, monkeypatch):
    def unreachable(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, ConnectionRefusedError("connection refused"))

    monkeypatch.setattr(db.session, "execute", unreachable)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["status"] == "error"


def test_create_admin_refuses_a_weak_password_for_an_existing_account(app, monkeypatch):
    user = make_user("Existing")
    before = user.password_hash
    monkeypatch.setenv("ADMIN_PASSWORD", "short")
    result = app.test_cli_runner().invoke(args=["create-admin", user.email])
    assert result.exit_code != 0
    db.session.refresh(user)
    assert user.password_hash == before and not user.is_admin
