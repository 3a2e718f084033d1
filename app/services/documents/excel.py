"""Excel workbooks (openpyxl) for the task force: sheets with a bold frozen header, filters on the
header row, column widths that fit Chinese text (a CJK character is about two Latin ones wide),
and the filters a sheet was made with written above its table."""
from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from typing import Any

from app.utils import safe_text

HEADER_FILL = "DDEBF7"
MAX_WIDTH = 60


def text_width(value: Any) -> int:
    """Display width in Excel's character units: CJK and full-width characters count twice."""
    if value is None:
        return 0
    text = str(value)
    # a CJK character is 3 bytes in UTF-8 and 2 wide; ASCII is 1 and 1 (fast, in C)
    return len(text) + (len(text.encode("utf-8")) - len(text)) // 2


def new_workbook():
    """A write-only workbook: rows stream to the file, so a ledger of 100,000 rows stays fast."""
    from openpyxl import Workbook

    return Workbook(write_only=True)


def add_sheet(workbook, title: str, header: Sequence[str], rows: Iterable[Sequence[Any]],
              notes: Sequence[tuple[str, str]] = (), autofilter: bool = True):
    """A sheet: `notes` (label, value) lines first (e.g. the filters), then the table with its
    header bold, frozen and filterable, columns as wide as their longest text."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    # empty texts as no cell at all (smaller, faster files; a blank reads the same)
    # text stored before input was checked may hold characters a workbook cannot: left out
    rows = [[None if value == "" else safe_text(value) if isinstance(value, str) else value for value in row]
            for row in rows]
    notes = [(label, safe_text(value) if isinstance(value, str) else value) for label, value in notes]
    sheet = workbook.create_sheet(title=title[:31])
    widths = [text_width(h) for h in header]
    for values in rows:
        for index, value in enumerate(values[:len(widths)]):
            width = text_width(value)
            if width > widths[index]:
                widths[index] = width
    if notes:
        widths[0] = max(widths[0], max(text_width(label) for label, _ in notes))
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = min(MAX_WIDTH, max(8, width + 2))
    header_row = len(notes) + 2 if notes else 1
    sheet.freeze_panes = f"A{header_row + 1}"
    if autofilter and header:
        sheet.auto_filter.ref = f"A{header_row}:{get_column_letter(len(header))}{header_row + len(rows)}"
    bold = Font(bold=True)
    for label, value in notes:
        cell = WriteOnlyCell(sheet, value=label)
        cell.font = bold
        sheet.append([cell, value])
    if notes:
        sheet.append([])
    fill = PatternFill("solid", fgColor=HEADER_FILL)
    header_cells = []
    for text in header:
        cell = WriteOnlyCell(sheet, value=text)
        cell.font, cell.fill, cell.alignment = bold, fill, Alignment(vertical="center")
        header_cells.append(cell)
    sheet.append(header_cells)
    for values in rows:
        sheet.append([_as_text(sheet, value) if isinstance(value, str) and value.startswith("=") else value
                      for value in values])
    return sheet


def _as_text(sheet, value: str):
    """Text beginning with "=" (a title, a user agent) stays text: openpyxl would store it as a
    formula that Excel runs when the file is opened."""
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"
    return cell


def to_bytes(workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX_MIMETYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
