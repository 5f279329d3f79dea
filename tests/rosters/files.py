"""Spreadsheets for the tests, made here (no binary fixtures are committed)."""
import io
import zipfile
from datetime import date

from openpyxl import Workbook

from apps.registry.idnumber import make_id

HEADER = ["序号", "姓名", "性别", "身份证号", "联系方式", "人员类别", "学历", "报名日期"]


def person_row(i, *, id_number=None, name=None, sex=None, phone=None, category="学生",
               education="大专", registered="2026-03-01"):
    seq = f"{(i * 2 + 1) % 1000:03d}"  # odd sequence: male
    return [i, name or f"测试{i}", sex or "男",
            id_number or make_id(region="140105", birth=date(1990 + i % 15, 1 + i % 12, 1 + i % 28), seq=seq),
            phone or f"138{i:08d}", category, education, registered]


def xlsx(rows, *, header=HEADER, title=None, hidden_first=False, sheet_name="名册"):
    wb = Workbook()
    ws = wb.active
    if hidden_first:
        ws.title = "说明"
        ws.append(["这是隐藏的说明页"])
        ws.sheet_state = "hidden"
        ws = wb.create_sheet(sheet_name)
    else:
        ws.title = sheet_name
    if title:
        ws.append([title])
    ws.append(header)
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows, *, header=HEADER, encoding="utf-8-sig"):
    lines = [",".join(str(c) for c in header)] + [",".join(str(c) for c in r) for r in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def rezip(data: bytes, replace=None, add=None, drop=()):
    """A copy of an xlsx with parts replaced, added or removed."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            if item.filename in drop:
                continue
            content = (replace or {}).get(item.filename, source.read(item.filename))
            target.writestr(item.filename, content)
        for name, content in (add or {}).items():
            target.writestr(name, content, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def overlapping_zip() -> bytes:
    """Two central-directory entries that point at the same local data (a classic bomb)."""
    data = xlsx([person_row(1)])
    buffer = bytearray(data)
    source = zipfile.ZipFile(io.BytesIO(data))
    infos = source.infolist()
    # Point the last entry's central directory record at the first entry's local header.
    end = buffer.rfind(b"PK\x05\x06")
    cd_offset = int.from_bytes(buffer[end + 16:end + 20], "little")
    pos, last = cd_offset, None
    while buffer[pos:pos + 4] == b"PK\x01\x02":
        last = pos
        n, m, k = (int.from_bytes(buffer[pos + 28:pos + 30], "little"),
                   int.from_bytes(buffer[pos + 30:pos + 32], "little"),
                   int.from_bytes(buffer[pos + 32:pos + 34], "little"))
        pos += 46 + n + m + k
    buffer[last + 42:last + 46] = infos[1].header_offset.to_bytes(4, "little")
    return bytes(buffer)


# --- Hand-written package parts for the hostile corpus (tests/rosters/test_package_bounds.py) --

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def inline_cells(number, values, *, refs=True, prefix=""):
    """One row's cells as inline strings, written as openpyxl would (or without r=)."""
    cells = []
    for col, value in enumerate(values):
        ref = f' r="{_letters(col)}{number}"' if refs else ""
        cells.append(f'<{prefix}c{ref} t="inlineStr"><{prefix}is><{prefix}t>{value}</{prefix}t>'
                     f'</{prefix}is></{prefix}c>')
    return "".join(cells)


def _letters(index):
    from apps.rosters.sheetscan import column_letters
    return column_letters(index)


def roster_rows(rows, *, header=HEADER, first=1):
    """<row> elements for a header and rows of values, all cells inline strings."""
    out = []
    for offset, values in enumerate([header] + list(rows)):
        number = first + offset
        out.append(f'<row r="{number}">{inline_cells(number, [str(v) for v in values])}</row>')
    return "".join(out)


def sheet_xml(body, *, head="", tail="", root_attrs=""):
    return (f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN_NS}"{root_attrs}>'
            f'{head}<sheetData>{body}</sheetData>{tail}</worksheet>').encode()


def with_sheet(xml, **changes):
    """The one-sheet roster BASE with its worksheet replaced (and other parts changed)."""
    base = xlsx([person_row(1)])
    return rezip(base, replace={"xl/worksheets/sheet1.xml": xml, **changes.pop("replace", {})},
                 **changes)


def zip_entries(parts, method=zipfile.ZIP_DEFLATED):
    """A zip of (name, bytes) pairs written as given (duplicates and odd names kept)."""
    import warnings
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Duplicate name"
        with zipfile.ZipFile(buffer, "w", method) as z:
            for name, content in parts:
                info = zipfile.ZipInfo(name)
                info.compress_type = method
                z.writestr(info, content)
    return buffer.getvalue()


def entries_of(data):
    source = zipfile.ZipFile(io.BytesIO(data))
    return [(i.filename, source.read(i.filename)) for i in source.infolist()]


def patch_entry(data, name, *, flag_bits=None, method=None, crc=None):
    """Rewrite one entry's flag bits, compression method or CRC in both of its headers."""
    buffer = bytearray(data)
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo(name)
    local = info.header_offset
    end = buffer.rfind(b"PK\x05\x06")
    pos = int.from_bytes(buffer[end + 16:end + 20], "little")
    central = None
    while buffer[pos:pos + 4] == b"PK\x01\x02":
        n, m, k = (int.from_bytes(buffer[pos + 28:pos + 30], "little"),
                   int.from_bytes(buffer[pos + 30:pos + 32], "little"),
                   int.from_bytes(buffer[pos + 32:pos + 34], "little"))
        if bytes(buffer[pos + 46:pos + 46 + n]).decode() == name:
            central = pos
        pos += 46 + n + m + k
    for header, base in ((local, 6), (central, 8)):
        if flag_bits is not None:
            buffer[header + base:header + base + 2] = flag_bits.to_bytes(2, "little")
        if method is not None:
            buffer[header + base + 2:header + base + 4] = method.to_bytes(2, "little")
        if crc is not None:
            buffer[header + base + 8:header + base + 12] = crc.to_bytes(4, "little")
    return bytes(buffer)
