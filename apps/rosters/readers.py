"""Read an uploaded workbook or CSV into plain rows. Runs after safety.inspect() accepted it."""
import csv
import gc
import io
import re
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass, field

from defusedxml import ElementTree
from python_calamine import CalamineError, CalamineWorkbook, SheetVisibleEnum

from apps.rosters.safety import Refused

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
      "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
      "rel": "http://schemas.openxmlformats.org/package/2006/relationships"}
CELL_WITH_FORMULA = re.compile(rb'<c r="([A-Z]+)([0-9]+)"[^>]*>(?:<v>[^<]*</v>)?<f[ >/]')


@dataclass
class Sheet:
    name: str
    rows: list                                   # list of rows, each a list of cell values
    hidden: bool = False
    formulas: dict = field(default_factory=dict)  # (row, col), 0-based -> True


@contextmanager
def cycles_not_collected():
    """A roster makes ~100,000 objects (rows, cells, per-row records) that live until it is
    done and hold no reference cycle; CPython's cycle collector would walk them, and the rest
    of the process, again and again: ~0.1 s of a 10,000-row import. Reference counting still
    frees everything; collection resumes, if it was on, when the block ends."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA: how users see columns in Excel."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _column_index(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ch - 64)
    return n - 1


def _sheet_parts(archive) -> dict:
    """Sheet name -> the XML part holding it (xl/worksheets/sheetN.xml)."""
    workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target") for r in rels.findall("rel:Relationship", NS)}
    parts = {}
    for sheet in workbook.findall("m:sheets/m:sheet", NS):
        target = targets.get(sheet.get(f"{{{NS['r']}}}id"), "")
        target = target.lstrip("/")
        parts[sheet.get("name")] = target if target.startswith("xl/") else f"xl/{target}"
    return parts


def _formula_cells(archive, part: str) -> dict:
    try:
        xml = archive.read(part)
    except KeyError:
        return {}
    if b"<f" not in xml:  # the common case: nothing to find, no parse
        return {}
    return {(int(row) - 1, _column_index(col)): True
            for col, row in CELL_WITH_FORMULA.findall(xml)}


def read_xlsx(data: bytes, formula_parts: frozenset | None = None) -> list[Sheet]:
    """The sheets of a workbook. ``formula_parts``: the parts safety.accept() saw holding
    "<f"; the others are not inflated again to look for formulas (None: look in every one)."""
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except CalamineError as error:
        raise Refused(f"Excel 文件无法读取：{type(error).__name__}。请用 Excel 打开后另存为 .xlsx 再上传。")
    except Exception:
        raise Refused("Excel 文件无法读取，请用 Excel 打开后另存为 .xlsx 再上传。")
    archive = zipfile.ZipFile(io.BytesIO(data))
    parts = _sheet_parts(archive)
    sheets = []
    for meta in workbook.sheets_metadata:
        sheet = workbook.get_sheet_by_name(meta.name)
        with cycles_not_collected():
            rows = sheet.to_python(skip_empty_area=False)
        part = parts.get(meta.name, "")
        look = formula_parts is None or part in formula_parts
        sheets.append(Sheet(
            name=meta.name, rows=rows,
            hidden=meta.visible != SheetVisibleEnum.Visible,
            formulas=_formula_cells(archive, part) if look else {},
        ))
    return sheets


# Signs of text that went through a wrong encoding once: GBK's "锟斤拷", the replacement
# character, C1 control characters, and UTF-8 bytes read as Latin-1 ("å§", "Ã©").
MOJIBAKE = re.compile("锟斤拷|\ufffd|[\u0080-\u009f]|[\u00c2-\u00ef][\u0080-\u00bf]")


def decode_csv(data: bytes) -> str:
    """UTF-8 (with or without BOM) and GB18030 are accepted alike; anything else is refused."""
    if data.startswith(b"\xef\xbb\xbf"):
        text = data[3:].decode("utf-8", errors="strict")
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            try:
                text = data.decode("gb18030")
            except UnicodeDecodeError:
                raise Refused("CSV 文件编码无法识别，请另存为“CSV UTF-8”或 GB18030 编码后上传。")
    if MOJIBAKE.search(text):
        raise Refused("CSV 文件内容为乱码（编码曾被转换错误），请用原始文件另存为“CSV UTF-8”后上传。")
    return text


def read_csv(data: bytes) -> list[Sheet]:
    try:
        text = decode_csv(data)
    except UnicodeDecodeError:
        raise Refused("CSV 文件编码无法识别，请另存为“CSV UTF-8”或 GB18030 编码后上传。")
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as error:
        raise Refused(f"CSV 文件格式错误：{error}")
    return [Sheet(name="CSV", rows=rows)]


def read(kind: str, data: bytes, formula_parts: frozenset | None = None) -> list[Sheet]:
    return read_xlsx(data, formula_parts) if kind == "xlsx" else read_csv(data)
