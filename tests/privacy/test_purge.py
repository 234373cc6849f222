"""Retention: the purge of expired inquiries, the 30-day warning, the retention date."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from inquiry_hub.activity.models import Notification
from inquiry_hub.extensions import db
from inquiry_hub.fieldwork.models import IdentityKey, InterviewFile, Note
from inquiry_hub.privacy.models import PurgeLog
from inquiry_hub.privacy.services import retention
from inquiry_hub.storage import get_storage
from tests.conftest import login

TODAY = date(2028, 1, 15)


def _expire(inquiry) -> None:
    inquiry.retention_until = TODAY - timedelta(days=1)
    db.session.commit()


def _count(model, inquiry) -> int:
    return db.session.scalar(select(func.count(model.id)).where(model.inquiry_id == inquiry.id))


def _purge() -> list[PurgeLog]:
    logs = retention.purge_expired(TODAY)
    db.session.commit()
    return logs


def test_purge_deletes_identity_keys_and_files_of_the_expired_inquiry_only(world):
    _expire(world["inquiry"])
    _purge()
    assert (_count(IdentityKey, world["inquiry"]), _count(InterviewFile, world["inquiry"])) == (0, 0)
    assert (_count(IdentityKey, world["other_inquiry"]), _count(InterviewFile, world["other_inquiry"])) == (
        1,
        2,
    )


def test_purge_removes_the_stored_files_of_the_expired_inquiry_and_keeps_the_others(world):
    _expire(world["inquiry"])
    _purge()
    storage = get_storage()
    assert not storage.exists(world["main"]["form"].sha256)
    assert not storage.exists(world["main"]["audio"].sha256)
    assert storage.exists(world["other"]["form"].sha256) and storage.exists(world["other"]["audio"].sha256)


def test_purge_deletes_the_notes_unless_the_inquiry_archives_them(world):
    _expire(world["inquiry"])
    _purge()
    assert _count(Note, world["inquiry"]) == 0
    assert _count(Note, world["other_inquiry"]) == 1


def test_purge_keeps_pseudonymised_notes_when_the_inquiry_archives_them(world):
    retention.set_retention(world["inquiry"], world["admin"], TODAY - timedelta(days=1), archive_notes=True)
    db.session.commit()
    _purge()
    assert _count(Note, world["inquiry"]) == 1
    assert _count(IdentityKey, world["inquiry"]) == 0


def test_purge_log_holds_counts_and_no_personal_data(world):
    _expire(world["inquiry"])
    [log] = _purge()
    assert (log.inquiry_ref, log.identity_keys, log.consent_forms, log.other_files, log.notes) == (
        world["inquiry"].id,
        1,
        1,
        1,
        1,
    )


def test_purge_runs_once_per_retention_date(world):
    _expire(world["inquiry"])
    assert len(_purge()) == 1  # control: the first run purges
    assert _purge() == []


def test_purge_expired_command_applies_retention_dates(app, world):
    world["inquiry"].retention_until = date.today() - timedelta(days=1)
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["purge-expired"], catch_exceptions=False)
    db.session.expire_all()
    assert "inquiries purged: 1" in result.output
    assert _count(IdentityKey, world["inquiry"]) == 0


def test_run_due_purges_expired_inquiries(app, world):
    world["inquiry"].retention_until = date.today() - timedelta(days=1)
    db.session.commit()
    app.test_cli_runner().invoke(args=["run-due"], catch_exceptions=False)
    db.session.expire_all()
    assert _count(IdentityKey, world["inquiry"]) == 0


def test_members_are_notified_once_thirty_days_before(world):
    world["inquiry"].retention_until = TODAY + timedelta(days=20)
    db.session.commit()
    retention.notify_upcoming(TODAY)
    retention.notify_upcoming(TODAY + timedelta(days=1))
    db.session.commit()
    count = db.session.scalar(
        select(func.count(Notification.id)).where(
            Notification.kind == "privacy.purge_soon", Notification.user_id == world["student"].id
        )
    )
    assert count == 1


def test_members_of_inquiries_far_from_their_date_are_not_notified(world):
    retention.notify_upcoming(date(2026, 12, 1))
    db.session.commit()
    assert (
        db.session.scalar(
            select(func.count(Notification.id)).where(Notification.kind == "privacy.purge_soon")
        )
        == 0
    )


def test_student_change_of_retention_date_goes_through_the_governance_rule(client, world):
    login(client, world["student"])
    response = client.post(
        f"/inquiries/{world['inquiry'].id}/retention", data={"until": "2031-06-30", "archive_notes": "y"}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert world["inquiry"].retention_until != date(2031, 6, 30)  # a proposal is open under "consent"


def test_student_change_of_retention_date_applies_at_once_under_any_member(client, world):
    world["inquiry"].governance_rule = "any_member"
    db.session.commit()
    login(client, world["student"])
    client.post(
        f"/inquiries/{world['inquiry'].id}/retention", data={"until": "2031-06-30", "archive_notes": "y"}
    )
    db.session.expire_all()
    assert world["inquiry"].retention_until == date(2031, 6, 30)
    assert retention.archives_notes(world["inquiry"]) is True


def test_tutor_cannot_change_the_retention_date(client, world):
    login(client, world["tutor"])
    response = client.post(f"/inquiries/{world['inquiry'].id}/retention", data={"until": "2031-06-30"})
    assert response.status_code == 403


def test_admin_changes_the_retention_date_directly(client, world):
    login(client, world["admin"])
    response = client.post(f"/admin/privacy/{world['inquiry'].id}", data={"until": "2031-06-30"})
    assert response.status_code == 302
    db.session.expire_all()
    assert world["inquiry"].retention_until == date(2031, 6, 30)


def test_admin_page_lists_upcoming_purges_and_the_log(client, world):
    world["inquiry"].retention_until = date.today() + timedelta(days=10)
    db.session.commit()
    login(client, world["admin"])
    page = client.get("/admin/privacy/").get_data(as_text=True)
    assert world["inquiry"].title in page and world["other_inquiry"].title not in page


def test_new_inquiry_is_kept_until_the_end_of_its_cohort_year_plus_one_year(team):
    # make_inquiry's cohort ends on 31 August 2027.
    assert team["inquiry"].retention_until == date(2028, 8, 31)


def test_new_inquiry_of_a_cohort_ending_on_29_february_is_kept_until_28_february(team):
    from inquiry_hub.inquiries import services as inquiries

    cohort = team["inquiry"].cohort
    cohort.ends_on = date(2028, 2, 29)
    inquiry = inquiries.create_inquiry(
        title="Bissextile",
        question="",
        organisation=team["inquiry"].organisation,
        cohort=cohort,
        starts_on=date(2027, 9, 1),
        ends_on=date(2028, 2, 1),
    )
    assert inquiry.retention_until == date(2029, 2, 28)
