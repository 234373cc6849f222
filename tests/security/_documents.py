"""Documents of every kind the gate reads, written from text for the tests (paragraphs apart)."""

from __future__ import annotations

import io


def docx(paragraphs: list[str]) -> bytes:
    import docx as python_docx

    document = python_docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def pptx(paragraphs: list[str], notes: str = "") -> bytes:
    from pptx import Presentation

    deck = Presentation()
    slide = deck.slides.add_slide(deck.slide_layouts[1])
    slide.shapes.title.text = "Restitution"
    frame = slide.placeholders[1].text_frame
    frame.text = paragraphs[0] if paragraphs else ""
    for text in paragraphs[1:]:
        frame.add_paragraph().text = text
    if notes:
        slide.notes_slide.notes_text_frame.text = notes
    buffer = io.BytesIO()
    deck.save(buffer)
    return buffer.getvalue()


def xlsx(paragraphs: list[str]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for row, text in enumerate(paragraphs, 1):
        sheet.cell(row=row, column=1, value=text)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _odf(document, paragraphs: list[str], container) -> bytes:
    from odf.text import P

    for text in paragraphs:
        container.addElement(P(text=text))
    buffer = io.BytesIO()
    document.write(buffer)
    return buffer.getvalue()


def odt(paragraphs: list[str]) -> bytes:
    from odf.opendocument import OpenDocumentText

    document = OpenDocumentText()
    return _odf(document, paragraphs, document.text)


def odp(paragraphs: list[str]) -> bytes:
    from odf.draw import Frame, Page, TextBox
    from odf.opendocument import OpenDocumentPresentation
    from odf.style import MasterPage, PageLayout

    document = OpenDocumentPresentation()
    layout = PageLayout(name="Layout")
    document.automaticstyles.addElement(layout)
    master = MasterPage(name="Master", pagelayoutname=layout)
    document.masterstyles.addElement(master)
    page = Page(masterpagename=master)
    document.presentation.addElement(page)
    frame = Frame(width="20cm", height="10cm", x="1cm", y="1cm")
    page.addElement(frame)
    box = TextBox()
    frame.addElement(box)
    return _odf(document, paragraphs, box)


def ods(paragraphs: list[str]) -> bytes:
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    document = OpenDocumentSpreadsheet()
    table = Table(name="Feuille1")
    for text in paragraphs:
        row = TableRow()
        cell = TableCell(valuetype="string")
        cell.addElement(P(text=text))
        row.addElement(cell)
        table.addElement(row)
    document.spreadsheet.addElement(table)
    buffer = io.BytesIO()
    document.write(buffer)
    return buffer.getvalue()


def _pdf_string(text: str) -> bytes:
    raw = text.encode("cp1252", errors="replace")
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def pdf(paragraphs: list[str]) -> bytes:
    """A one-page PDF written by hand: Helvetica (WinAnsi), one line per paragraph."""
    lines = [line for text in paragraphs for line in (text.split("\n") + [""])]
    stream = (
        b"BT /F1 10 Tf 14 TL 40 800 Td\n"
        + b"".join(_pdf_string(line) + b" Tj T*\n" for line in lines)
        + b"ET"
    )
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> "
        b"/Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += str(number).encode() + b" 0 obj\n" + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 " + str(len(objects) + 1).encode() + b"\n0000000000 65535 f \n"
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += b"trailer\n<< /Size " + str(len(objects) + 1).encode() + b" /Root 1 0 R >>\nstartxref\n"
    out += str(xref).encode() + b"\n%%EOF\n"
    return bytes(out)


def markdown(paragraphs: list[str]) -> bytes:
    return "\n\n".join(paragraphs).encode("utf-8")


#: Each format: (writer, the type the upload is sniffed as).
FORMATS = {
    "md": (markdown, "text/markdown"),
    "docx": (docx, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "odt": (odt, "application/vnd.oasis.opendocument.text"),
    "odp": (odp, "application/vnd.oasis.opendocument.presentation"),
    "pptx": (pptx, "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
    "xlsx": (xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "ods": (ods, "application/vnd.oasis.opendocument.spreadsheet"),
    "pdf": (pdf, "application/pdf"),
}
