"""Print exported workbooks with LibreOffice (headless, many files in one call) and check the
PDFs as a user holding the paper would: enough pages, the header on each, every cell's text
there, nothing wider than its cell, a Chinese font named."""
import io
import math
import shutil
import subprocess
import unicodedata
from pathlib import Path

from openpyxl import load_workbook
from pypdf import PdfReader

SOFFICE = shutil.which("soffice")
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "print"
DEFAULT_WIDTH = 8.43  # Excel's default column width, in characters
LINE_POINTS = 14.5    # one line of 11 pt text in a row, in points


def print_to_pdf(workbooks: dict[str, bytes], tmp_path) -> dict[str, list[str]]:
    """{name: text of each printed page}; one soffice run for all (start-up is the cost).
    The PDFs are kept in artifacts/print/ to be looked at."""
    for name, content in workbooks.items():
        (tmp_path / f"{name}.xlsx").write_bytes(content)
    subprocess.run([SOFFICE, f"-env:UserInstallation=file://{tmp_path}/profile", "--headless",
                    "--convert-to", "pdf", "--outdir", str(tmp_path),
                    *[str(tmp_path / f"{name}.xlsx") for name in workbooks]],
                   check=True, capture_output=True, timeout=300)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pages = {}
    for name in workbooks:
        pdf = (tmp_path / f"{name}.pdf").read_bytes()
        (ARTIFACTS / f"{name}.pdf").write_bytes(pdf)
        pages[name] = [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]
    return pages


def squeeze(text) -> str:
    """Text without spaces and symbols (☑ comes back from the PDF as another code point)."""
    return "".join(ch for ch in "".join(str(text).split()) if unicodedata.category(ch) != "So")


def shown(cell) -> str:
    """A cell's value as the sheet shows it (two decimals where the format says so)."""
    value = cell.value
    if isinstance(value, (int, float)) and "0.00" in cell.number_format:
        return f"{value:,.2f}" if "," in cell.number_format else f"{value:.2f}"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def text_width(text: str) -> float:
    """Width in Excel character units: a Chinese character takes two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _spans(ws):
    spans = {}
    covered = set()
    for rng in ws.merged_cells.ranges:
        spans[(rng.min_row, rng.min_col)] = (rng.max_row, rng.max_col)
        covered |= {(r, c) for r in range(rng.min_row, rng.max_row + 1)
                    for c in range(rng.min_col, rng.max_col + 1)} - {(rng.min_row, rng.min_col)}
    return spans, covered


def _width(ws, col) -> float:
    from openpyxl.utils import get_column_letter
    dim = ws.column_dimensions.get(get_column_letter(col))
    return dim.width if dim is not None and dim.width else DEFAULT_WIDTH


def _filled(ws):
    """(cell, last row, room in character units) of every cell with a value, merged ranges
    once, at their first cell."""
    spans, covered = _spans(ws)
    for row in ws.iter_rows():
        for cell in row:
            if cell.value is None or (cell.row, cell.column) in covered:
                continue
            last_row, last_col = spans.get((cell.row, cell.column), (cell.row, cell.column))
            yield cell, last_row, sum(_width(ws, c) for c in range(cell.column, last_col + 1)) - 0.5


def cells_that_do_not_fit(ws) -> list[str]:
    """Cells whose text is wider than the cell (cut or printed over the neighbour), or, when
    wrapped in a row of fixed height, needs more lines than the row holds."""
    bad = []
    for cell, last_row, room in _filled(ws):
        scale = (cell.font.sz or 11) / 11
        lines = [text_width(part) * scale for part in shown(cell).split("\n")]
        if not (cell.alignment and cell.alignment.wrap_text):
            if max(lines) > room:
                bad.append(f"{cell.coordinate}「{cell.value}」宽{max(lines):.0f}>列宽{room:.0f}")
            continue
        needed = sum(max(1, math.ceil(w / room)) for w in lines)
        # LibreOffice keeps an xlsx row without a height at one line: it does not grow.
        heights = [ws.row_dimensions[r].height or 15
                   for r in range(cell.row, last_row + 1)]
        held = sum(heights) / (LINE_POINTS * (cell.font.sz or 11) / 11)
        if needed > held + 0.01:
            bad.append(f"{cell.coordinate}「{cell.value}」需{needed}行>行高容{held:.1f}行")
    return bad


def printed_whole(text: str, printed: str, lines: int) -> bool:
    """The text is in the PDF, whole or as the pieces of its wrapped lines (a wrapped cell's
    second line is read out after the first lines of the cells beside it)."""
    if text in printed:
        return True
    pieces, rest = 0, text
    while rest:
        size = len(rest)
        while size and rest[:size] not in printed:
            size -= 1
        if not size:
            return False
        pieces, rest = pieces + 1, rest[size:]
    return pieces <= lines


def _lines_of(ws) -> dict[str, int]:
    out = {}
    for cell, _, room in _filled(ws):
        text = squeeze(shown(cell))
        out[text] = max(out.get(text, 1), math.ceil(text_width(text) / max(room, 1)) + 1)
    return out


def problems(name: str, content: bytes, pages: list[str], *, header=(), min_pages=1,
             max_pages=1) -> list[str]:
    """What is wrong with one printed workbook, in words (empty: it prints as filed)."""
    found = []
    if not min_pages <= len(pages) <= max_pages:
        found.append(f"{name}: {len(pages)} 页，应为 {min_pages}–{max_pages} 页")
    for number, page in enumerate(pages, 1):
        missing = [h for h in header if squeeze(h) not in squeeze(page)]
        if missing:
            found.append(f"{name}: 第{number}页缺表头 {missing}")
    wb = load_workbook(io.BytesIO(content))
    printed = squeeze("".join(pages))
    for ws in wb.worksheets:
        lost = sorted(t for t, lines in _lines_of(ws).items()
                      if t and not printed_whole(t, printed, lines))
        if lost:
            found.append(f"{name}/{ws.title}: 打印件缺 {lost[:5]}（共{len(lost)}）")
        found += [f"{name}/{ws.title}: {b}" for b in cells_that_do_not_fit(ws)]
        fonts = {c.font.name for row in ws.iter_rows() for c in row if c.value is not None}
        if not fonts or fonts - {"宋体"}:
            found.append(f"{name}/{ws.title}: 字体 {fonts}，应为宋体")
        if ws.max_row > 40 and not ws.print_title_rows:
            found.append(f"{name}/{ws.title}: 没有重复打印的表头行")
    return found
