"""The OpenAPI document and its reference page (vendored Swagger UI, no CDN, no inline script)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

CONTRACT = {
    "/api/v1/me": {"get"},
    "/api/v1/inquiries": {"get"},
    "/api/v1/inquiries/{inquiry_id}": {"get"},
    "/api/v1/inquiries/{inquiry_id}/tasks": {"get", "post"},
    "/api/v1/tasks/{task_id}": {"get", "patch", "delete"},
    "/api/v1/inquiries/{inquiry_id}/interviews": {"get", "post"},
    "/api/v1/interviews/{interview_id}/notes": {"get", "post"},
    "/api/v1/inquiries/{inquiry_id}/search": {"get"},
}


def test_document_is_openapi_31_and_public(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.get_json()["openapi"] == "3.1.0"


def test_document_covers_the_contract(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path, methods in CONTRACT.items():
        assert methods <= set(paths[path]), path


def test_document_declares_bearer_auth(client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert document["security"] == [{"bearerAuth": []}]


def test_errors_are_documented_with_the_error_shape(client):
    document = client.get("/api/v1/openapi.json").get_json()
    error = document["components"]["schemas"]["Error"]
    assert error["required"] == ["error"]


def test_reference_page_uses_vendored_assets_only(client):
    response = client.get("/api/v1/docs")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "script-src 'self';" in response.headers["Content-Security-Policy"]
    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert sources and all(s.startswith("/") for s in sources)
    assert "<script>" not in page


def test_vendored_swagger_ui_keeps_its_licence():
    folder = ROOT / "static" / "vendor" / "swagger-ui-dist-5.35.0"
    assert (folder / "LICENSE").exists() and (folder / "swagger-ui-bundle.js").exists()
    assert "swagger-ui-dist-5.35.0" in (ROOT / "static" / "vendor" / "README.md").read_text()
