"""Read an uploaded workbook or CSV into plain rows. Runs after safety.accept() accepted it,
with what its checks learnt (each sheet's part, state and scan)."""
import csv
import gc
import io
import re
from bisect import bisect_left
from contextlib import contextmanager
from dataclasses import dataclass, field

from python_calamine import CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

from apps.rosters.errors import Refused
from apps.rosters.safety import Accepted
from apps.rosters.sheetscan import column_letters


@dataclass
class Sheet:
    name: str
    rows: list                                   # list of rows, each a list of cell values
    hidden: bool = False
    formulas: dict = field(default_factory=dict)  # (row, col), 0-based -> True
    hidden_rows: frozenset = frozenset()          # 0-based
    hidden_cols: frozenset = frozenset()          # 0-based
    merged: tuple = ()                            # (row, col, last row, last col, ref), 0-based
    date1904: bool = False                        # serial numbers count from 1904

    def merged_over(self, numbers) -> str:
        """A Chinese sentence naming the merged ranges that reach into the data rows (their
        numbers as users see them), or "". A merged range keeps its value in its top-left cell
        only: the others read empty, in the rows below (a person's missing cells) as in the
        columns to the right (a cell that seems filled is not)."""
        if not self.merged:
            return ""
        rows = sorted(numbers)
        found = []
        for top, _left, bottom, _right, ref in self.merged:
            first = bisect_left(rows, top + 1)  # the first data row at or below the range's top
            if first < len(rows) and rows[first] <= bottom + 1:
                found.append(ref)
        if not found:
            return ""
        return (f"工作表“{self.name}”中的数据行有合并单元格：" + "、".join(found[:10])
                + ("等" if len(found) > 10 else "") + f"（共{len(found)}处）。合并单元格只有左上角的格子有值，"
                "其余格子读出为空，导入的数据会缺项或错位。请在 Excel 中取消合并、在每个格子中填好内容后再上传。")

    def hidden_content(self) -> str:
        """A Chinese sentence naming the hidden rows and columns that hold something, or ""."""
        rows = [i for i in sorted(self.hidden_rows) if i < len(self.rows)
                and any(str(v).strip() for v in self.rows[i] if v is not None)]
        cols = [c for c in sorted(self.hidden_cols)
                if any(c < len(r) and r[c] is not None and str(r[c]).strip() for r in self.rows)]
        parts = []
        if rows:
            parts.append("第" + "、".join(str(i + 1) for i in rows[:10]) + ("等" if len(rows) > 10 else "")
                         + f"行（共{len(rows)}行）为隐藏行")
        if cols:
            parts.append("、".join(column_letter(c) for c in cols[:10]) + "列为隐藏列")
        if not parts:
            return ""
        return (f"工作表“{self.name}”中" + "，".join(parts) + "，其中有内容。隐藏的数据不会被导入："
                "请在 Excel 中取消隐藏、核对后再上传（不需要的行列请删除）。")


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
    return column_letters(index)


def _calamine(call, *args):
    """A calamine call; whatever it raises on a file that passed the checks is a refusal (a
    Rust panic arrives as a BaseException)."""
    try:
        return call(*args)
    except (KeyboardInterrupt, SystemExit, GeneratorExit):
        raise
    except BaseException:
        raise Refused("Excel 文件无法读取（内容已损坏或格式不受支持）。请用 Excel 打开后另存为 .xlsx 再上传。")


def read_xlsx(data: bytes, accepted: Accepted) -> list[Sheet]:
    """The worksheets of a workbook, each with what safety's scan found in it."""
    workbook = _calamine(CalamineWorkbook.from_filelike, io.BytesIO(data))
    sheets = []
    for meta in _calamine(lambda: workbook.sheets_metadata):
        if meta.typ in (SheetTypeEnum.MacroSheet, SheetTypeEnum.Vba):
            raise Refused("工作簿含有宏表（Excel 4.0 宏），不受支持。请另存为不含宏的 .xlsx 后上传。")
        if meta.typ != SheetTypeEnum.WorkSheet:
            continue  # chart and dialog sheets hold no rows
        found = accepted.sheet(meta.name)
        if found is None or found.scan is None:
            # calamine reads a sheet the checks did not bound: never let it.
            raise Refused(f"工作表“{meta.name}”的数据位置异常，已拒绝。请用 Excel 打开后另存为 .xlsx 再上传。")
        sheet = _calamine(workbook.get_sheet_by_name, meta.name)
        with cycles_not_collected():
            rows = _calamine(lambda: sheet.to_python(skip_empty_area=False))
        scan = found.scan
        sheets.append(Sheet(
            name=meta.name, rows=rows,
            hidden=meta.visible != SheetVisibleEnum.Visible or found.state != "visible",
            formulas=dict.fromkeys(scan.formulas, True),
            hidden_rows=frozenset(scan.hidden_rows), hidden_cols=frozenset(scan.hidden_cols),
            merged=tuple(scan.merged), date1904=accepted.date1904))
    return sheets


# Signs of text that went through a wrong encoding once: GBK's "锟斤拷", the replacement
# character, C1 control characters, and UTF-8 bytes read as Latin-1 ("å§", "Ã©").
MOJIBAKE = re.compile("锟斤拷|\ufffd|[\u0080-\u009f]|[\u00c2-\u00ef][\u0080-\u00bf]")


def _undecodable(data: bytes, error: UnicodeDecodeError, offset: int = 0) -> Refused:
    line = data[:offset + error.start].count(b"\n") + 1
    return Refused(f"CSV 文件第{line}行含有无法识别的字符：文件既不是 UTF-8 也不是 GB18030 编码。"
                   "请在 Excel 中“另存为”“CSV UTF-8（逗号分隔）”后上传。")


def decode_csv(data: bytes) -> str:
    """UTF-8 (with or without BOM) and GB18030 are accepted alike; anything else is refused."""
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            text = data[3:].decode("utf-8")
        except UnicodeDecodeError as error:
            raise _undecodable(data, error, 3)
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as first:
            try:
                text = data.decode("gb18030")
            except UnicodeDecodeError:
                raise _undecodable(data, first)
    if MOJIBAKE.search(text):
        raise Refused("CSV 文件内容为乱码（编码曾被转换错误），请用原始文件另存为“CSV UTF-8”后上传。")
    return text


# csv.Error's English messages, said in Chinese.
CSV_CAUSES = (
    ("field larger than field limit", "有单元格内容过长"),
    ("NUL", "含有空字符（NUL），文件可能不是文本文件"),
    ("new-line character seen in unquoted field", "单元格中有未加引号的换行"),
    ("unexpected end of data", "引号没有闭合"),
    ("expected after", "引号的用法不正确"),
)


def read_csv(data: bytes, lim) -> list[Sheet]:
    text = decode_csv(data)
    reader = csv.reader(io.StringIO(text, newline=""))
    rows = []
    try:
        for row in reader:
            if len(rows) >= lim.max_rows:
                raise Refused(f"CSV 文件超过{lim.max_rows}行，超出上传名册的上限。请分成多个文件上传。")
            if len(row) > lim.max_cols:
                raise Refused(f"CSV 文件第{reader.line_num}行有{len(row)}列，超出上传名册的上限"
                              f"（{lim.max_cols}列）。请删除多余的列后上传。")
            rows.append(row)
    except csv.Error as error:
        cause = next((text for key, text in CSV_CAUSES if key in str(error)), "格式不正确")
        raise Refused(f"CSV 文件第{reader.line_num}行{cause}，无法读取。请用 Excel 打开后另存为“CSV UTF-8”再上传。")
    return [Sheet(name="CSV", rows=rows)]


def read(accepted: Accepted, data: bytes) -> list[Sheet]:
    return read_xlsx(data, accepted) if accepted.kind == "xlsx" else read_csv(data, accepted.limits)
