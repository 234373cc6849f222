"""CSV injection: every CSV the app produces goes through one writer (export_rows.csv_text).

A cell starting with = + - @ TAB or CR gets a leading single quote (OWASP); an empty cell stays
empty, numbers stay numbers. Checked on the writer, then on each CSV download and the archive.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import date, timedelta

import pytest

from inquiry_hub.db import utcnow
from inquiry_hub.export_rows import csv_text, safe_cell
from inquiry_hub.extensions import db
from inquiry_hub.fieldwork import services as fieldwork
from inquiry_hub.fieldwork.services import coding
from inquiry_hub.inquiries import engine
from inquiry_hub.tasks import services as tasks
from tests.conftest import login
from tests.governance.helpers import free_proposal

ATTACKS = ['=HYPERLINK("http://evil.example")', "+1+1", "-2+3", "@SUM(A1)", "\t=1+1", "\r=1+1"]


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def _unsafe(rows: list[list[str]]) -> list[str]:
    """Cells a spreadsheet would run as a formula."""
    return [cell for row in rows for cell in row if cell.startswith(("=", "+", "-", "@", "\t", "\r"))]


@pytest.mark.parametrize("attack", ATTACKS)
def test_a_formula_like_cell_gets_a_quote(attack):
    assert safe_cell(attack) == "'" + attack


@pytest.mark.parametrize("value", ["", "Bonjour", "E07", "l'=autre", 0, -5, 3.5, None])
def test_other_cells_are_left_alone(value):
    assert safe_cell(value) == value


def test_the_writer_keeps_empty_cells_empty_and_numbers_as_numbers():
    rows = _rows(csv_text(["a", "b", "c"], [["", -5, "=1"]]))
    assert rows == [["a", "b", "c"], ["", "-5", "'=1"]]


# --- every CSV of the app ----------------------------------------------------------------


@pytest.fixture
def hostile(team):
    """Field material, a code, a task and a closed proposal whose texts start like formulas."""
    inquiry, student = team["inquiry"], team["student"]
    interview = fieldwork.create_interview(
        inquiry, student, {"pseudonym": "E07", "status": "conducted", "conducted_on": date(2026, 11, 3)}
    )
    note = fieldwork.create_note(
        inquiry,
        student,
        title="@Entretien",
        body="\n\n".join(ATTACKS),
        kind="transcript",
        interview=interview,
        written_on=date(2026, 11, 3),
    )
    code = coding.create_code(inquiry, student, name="+Gouvernance", description="-définition")
    for number in range(1, len(ATTACKS) + 1):
        coding.code_paragraph(note, student, number, [code.id])
    column = tasks.columns_of(inquiry)[0]
    tasks.create_task(inquiry, title="=1+1", column=column, actor=student)
    db.session.commit()
    free_proposal(team, title="-Décider", hours=1)
    engine.settle_due(now=utcnow() + timedelta(hours=2))
    db.session.commit()
    return {**team, "code": code}


def test_the_excerpts_csv_quotes_formulas_and_keeps_empty_cells(client, hostile):
    login(client, hostile["student"])
    url = f"/inquiries/{hostile['inquiry'].id}/fieldwork/codes/{hostile['code'].id}/excerpts.csv"
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = _rows(response.get_data(as_text=True))
    assert len(rows) == 1 + len(ATTACKS)
    assert _unsafe(rows) == []
    assert all(row[6].startswith("'") for row in rows[1:])
    assert [row[3] for row in rows[1:]] == [""] * len(ATTACKS)  # no profile: empty, not "'"


def test_the_decision_log_csv_quotes_formulas_and_keeps_empty_cells(client, hostile):
    login(client, hostile["student"])
    response = client.get(f"/inquiries/{hostile['inquiry'].id}/decisions/log.csv")
    assert response.status_code == 200
    rows = _rows(response.get_data(as_text=True))
    (row,) = [r for r in rows[1:] if "Décider" in r[1]]
    assert row[1] == "'-Décider"
    assert "'" not in {cell for r in rows for cell in r}  # empty cells stay empty
    assert _unsafe(rows) == []


def test_the_archive_csvs_quote_formulas(client, hostile):
    login(client, hostile["student"])
    page = f"/inquiries/{hostile['inquiry'].id}/archive/"
    assert client.post(page).status_code == 302
    (href,) = re.findall(r'href="([^"]+\.zip)"', client.get(page).get_data(as_text=True))
    archive = zipfile.ZipFile(io.BytesIO(client.get(href).data))
    names = [n for n in archive.namelist() if n.endswith(".csv")]
    assert {"tasks.csv", "codes.csv"} <= {n.rsplit("/", 1)[-1] for n in names}
    cells = {n: _rows(archive.read(n).decode()) for n in names}
    assert {n: _unsafe(rows) for n, rows in cells.items()} == {n: [] for n in names}
    assert any("'=1+1" in row for rows in cells.values() for row in rows)
    assert any("'+Gouvernance" in row for rows in cells.values() for row in rows)
