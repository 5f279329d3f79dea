"""A dashboard table as xlsx: every text cell written as text (never a formula)."""
import io

from apps.rosters.exports import office_workbook, put

def table_xlsx(table, *, year: int, note: str = "") -> bytes:
    wb = office_workbook()
    ws = wb.active
    ws.title = table.title[:31]
    put(ws, 1, 1, f"{year}年 {table.title}", bold=True, border=False)
    if note:
        put(ws, 2, 1, note, border=False)
    first = 3
    for col, header in enumerate(table.headers, start=1):
        put(ws, first, col, header, bold=True)
        ws.column_dimensions[ws.cell(row=first, column=col).column_letter].width = (
            28 if col == 1 else 12)
    # The rows as the page shows them: the same hidden cells, the same marks.
    for r, row in enumerate(table.export_rows(), start=first + 1):
        for c, value in enumerate(row):
            put(ws, r, c + 1, value)
    ws.freeze_panes = ws.cell(row=first + 1, column=2)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
