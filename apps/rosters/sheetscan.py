"""Bound a worksheet's XML before the real reader (python-calamine) sees it.

calamine allocates a sheet by the area its cells span, so one cell at XFD1048576 in a 2 KB file
costs gigabytes. Here every cell position is counted the way calamine counts it — a cell's own
``r=`` when it has one, otherwise the column after the previous cell in the row at the row's
``r=`` (or the row after the previous one) — and the declared ``<dimension>`` is checked too.
The same pass finds formula cells (an ``<f>`` child in any namespace, ``t="str"``), hidden
rows and hidden columns.

Two paths give the same answer:
- the exact one parses the whole part with expat (no DTD, no entities, namespaces enforced) and
  follows calamine's counters element by element; it takes about a second per 10 MB;
- the quick one proves, with a few C-level searches of the raw bytes, that the part is in the
  canonical shape Excel, WPS, LibreOffice and openpyxl write (every ``<c`` opens ``<c r="A1"``
  within the limits, no prefixed row/cell/formula element, no ``<f``, no ``t="str"``); only
  the part outside ``<sheetData>`` is then parsed with expat. Any doubt falls back to the exact
  path, so an unusual but honest file is slower, never wrong.
"""
import re
from dataclasses import dataclass, field
from xml.parsers import expat

from apps.rosters.errors import Refused

SEP = "\x01"  # expat's namespace separator: "uri\x01local" (structural parts only)


@dataclass
class SheetScan:
    formulas: set = field(default_factory=set)      # (row, col), 0-based
    hidden_rows: set = field(default_factory=set)   # 0-based
    hidden_cols: set = field(default_factory=set)   # 0-based, within the column limit
    merged: list = field(default_factory=list)      # (first row, first col, last row, last col, ref)


def column_letters(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _at_most(limit: int) -> bytes:
    """A regex matching the decimal numbers 1..limit (leading zeros allowed, as calamine)."""
    digits = str(limit)
    options = []
    if len(digits) > 1:
        options.append(b"[1-9][0-9]{0,%d}" % (len(digits) - 2))
    for i, d in enumerate(digits):
        d = int(d)
        last = i == len(digits) - 1
        low = 1 if i == 0 else 0
        top = d if last else d - 1
        if top >= low:
            options.append(digits[:i].encode() + b"[%d-%d]" % (low, top)
                           + (b"[0-9]{%d}" % (len(digits) - i - 1) if not last else b""))
    return b"0*(?:" + b"|".join(options) + b")"


def _columns_at_most(limit: int) -> bytes:
    """A regex matching column letters A..column_letters(limit - 1), either case (limit ≤ 702)."""
    last = column_letters(limit - 1)
    any_ = b"[A-Za-z]"
    if len(last) == 1:
        return b"[A-%sa-%s]" % (last.encode(), last.lower().encode())
    first, second = last.encode(), last.lower().encode()
    options = [any_]
    if first[0] > ord("A"):
        options.append(b"[A-%ca-%c]" % (first[0] - 1, second[0] - 1) + any_)
    options.append(b"[%c%c][A-%ca-%c]" % (first[0], second[0], first[1], second[1]))
    return b"(?:" + b"|".join(options) + b")"


class Limits:
    """The compiled quick-path patterns for one (rows, columns) limit."""

    def __init__(self, max_rows: int, max_cols: int):
        self.max_rows, self.max_cols = max_rows, max_cols
        rows, cols = _at_most(max_rows), _columns_at_most(max_cols)
        # Any "<c" that does not open a cell written <c r="A1" inside the limits.
        self.odd_cell = re.compile(rb'<c(?! r="' + cols + rows + rb'")')
        self.odd_row = re.compile(rb'<row(?! r="' + rows + rb'"[ />])')
        # A row, cell or formula element with a namespace prefix (calamine reads any prefix).
        self.prefixed = re.compile(rb":(?:c|row|f)[\s/>]")


_LIMITS = {}


def limits_for(max_rows: int, max_cols: int) -> Limits:
    key = (max_rows, max_cols)
    if key not in _LIMITS:
        _LIMITS[key] = Limits(max_rows, max_cols)
    return _LIMITS[key]


# Column letters (A … ZZZ) -> 0-based index: one look-up per cell instead of a loop.
_COLUMNS = {column_letters(i): i for i in range(18278)}
_DIGITS = "0123456789"


def _bad_reference(value: str, where: str) -> Refused:
    return Refused(f"{where}的单元格引用“{value[:20]}”无效，文件可能已损坏。"
                   "请用 Excel 打开后另存为 .xlsx 再上传。")


def _reference(value: str, where: str, *, column: bool) -> tuple[int, int]:
    """(row, col), 0-based, of "B12" as calamine reads it (letters in either case; col -1
    when absent, which only a row's r= may be)."""
    letters = value.rstrip(_DIGITS)
    digits = value[len(letters):]
    if letters:
        col = _COLUMNS.get(letters)
        if col is None:
            col = _COLUMNS.get(letters.upper())
            if col is None:
                raise _bad_reference(value, where)
    elif column:
        raise _bad_reference(value, where)
    else:
        col = -1
    if not digits or len(digits) > 7 or not digits.isascii() or digits == "0" * len(digits):
        raise _bad_reference(value, where)
    return int(digits) - 1, col


def _true(value) -> bool:
    return value in ("1", "true")


def row_hidden(attrs, zero_height: bool) -> bool:
    """Whether Excel hides the row: hidden="1", a custom height of 0, or rows of zero height by
    default (sheetFormatPr zeroHeight) unless this one is given a height."""
    custom = _true(attrs.get("customHeight"))
    if _true(attrs.get("hidden")) or (custom and _zero(attrs.get("ht"))):
        return True
    return zero_height and not (custom and not _zero(attrs.get("ht")))


def _zero(value) -> bool:
    try:
        return float(value) <= 0
    except (TypeError, ValueError):
        return False


class _Walker:
    """expat handlers that follow calamine's row and column counters."""

    def __init__(self, where: str, lim: Limits):
        self.where, self.lim = where, lim
        self.scan = SheetScan()
        self.in_data = False
        self.row = 0          # calamine's row_index
        self.col = 0          # calamine's col_index
        self.in_row = self.in_cell = False
        self.cell = None      # position of the open cell
        self.zero_height = False

    def _out_of_range(self, row: int, col: int, ref: str):
        lim = self.lim
        raise Refused(
            f"{self.where}在{ref}处有内容，超出上传名册的范围（最多{lim.max_rows}行、"
            f"{lim.max_cols}列，即 A–{column_letters(lim.max_cols - 1)} 列）。"
            "请删除多余的行列（或只复制名册部分到新工作簿）后再上传。")

    def _place(self, row: int, col: int):
        if row >= self.lim.max_rows or col >= self.lim.max_cols:
            self._out_of_range(row, col, f"第{row + 1}行第{col + 1}列（{column_letters(col)}{row + 1}）")

    def start(self, local, attrs):
        # The names of a large sheet, most frequent first: c, then its values.
        if local == "c":
            self._cell(attrs)
            return
        if local in _VALUES:
            return
        if ":" in local:  # any prefix, as calamine (it matches local names)
            local = local.rpartition(":")[2]
            if local == "c":
                self._cell(attrs)
                return
        if local == "f":
            if self.in_cell:
                self.scan.formulas.add(self.cell)
        elif local == "row":
            if self.in_data:
                self._row(attrs)
        elif local == "sheetData":
            self.in_data = True
        elif local == "dimension":
            for part in (attrs.get("ref") or "A1").split(":"):
                row, col = _reference(part.replace("$", ""), self.where, column=True)
                if row >= self.lim.max_rows or col >= self.lim.max_cols:
                    self._out_of_range(row, col, f"声明的范围 {attrs.get('ref')[:30]} ")
        elif local == "col":
            if _true(attrs.get("hidden")) or _zero(attrs.get("width")):
                try:
                    low, high = int(attrs.get("min", "0")), int(attrs.get("max", "0"))
                except ValueError:
                    raise Refused(f"{self.where}的列宽设置无效，文件可能已损坏。")
                self.scan.hidden_cols.update(range(max(low, 1) - 1, min(high, self.lim.max_cols)))
        elif local == "sheetFormatPr":
            self.zero_height = _true(attrs.get("zeroHeight"))
        elif local == "mergeCell":
            ref = (attrs.get("ref") or "").replace("$", "")
            first, _, last = ref.partition(":")
            (r1, c1), (r2, c2) = (_reference(part, self.where, column=True)
                                  for part in (first, last or first))
            self.scan.merged.append((min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2), ref[:30]))

    def _cell(self, attrs):
        if not self.in_data:
            return
        if self.in_cell:
            raise Refused(f"{self.where}的单元格嵌套在单元格中，文件结构异常，已拒绝。")
        ref = attrs.get("r")
        if ref is not None:
            row, col = _reference(ref, self.where, column=True)
            self.col = col
        else:
            row, col = self.row, self.col
        if row >= self.lim.max_rows or col >= self.lim.max_cols:
            self._place(row, col)
        self.in_cell, self.cell = True, (row, col)
        if attrs.get("t") == "str":  # a formula's text result
            self.scan.formulas.add(self.cell)

    def _row(self, attrs):
        if self.in_row:
            raise Refused(f"{self.where}的行嵌套在行中，文件结构异常，已拒绝。")
        self.in_row = True
        ref = attrs.get("r")
        if ref is not None:
            self.row = _reference(ref, self.where, column=False)[0]
        self._place(self.row, 0)
        if row_hidden(attrs, self.zero_height):
            self.scan.hidden_rows.add(self.row)

    def end(self, local):
        if local == "c":
            if self.in_cell:
                self.in_cell = False
                self.col = self.cell[1] + 1
            return
        if local in _VALUES:
            return
        if ":" in local:
            local = local.rpartition(":")[2]
            if local == "c":
                self.end(local)
                return
        if local == "row" and self.in_data:
            self.in_row = False
            self.row += 1
            self.col = 0
        elif local == "sheetData":
            self.in_data = False


_VALUES = frozenset({"v", "is", "t", "r", "rPr", "rPh"})


def _forbid(*_args):
    raise Refused("Excel 文件含有不安全的 XML 声明（DOCTYPE 或实体），已拒绝。")


def parse_strictly(data: bytes, where: str, start=None, end=None, namespaces=True) -> None:
    """Parse with expat: no DTD, no entity, (by default) namespaces enforced; any fault is a
    Refused. Worksheets are parsed without namespace processing (element names arrive as
    written, "x:c"): it halves the time of a large sheet, and calamine ignores prefixes too."""
    parser = expat.ParserCreate(namespace_separator=SEP) if namespaces else expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartDoctypeDeclHandler = _forbid
    parser.EntityDeclHandler = _forbid
    parser.ExternalEntityRefHandler = _forbid
    if start:
        parser.StartElementHandler = start
    if end:
        parser.EndElementHandler = end
    try:
        parser.Parse(data, True)
    except expat.ExpatError as error:
        raise Refused(f"{where}的 XML 内容已损坏（{_expat_cause(error)}，第{error.lineno}行），"
                      "无法读取。请用 Excel 打开后另存为 .xlsx 再上传。")
    except LookupError:  # an encoding declared that Python does not know
        raise Refused(f"{where}的 XML 编码不受支持，无法读取。请用 Excel 打开后另存为 .xlsx 再上传。")


EXPAT_CAUSES = {
    expat.errors.codes[expat.errors.XML_ERROR_JUNK_AFTER_DOC_ELEMENT]: "根元素之后还有多余内容",
    expat.errors.codes[expat.errors.XML_ERROR_UNBOUND_PREFIX]: "使用了未声明的命名空间前缀",
    expat.errors.codes[expat.errors.XML_ERROR_NO_ELEMENTS]: "没有内容",
    expat.errors.codes[expat.errors.XML_ERROR_UNCLOSED_TOKEN]: "内容不完整",
    expat.errors.codes[expat.errors.XML_ERROR_TAG_MISMATCH]: "标签不匹配",
    expat.errors.codes[expat.errors.XML_ERROR_INVALID_TOKEN]: "含有非法字符",
    expat.errors.codes[expat.errors.XML_ERROR_UNDEFINED_ENTITY]: "使用了未定义的实体",
    expat.errors.codes[expat.errors.XML_ERROR_UNKNOWN_ENCODING]: "编码不受支持",
    expat.errors.codes[expat.errors.XML_ERROR_INCORRECT_ENCODING]: "编码声明与内容不符",
    expat.errors.codes[expat.errors.XML_ERROR_DUPLICATE_ATTRIBUTE]: "属性重复",
}


def _expat_cause(error) -> str:
    return EXPAT_CAUSES.get(error.code, "格式错误")


def _exact(xml: bytes, where: str, lim: Limits) -> SheetScan:
    walker = _Walker(where, lim)
    parse_strictly(xml, where, walker.start, walker.end, namespaces=False)
    return walker.scan


_UTF8_DECLARATION = re.compile(rb'\s*<\?xml[^>]*?encoding\s*=\s*["\']utf-?8["\']', re.I)


# A row tag in the plain form: <row r="7" a="…" b="…"> (double quotes, no ">" in a value), so
# that the tag's end and its attributes are exactly where these patterns see them.
_ROW_TAG = re.compile(rb'<row r="([0-9]+)"((?: [A-Za-z_:][-\w:.]*="[^"<>]*")*) ?/?>')
_ATTR = re.compile(rb'([A-Za-z_:][-\w:.]*)="([^"]*)"')


def _quick(xml: bytes, where: str, lim: Limits) -> SheetScan | None:
    """The scan of a canonical part, or None when the part must take the exact path."""
    first = xml.find(b"<sheetData>")
    last = xml.rfind(b"</sheetData>")
    if (first < 0 or last <= first or xml.find(b"sheetData", 0, first) >= 0
            or xml.find(b"sheetData", last + len(b"</sheetData>")) >= 0):
        return None
    if b"encoding" in xml[:first] and not _UTF8_DECLARATION.match(xml):
        return None
    start, end = first + len(b"<sheetData>"), last
    # Every cell within the limits and written <c r="...">, every row <row r="...">, no
    # prefixed row, cell or formula element: nothing calamine could count differently.
    if (lim.odd_cell.search(xml, start, end) or lim.odd_row.search(xml, start, end)
            or lim.prefixed.search(xml, start, end)):
        return None
    # A formula (<f>, shared or not) or a formula's result (t="str"): the exact path says
    # where. The one-byte search (memchr) spares the longer one in the common case.
    if xml.find(b"f", start, end) >= 0 and xml.find(b"<f", start, end) >= 0:
        return None
    if xml.find(b'"str"', start, end) >= 0 or xml.find(b"'str'", start, end) >= 0:
        return None
    # The rest of the part (dimension, columns, sheet format) is small: parse it exactly, with
    # <sheetData/> in place of the rows.
    walker = _Walker(where, lim)
    parse_strictly(xml[:first] + b"<sheetData/>" + xml[last + len(b"</sheetData>"):], where,
                   walker.start, walker.end, namespaces=False)
    scan = walker.scan
    if walker.zero_height or xml.find(b"h", start, end) >= 0:  # "hidden", "ht", "customHeight"
        rows = _ROW_TAG.findall(xml, start, end)
        if len(rows) != xml.count(b"<row", start, end):
            return None  # a row tag in another form: the exact path reads it
        for number, attrs in rows:
            if walker.zero_height or b"h" in attrs:
                if row_hidden({k.decode(): v.decode() for k, v in _ATTR.findall(attrs)},
                              walker.zero_height):
                    scan.hidden_rows.add(int(number) - 1)
    return scan


def scan_worksheet(xml: bytes, where: str, max_rows: int, max_cols: int,
                   max_exact: int) -> SheetScan:
    """The scan of one worksheet part. The exact path costs ~0.1 s per MB: a part that needs it
    is bounded to ``max_exact`` bytes, so that the largest accepted file stays within the time
    an upload may take (bench/largest_upload.py)."""
    lim = limits_for(max_rows, max_cols)
    quick = _quick(xml, where, lim)
    if quick is not None:
        return quick
    if len(xml) > max_exact:
        raise Refused(
            f"{where}含有公式、隐藏行或不常见的写法（如缺少单元格位置），且解压后有"
            f"{len(xml) / 1048576:.0f} MB，超过此类工作表的上限 {max_exact / 1048576:.0f} MB。"
            "请删除公式（复制后“粘贴为数值”）、用 Excel 另存为 .xlsx，或分成几个文件上传。")
    return _exact(xml, where, lim)
