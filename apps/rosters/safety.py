"""The front door for uploaded spreadsheets: refuse hostile or unusable files before parsing.

Every refusal is a ``Refused`` with a Chinese message that names the cause. For a workbook the
zip directory is checked first (sizes, ratios, overlaps, entry names, compression methods,
encryption), then each XML part is inflated once and checked: the small structural parts
(workbook, relationships, content types) are parsed strictly, every worksheet is bounded by
sheetscan (positions, formulas, hidden rows and columns) before python-calamine sees it, and
the others are searched for a DTD. Whatever the package library or the parser raises on a
damaged file becomes a Refused here: the reader only ever sees a package that passed.
"""
import io
import posixpath
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from xml.parsers import expat

from django.conf import settings

from apps.rosters import sheetscan
from apps.rosters.errors import Refused

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls (and other OLE documents)
ZIP_MAGIC = b"PK\x03\x04"
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
__all__ = ["Refused", "Limits", "Accepted", "SheetPart", "accept", "inspect", "limits"]


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 5 * 1024 * 1024          # the upload itself
    max_unpacked: int = 50 * 1024 * 1024      # everything inside the zip, inflated
    max_ratio: int = 100                      # inflated / compressed, per entry
    max_entries: int = 200
    # Positions on a sheet (header rows included). The largest real roster is a few thousand
    # rows; the widest form is the 花名表 (附件6) with 30 columns.
    max_rows: int = 20_000
    max_cols: int = 50
    # A worksheet the quick scan cannot prove canonical is parsed element by element: bounded
    # so that the slowest accepted file stays ≤ 10 s (a 20,000-row sheet that Excel saved with
    # formulas is ~8 MB, one written by openpyxl with inline strings ~22 MB).
    max_exact_sheet: int = 24 * 1024 * 1024


def limits() -> Limits:
    return Limits(max_bytes=getattr(settings, "ROSTER_MAX_BYTES", Limits.max_bytes))


def _mb(n: int) -> str:
    return f"{n / 1048576:.0f} MB"


@dataclass(frozen=True)
class SheetPart:
    name: str                                # as the workbook names it
    part: str                                # the zip entry holding it
    state: str                               # "visible", "hidden" or "veryHidden"
    scan: sheetscan.SheetScan | None         # None: not a worksheet (chart sheet …)


@dataclass(frozen=True)
class Accepted:
    kind: str                                # "xlsx" or "csv"
    sheets: tuple = ()                       # SheetPart of each sheet, in workbook order
    limits: Limits = field(default_factory=Limits)
    date1904: bool = False                   # the workbook counts dates from 1904 (Mac Excel)

    def sheet(self, name: str) -> SheetPart | None:
        return next((s for s in self.sheets if s.name == name), None)


def inspect(name: str, data: bytes, lim: Limits | None = None) -> str:
    """Return "xlsx" or "csv", or raise Refused."""
    return accept(name, data, lim).kind


def accept(name: str, data: bytes, lim: Limits | None = None) -> Accepted:
    """Check an upload; what the checks learnt (the sheets and their scans) is for the reader."""
    lim = lim or limits()
    lower = (name or "").lower()
    if len(data) > lim.max_bytes:
        raise Refused(f"文件过大（{len(data) / 1048576:.1f} MB），上限为 {_mb(lim.max_bytes)}。")
    if not data.strip():
        raise Refused("文件是空的。")
    if data.startswith(OLE_MAGIC):
        if "EncryptedPackage".encode("utf-16-le") in data:
            raise Refused("文件设有打开密码（已加密），无法读取。请在 Excel 中取消密码后另存为 .xlsx 再上传。")
        raise Refused("这是旧版 Excel（.xls）文件，不受支持。请在 Excel 中“另存为”.xlsx 后上传。")
    if data.startswith(ZIP_MAGIC):
        if lower.endswith(".xlsm"):
            raise Refused("含宏的工作簿（.xlsm）不受支持，请另存为 .xlsx 后上传。")
        sheets, date1904 = _check_package(data, lim)
        return Accepted("xlsx", sheets, lim, date1904)
    if lower.endswith((".xlsx", ".xlsm", ".xls")):
        raise Refused("文件扩展名是 Excel，但内容不是 Excel 工作簿（可能是改了扩展名的其他文件）。")
    if data.startswith(UTF16_BOMS):
        raise Refused("CSV 文件为 UTF-16 编码，不受支持。请另存为“CSV UTF-8”或 GB18030 编码后上传。")
    if b"\x00" in data:  # anywhere: a text file has none (and csv would read them into cells)
        raise Refused("文件不是文本格式的 CSV，也不是 Excel 工作簿。")
    return Accepted("csv", (), lim)


# What a damaged package makes zipfile, zlib or the parsers raise, and what it means.
DAMAGE = (
    (zipfile.BadZipFile, "压缩包已损坏（校验失败、内容被截断或目录与数据不符）"),
    (zipfile.LargeZipFile, "压缩包过大"),
    (zlib.error, "压缩数据已损坏"),
    (EOFError, "文件内容被截断"),
    (NotImplementedError, "使用了不支持的压缩方式"),
    (RuntimeError, "压缩包条目已加密"),
    (expat.ExpatError, "XML 内容已损坏"),
    (UnicodeError, "条目名称或内容的编码异常"),
    (struct.error, "压缩包结构异常"),
    (KeyError, "压缩包缺少必要的条目"),
    (ValueError, "压缩包结构异常"),
    (OSError, "文件无法读取"),
)


def _damaged(error: Exception) -> Refused:
    cause = next((text for kind, text in DAMAGE if isinstance(error, kind)), "结构异常")
    return Refused(f"Excel 文件已损坏，无法打开：{cause}。请用 Excel 打开后另存为 .xlsx 再上传。")


def _check_package(data: bytes, lim: Limits) -> tuple:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
        _check_directory(archive, entries, lim)
        return _check_parts(archive, entries, lim)
    except Refused:
        raise
    except tuple(kind for kind, _ in DAMAGE) as error:
        raise _damaged(error)


# Part names a workbook never needs and that reach outside it: links to other files' cells
# (and DDE links, stored there too), data connections, web queries.
EXTERNAL = re.compile(r"^xl/(externallinks|connections\.xml|querytables)", re.I)
DEFLATE_OR_STORED = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED}


def _entry_name_problem(name: str) -> str:
    if not name or "\\" in name or "\x00" in name or name.startswith("/") or ":" in name:
        return "条目名称含有路径字符（绝对路径、反斜杠或盘符）"
    segments = name.rstrip("/").split("/")
    if any(seg in ("", ".", "..") for seg in segments):
        return "条目名称含有“..”或空的路径段"
    if any(ord(ch) < 32 or 0x202A <= ord(ch) <= 0x202E or 0x2066 <= ord(ch) <= 0x2069
           for ch in name):
        return "条目名称含有控制字符"
    return ""


def _check_directory(archive, entries, lim: Limits) -> None:
    """What the zip directory alone tells: nothing here inflates anything."""
    if len(entries) > lim.max_entries:
        raise Refused("Excel 文件内部结构异常（条目过多），已拒绝。")
    seen = set()
    for e in entries:
        problem = _entry_name_problem(e.filename)
        if problem:
            raise Refused(f"Excel 文件内部结构异常（{problem}：{e.filename[:60]!r}），已拒绝。")
        folded = e.filename.lower()
        if folded in seen:
            raise Refused(f"Excel 文件内部结构异常（条目重复：{e.filename[:60]}），已拒绝。")
        seen.add(folded)
        if e.flag_bits & 0x1:
            raise Refused("Excel 文件的内容已加密，无法读取。请在 Excel 中取消密码后另存为 .xlsx 再上传。")
        if e.compress_type not in DEFLATE_OR_STORED:
            raise Refused(f"Excel 文件使用了不支持的压缩方式（方法 {e.compress_type}），"
                          "请用 Excel 打开后另存为 .xlsx 再上传。")
    if "xl/workbook.xml" not in seen:
        if "content.xml" in seen and "mimetype" in seen:
            # LibreOffice's and WPS's own format (OpenDocument): one step from the .xlsx we read.
            raise Refused("这是 OpenDocument 表格（.ods，LibreOffice/WPS 的默认格式），不受支持。"
                          "请在 LibreOffice 或 WPS 中“另存为”Excel 2007-365（.xlsx）后上传。")
        raise Refused("压缩包中没有 Excel 工作簿，请上传 .xlsx 文件。")
    if any(n.endswith("vbaproject.bin") for n in seen):
        raise Refused("工作簿含有宏，不受支持。请另存为不含宏的 .xlsx 后上传。")
    if any(EXTERNAL.match(n) for n in seen):
        raise Refused("工作簿含有外部链接或数据连接（引用其他文件或网络的数据），已拒绝。"
                      "请在 Excel 中“断开链接”或复制为数值后另存，再上传。")
    total = sum(e.file_size for e in entries)
    if total > lim.max_unpacked:
        raise Refused(f"Excel 文件解压后超过 {_mb(lim.max_unpacked)}，疑似压缩炸弹，已拒绝。")
    for e in entries:
        if e.file_size > 1024 * 1024 and e.file_size > lim.max_ratio * max(e.compress_size, 1):
            raise Refused("Excel 文件压缩比异常，疑似压缩炸弹，已拒绝。")
    # Entries whose data overlap (the "overlapping zip bomb") share bytes: refuse them.
    spans = sorted((e.header_offset, e.header_offset + 30 + len(e.filename.encode())
                    + len(e.extra) + e.compress_size) for e in entries)
    for (_, end), (start, _) in zip(spans, spans[1:]):
        if start < end:
            raise Refused("Excel 文件内部结构异常（数据重叠），疑似压缩炸弹，已拒绝。")


STRUCTURE = ("[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels")
NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
EXTERNAL_TYPES = ("/externalLink", "/connections", "/queryTable", "/oleObject")


def _read(archive, entry, lim: Limits) -> bytes:
    """Inflate one entry, never past its declared size (a lying header cannot make it bigger)."""
    with archive.open(entry) as part:
        content = part.read(entry.file_size + 1)
    if len(content) > entry.file_size:
        raise Refused("Excel 文件内部结构异常（条目实际大小与声明不符），已拒绝。")
    return content


def _check_parts(archive, entries, lim: Limits) -> tuple:
    by_name = {e.filename: e for e in entries}
    contents = {}
    for name in STRUCTURE:
        if name in by_name:
            contents[name] = _read(archive, by_name[name], lim)
    workbook = _Structure.parse(contents.get("xl/workbook.xml", b""), "工作簿（xl/workbook.xml）")
    relations = _Structure.parse(contents.get("xl/_rels/workbook.xml.rels", b""),
                                 "工作簿关系（xl/_rels/workbook.xml.rels）")
    for name in ("[Content_Types].xml", "_rels/.rels"):
        if name in contents:
            _Structure.parse(contents[name], name)
    if workbook.external_references or any(t.endswith(EXTERNAL_TYPES) for t in relations.types.values()) \
            or relations.external:
        raise Refused("工作簿含有外部链接或数据连接（引用其他文件或网络的数据），已拒绝。"
                      "请在 Excel 中“断开链接”或复制为数值后另存，再上传。")
    sheet_names = {_resolve(relations.targets.get(rid, "")): name for name, _, rid in workbook.sheets}
    scans = {}
    for e in entries:
        if e.is_dir() or e.filename in contents or not e.filename.endswith((".xml", ".rels", ".vml")):
            continue
        content = _read(archive, e, lim)
        if b"sheetData" in content:
            # Any part holding rows is bounded, wherever the workbook's relations point.
            scans[e.filename] = sheetscan.scan_worksheet(
                content, f"工作表“{sheet_names[e.filename]}”" if e.filename in sheet_names
                else f"工作表数据（{e.filename}）", lim.max_rows, lim.max_cols,
                lim.max_exact_sheet)
        elif b"<!DOCTYPE" in content or b"<!ENTITY" in content:
            # No part of a genuine workbook declares a DOCTYPE; entity bombs need one.
            raise Refused("Excel 文件含有不安全的 XML 声明（DOCTYPE），已拒绝。")
        del content
    sheets, names = [], set()
    for name, state, rid in workbook.sheets:
        if name.lower() in names:
            raise Refused(f"工作簿中有同名的工作表“{name}”，文件结构异常，已拒绝。")
        names.add(name.lower())
        part = _resolve(relations.targets.get(rid, ""))
        scan = scans.get(part)
        if scan is None and relations.types.get(rid, "").endswith("/worksheet"):
            raise Refused(f"工作表“{name}”的数据位置异常（{part[:60] or '缺失'}），已拒绝。"
                          "请用 Excel 打开后另存为 .xlsx 再上传。")
        sheets.append(SheetPart(name=name, part=part, state=state, scan=scan))
    if not sheets:
        raise Refused("工作簿中没有工作表。")
    return tuple(sheets), workbook.date1904


def _resolve(target: str) -> str:
    """A relationship target as the zip entry it names (relative to xl/ unless absolute)."""
    path = target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
    if not target or "\\" in target or posixpath.normpath(path) != path:
        return ""  # "..", "./", "//" or a backslash: a reader could resolve it elsewhere
    return path


class _Structure:
    """What the workbook and its relations say, parsed strictly (no DTD, namespaces bound)."""

    def __init__(self):
        self.sheets, self.targets, self.types = [], {}, {}
        self.external, self.external_references = False, False
        self.date1904 = False

    @classmethod
    def parse(cls, xml: bytes, where: str) -> "_Structure":
        found = cls()
        sheetscan.parse_strictly(xml, where, found._start)
        return found

    def _start(self, name, attrs):
        uri, _, local = name.rpartition(sheetscan.SEP)
        if local == "sheet" and uri == NS_MAIN:
            self.sheets.append((attrs.get("name", ""), attrs.get("state", "visible"),
                                attrs.get(f"{NS_REL}{sheetscan.SEP}id", "")))
        elif local == "Relationship":
            self.targets[attrs.get("Id", "")] = attrs.get("Target", "")
            self.types[attrs.get("Id", "")] = attrs.get("Type", "")
            if attrs.get("TargetMode") == "External":
                self.external = True
        elif local == "externalReferences":
            self.external_references = True
        elif local == "workbookPr":  # in any namespace, as calamine
            # As calamine reads it ("1" or "true"): its dates and cleaning's serials agree.
            self.date1904 = attrs.get("date1904") in ("1", "true")
