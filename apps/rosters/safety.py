"""The front door for uploaded spreadsheets: refuse hostile or unusable files before parsing.

Every refusal is a ``Refused`` with a Chinese message that names the cause. Checks run on the
raw bytes and the zip directory only; no XML is parsed here, so a bomb never gets inflated.
"""
import io
import zipfile
from dataclasses import dataclass

from django.conf import settings

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls (and other OLE documents)
ZIP_MAGIC = b"PK\x03\x04"
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


class Refused(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 5 * 1024 * 1024          # the upload itself
    max_unpacked: int = 50 * 1024 * 1024      # everything inside the zip, inflated
    max_ratio: int = 100                      # inflated / compressed, per entry
    max_entries: int = 200


def limits() -> Limits:
    return Limits(max_bytes=getattr(settings, "ROSTER_MAX_BYTES", Limits.max_bytes))


def _mb(n: int) -> str:
    return f"{n / 1048576:.0f} MB"


@dataclass(frozen=True)
class Accepted:
    kind: str                                # "xlsx" or "csv"
    # The workbook's XML parts holding "<f" (formula cells), noticed while they were scanned
    # here anyway: readers need not inflate the other sheets a second time to look for them.
    formula_parts: frozenset = frozenset()


def inspect(name: str, data: bytes, lim: Limits | None = None) -> str:
    """Return "xlsx" or "csv", or raise Refused."""
    return accept(name, data, lim).kind


def accept(name: str, data: bytes, lim: Limits | None = None) -> Accepted:
    """inspect(), with what the scan noticed for the reader."""
    lim = lim or limits()
    lower = (name or "").lower()
    if len(data) > lim.max_bytes:
        raise Refused(f"文件过大（{len(data) / 1048576:.1f} MB），上限为 {_mb(lim.max_bytes)}。")
    if not data.strip():
        raise Refused("文件是空的。")
    if data.startswith(OLE_MAGIC):
        raise Refused("这是旧版 Excel（.xls）文件，不受支持。请在 Excel 中“另存为”.xlsx 后上传。")
    if data.startswith(ZIP_MAGIC):
        if lower.endswith(".xlsm"):
            raise Refused("含宏的工作簿（.xlsm）不受支持，请另存为 .xlsx 后上传。")
        return Accepted("xlsx", _check_zip(data, lim))
    if lower.endswith((".xlsx", ".xlsm", ".xls")):
        raise Refused("文件扩展名是 Excel，但内容不是 Excel 工作簿（可能是改了扩展名的其他文件）。")
    if data.startswith(UTF16_BOMS):
        raise Refused("CSV 文件为 UTF-16 编码，不受支持。请另存为“CSV UTF-8”或 GB18030 编码后上传。")
    if b"\x00" in data[:4096]:
        raise Refused("文件不是文本格式的 CSV，也不是 Excel 工作簿。")
    return Accepted("csv")


def _check_zip(data: bytes, lim: Limits) -> frozenset:
    """Refuse a hostile zip; return the names of its XML parts that hold "<f"."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, NotImplementedError):
        raise Refused("Excel 文件已损坏，无法打开。")
    if len(entries) > lim.max_entries:
        raise Refused("Excel 文件内部结构异常（条目过多），已拒绝。")
    names = {e.filename for e in entries}
    if len(names) != len(entries):
        raise Refused("Excel 文件内部结构异常（条目重复），已拒绝。")
    if "xl/workbook.xml" not in names:
        raise Refused("压缩包中没有 Excel 工作簿，请上传 .xlsx 文件。")
    if any(n.lower().endswith("vbaproject.bin") for n in names):
        raise Refused("工作簿含有宏，不受支持。请另存为不含宏的 .xlsx 后上传。")
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
    formula_parts = set()
    for e in entries:
        if e.filename.endswith((".xml", ".rels")):
            doctype, formulas = _scan(archive, e)
            if doctype:
                # No part of a genuine workbook declares a DOCTYPE; entity bombs need one.
                raise Refused("Excel 文件含有不安全的 XML 声明（DOCTYPE），已拒绝。")
            if formulas:
                formula_parts.add(e.filename)
    return frozenset(formula_parts)


def _scan(archive, entry) -> tuple[bool, bool]:
    """(declares a DOCTYPE or ENTITY, holds "<f"), reading the part in chunks."""
    tail, formulas = b"", False
    with archive.open(entry) as part:
        while chunk := part.read(1 << 16):
            window = tail + chunk
            if b"<!DOCTYPE" in window or b"<!ENTITY" in window:
                return True, formulas
            formulas = formulas or b"<f" in window
            tail = window[-16:]
    return False, formulas
