from tests.conftest import login


def test_healthz_reports_database_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_student_lands_on_her_inquiry_after_login(client, team):
    response = login(client, team["student"])
    assert response.headers["Location"] == "/inquiries/"
    page = client.get("/inquiries/", follow_redirects=True)
    assert team["inquiry"].title in page.get_data(as_text=True)
