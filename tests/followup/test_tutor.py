"""The tutor's view: team figures against hand-computed values, who reaches it, the drill-down."""

from datetime import datetime

from inquiry_hub.followup import services as followup
from tests.conftest import login, make_inquiry, make_user
from tests.followup.conftest import fill, main_of


def _figures(team):
    today = fill(team["inquiry"], team["students"])
    return followup.team_figures([team["inquiry"]], today, datetime(2027, 2, 14, 12))[0]


def test_task_figures_match_the_fixture(team):
    row = _figures(team)
    assert (row.tasks_done, row.tasks_open, row.tasks_overdue) == (2, 3, 1)


def test_interview_figures_match_the_fixture(team):
    row = _figures(team)
    # conducted counts every interview that took place (conducted, transcribed, coded).
    assert (row.interviews_planned, row.interviews_conducted, row.interviews_coded) == (2, 3, 1)


def test_sampling_target_is_the_largest_total_over_attributes(team):
    assert _figures(team).interviews_target == 7


def test_calendar_elapsed_is_half_way_on_the_fourteenth_of_february(team):
    # 1 Oct 2026 → 30 Jun 2027 is 272 days; 14 Feb 2027 is day 136.
    assert _figures(team).calendar_percent == 50


def test_current_phase_and_its_progress(team):
    row = _figures(team)
    phase = team["inquiry"].current_phase(row.inquiry.starts_on.replace(year=2027, month=2, day=14))
    assert row.phase == phase
    assert row.phase_percent == followup.percent(
        phase.starts_on, phase.ends_on, phase.starts_on.replace(2027, 2, 14)
    )


def test_days_since_last_activity(team):
    assert _figures(team).days_since_activity == 3


def test_open_proposals_and_blocks(team):
    row = _figures(team)
    assert (row.open_proposals, row.blocks) == (2, 1)


def test_tutor_sees_only_inquiries_followed_as_tutor(client, team):
    tutor = team["tutor"]
    make_inquiry("Where I study", students=[tutor])
    login(client, tutor)
    html = main_of(client.get("/tutor/"))
    assert team["inquiry"].title in html
    assert "Where I study" not in html


def test_tutor_view_names_no_student(client, team):
    fill(team["inquiry"], team["students"])
    login(client, team["tutor"])
    response = client.get("/tutor/")
    html = main_of(response)
    assert response.status_code == 200 and team["inquiry"].title in html  # control: the tutor's view
    assert not any(s.name in html for s in team["students"])


def test_drill_down_draws_labelled_charts_with_a_data_table(client, team):
    fill(team["inquiry"], team["students"])
    login(client, team["tutor"])
    html = client.get(f"/tutor/{team['inquiry'].id}").get_data(as_text=True)
    assert html.count("<svg") == 2 and "stroke-dasharray" in html
    assert "Tasks over time" in html and "Data table" in html and "<table" in html


def test_student_without_tutor_role_gets_404_on_the_tutor_view(client, team):
    login(client, team["student"])
    assert client.get("/tutor/").status_code == 404


ROUTE_STATUS = {
    # who → (/tutor/, /tutor/<id>, /partner/<id>, /me/)
    "student": (404, 403, 403, 200),
    "tutor": (200, 200, 403, 200),
    "partner": (404, 403, 200, 200),
    "outsider": (404, 404, 404, 200),
    "admin": (404, 404, 404, 200),
}


def test_role_by_route_matrix(client, team):
    paths = ("/tutor/", "/tutor/{id}", "/partner/{id}", "/me/")
    for who, expected in ROUTE_STATUS.items():
        client.post("/auth/logout")
        login(client, team[who])
        got = tuple(client.get(p.format(id=team["inquiry"].id)).status_code for p in paths)
        assert got == expected, who


def test_anonymous_visitor_is_sent_to_login(client, team):
    for path in ("/tutor/", f"/tutor/{team['inquiry'].id}", f"/partner/{team['inquiry'].id}", "/me/"):
        assert client.get(path).status_code == 302


def test_a_person_with_no_inquiry_gets_an_empty_my_work(client):
    user = make_user()
    login(client, user)
    assert client.get("/me/").status_code == 200


def test_tutor_view_shows_each_deliverable_status_of_each_inquiry(client, team):
    from tests.deliverables.conftest import make_deliverable

    make_deliverable(team["inquiry"], team["student"], title="Note de cadrage", kind="framing_note")
    make_deliverable(team["other_inquiry"], team["outsider"], title="Rapport d'ailleurs")
    login(client, team["tutor"])
    html = main_of(client.get("/tutor/"))
    assert "Note de cadrage: Draft" in html
    assert "Rapport d'ailleurs" not in html
