"""An outage met when the request's unit of work commits is a 503 too, never a bare 500."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import OperationalError

from inquiry_hub import uow


@pytest.fixture
def unpropagated(app):
    # Flask re-raises after_request errors under TESTING; a server handles them.
    app.config["PROPAGATE_EXCEPTIONS"] = False
    yield
    app.config["PROPAGATE_EXCEPTIONS"] = None


def _lost_at_commit():
    raise OperationalError("COMMIT", {}, ConnectionResetError("server closed the connection"))


def test_commit_reaching_no_database_answers_503_with_retry_after(client, unpropagated, monkeypatch):
    assert client.get("/auth/login").status_code == 200  # positive control: the page itself works
    monkeypatch.setattr(uow, "_commit", _lost_at_commit)
    response = client.get("/auth/login")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"


def test_api_commit_reaching_no_database_answers_json_503(client, unpropagated, monkeypatch):
    monkeypatch.setattr(uow, "_commit", _lost_at_commit)
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 503
    assert response.get_json()["error"]["code"]


def test_other_commit_errors_stay_500(client, unpropagated, monkeypatch):
    def broken():
        raise RuntimeError("a bug, not an outage")

    monkeypatch.setattr(uow, "_commit", broken)
    response = client.get("/auth/login")
    assert response.status_code == 500
    assert "Retry-After" not in response.headers
