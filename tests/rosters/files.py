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
