"""The upload front door against hostile packages (issue 13, item 3).

Each class of attack is tried in the form that was reported and in variants the fix does not
name: another attribute order, no r= attribute, a namespace prefix, another encoding of the
same thing. Every refusal is in Chinese, writes nobody, and happens before calamine reads a
sheet whose size was not bounded."""
import io
import zipfile

import pytest
from openpyxl import load_workbook

from apps.registry.models import Person
from apps.rosters import readers, safety, sheetscan
from apps.rosters.cleaning import CellError, text
from apps.rosters.models import UploadKind, UploadStatus
from apps.rosters.services import CommitRefused, upload_commit
from tests.rosters.files import (
    HEADER, MAIN_NS, csv_bytes, entries_of, inline_cells, patch_entry, person_row, rezip,
    roster_rows, sheet_xml, with_sheet, xlsx, zip_entries,
)
from tests.rosters.test_uploads import errors, receive

LIMITS = safety.Limits()


@pytest.fixture
def calamine_untouched(monkeypatch):
    """Fails the test if the real reader is reached: the refusal must come before it."""
    def refuse(*_args, **_kwargs):
        raise AssertionError("calamine was asked to read a file the checks should have refused")
    monkeypatch.setattr(readers.CalamineWorkbook, "from_filelike", refuse)


def refused(user, data, expected, name="名册.xlsx", kind=UploadKind.REGISTRATION):
    before = Person.objects.count()
    upload = receive(user, data, name=name, kind=kind)
    assert upload.status == UploadStatus.REFUSED, (upload.status, upload.message, upload.preview[:2])
    assert expected in upload.message, upload.message
    assert Person.objects.count() == before
    assert not upload.file  # a refused file is not kept
    return upload


GOOD_ROWS = roster_rows([person_row(1)])


# --- Positions: bounded before the reader allocates by the sheet's area ----------------------

FAR_CELLS = {
    "one cell at XFD1048576": '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>',
    "one cell at ALL30000": '<row r="30000"><c r="ALL30000" t="inlineStr"><is><t>x</t></is></c></row>',
    "attributes in another order": '<row r="2"><c t="n" s="0" r="XFD2"><v>1</v></c></row>',
    "lower-case reference": '<row r="2"><c r="xfd2"><v>1</v></c></row>',
    "column 51 (AY), one past the limit": '<row r="2"><c r="AY2"><v>1</v></c></row>',
    "row 20001, one past the limit": '<row r="20001"><c r="A20001"><v>1</v></c></row>',
    "a huge row reached through <row r=> only": '<row r="900000"><c><v>1</v></c></row>',
    "a far column reached by cells without r=": "<row>" + "<c><v>1</v></c>" * 60 + "</row>",
    "rows without r= counted one by one": "<row/>" * 20001 + "<row><c><v>1</v></c></row>",
    "a self-closing cell": '<row r="2"><c r="XFD2"/></row>',
    "single quotes and spaces around =": "<row r='2'><c r = 'XFD2'><v>1</v></c></row>",
}


@pytest.mark.parametrize("case", sorted(FAR_CELLS))
def test_a_cell_beyond_the_limits_is_refused_before_the_reader(world, calamine_untouched, case):
    upload = refused(world.unit_u1, with_sheet(sheet_xml(GOOD_ROWS + FAR_CELLS[case])), "超出上传名册的范围")
    assert "最多20000行、50列" in upload.message


@pytest.mark.parametrize("prefix", ["x:", "ss:"])
def test_prefixed_cells_are_counted_as_calamine_counts_them(world, calamine_untouched, prefix):
    body = (f'<{prefix}row r="5"><{prefix}c r="ZZ5"><{prefix}v>1</{prefix}v></{prefix}c></{prefix}row>')
    xml = sheet_xml(GOOD_ROWS + body, root_attrs=f' xmlns:{prefix[:-1]}="{MAIN_NS}"')
    refused(world.unit_u1, with_sheet(xml), "超出上传名册的范围")


@pytest.mark.parametrize("ref", ["A1:XFD1048576", "A1:ALL30000", "$A$1:$AY$2"])
def test_a_declared_dimension_beyond_the_limits_is_refused(world, calamine_untouched, ref):
    xml = sheet_xml(GOOD_ROWS, head=f'<dimension ref="{ref}"/>')
    refused(world.unit_u1, with_sheet(xml), "超出上传名册的范围")


@pytest.mark.parametrize("ref", ["A0", "1A", "A-1", "A1.5", "AAAA1", "A123456789", "A 1"])
def test_a_malformed_reference_is_refused_in_chinese(world, calamine_untouched, ref):
    xml = sheet_xml(GOOD_ROWS + f'<row r="9"><c r="{ref}"><v>1</v></c></row>')
    refused(world.unit_u1, with_sheet(xml), "单元格引用")


def test_the_largest_positions_accepted_are_read(world):
    """Row 20000 and column AX (50) are inside: such a file is read, not refused."""
    far = '<row r="20000"><c r="AX20000" t="inlineStr"><is><t xml:space="preserve"> </t></is></c></row>'
    data = with_sheet(sheet_xml(GOOD_ROWS + far))
    accepted = safety.accept("名册.xlsx", data)
    rows = readers.read(accepted, data)[0].rows
    assert (len(rows), len(rows[0])) == (20000, 50)
    upload = receive(world.unit_u1, data)
    assert upload.status == UploadStatus.PREVIEWED, upload.message
    assert (upload.new_count, upload.error_count) == (1, 0)


# --- Both paths of the scan give the same answer ----------------------------------------------

SCAN_CORPUS = {
    "canonical": GOOD_ROWS,
    "excel rows": '<row r="1" spans="1:3" ht="30" customHeight="1" x14ac:dyDescent="0.25">'
                  + inline_cells(1, ["a", "b"]) + "</row>",
    "libreoffice rows": '<row r="1" hidden="false" customHeight="false" ht="12.8">'
                        + inline_cells(1, ["a"]) + '</row><row r="2" hidden="true">'
                        + inline_cells(2, ["b"]) + "</row>",
    "zero height row": '<row r="3" ht="0" customHeight="1">' + inline_cells(3, ["c"]) + "</row>",
    "formula": '<row r="2"><c r="B2"><f>1+1</f><v>2</v></c></row>',
    "shared formula": '<row r="2"><c r="B2"><f t="shared" ref="B2:B3" si="0">1</f><v>1</v></c>'
                      '</row><row r="3"><c r="B3"><f t="shared" si="0"/><v>1</v></c></row>',
    "formula string": '<row r="2"><c r="C2" t="str"><v>x</v></c></row>',
    "no r anywhere": "<row>" + inline_cells(1, ["a", "b"], refs=False) + "</row><row><c><f>1</f></c></row>",
}


@pytest.mark.parametrize("case", sorted(SCAN_CORPUS))
def test_the_quick_scan_agrees_with_the_exact_parse(case):
    xml = sheet_xml(SCAN_CORPUS[case], root_attrs=' xmlns:x14ac="urn:x"')
    lim = sheetscan.limits_for(LIMITS.max_rows, LIMITS.max_cols)
    exact = sheetscan._exact(xml, "工作表", lim)
    quick = sheetscan._quick(xml, "工作表", lim)
    assert quick is None or quick == exact
    assert exact == sheetscan.scan_worksheet(xml, "工作表", LIMITS.max_rows, LIMITS.max_cols,
                                             LIMITS.max_exact_sheet)


def test_the_quick_scan_takes_the_common_shapes():
    """Excel's, LibreOffice's and openpyxl's rows stay on the quick path (the speed of a roster)."""
    lim = sheetscan.limits_for(LIMITS.max_rows, LIMITS.max_cols)
    for case in ("canonical", "excel rows", "libreoffice rows", "zero height row"):
        xml = sheet_xml(SCAN_CORPUS[case], root_attrs=' xmlns:x14ac="urn:x"')
        assert sheetscan._quick(xml, "工作表", lim) is not None, case
    found = sheetscan._quick(sheet_xml(SCAN_CORPUS["libreoffice rows"]), "工作表", lim)
    assert found.hidden_rows == {1}


# --- Formulas found in the cell XML, however it is written -------------------------------------

FORMULA_CELLS = {
    "plain": '<c r="B2"><f>1+1</f><v>2</v></c>',
    "value before formula, attributes reordered": '<c t="n" r="B2"><v>2</v><f>1+1</f></c>',
    "no r= attribute": '<c r="A2"><v>1</v></c><c><f>1+1</f><v>2</v></c>',
    "shared formula child": '<c r="B2"><f t="shared" si="0"/><v>2</v></c>',
    "array formula": '<c r="B2"><f t="array" ref="B2">1</f><v>2</v></c>',
    "formula string result": '<c r="B2" t="str"><v>测试</v></c>',
    "prefixed x:": '<x:c r="B2"><x:f>1+1</x:f><x:v>2</x:v></x:c>',
    "self-closing f": '<c r="B2"><f/><v>2</v></c>',
}


@pytest.mark.parametrize("case", sorted(FORMULA_CELLS))
def test_formula_cells_are_refused_with_the_cell_however_written(world, case):
    row = person_row(1)
    cells = inline_cells(2, [str(v) for v in row]).replace(
        f'<c r="B2" t="inlineStr"><is><t>{row[1]}</t></is></c>', FORMULA_CELLS[case])
    if case == "no r= attribute":  # A2 and the formula cell replace the first two cells
        cells = FORMULA_CELLS[case] + inline_cells(2, [str(v) for v in row])[
            len(inline_cells(2, [str(v) for v in row[:2]])):]
    body = roster_rows([]) + f'<row r="2">{cells}</row>'
    upload = receive(world.unit_u1, with_sheet(sheet_xml(body, root_attrs=f' xmlns:x="{MAIN_NS}"')))
    assert upload.error_count == 1, (upload.status, upload.message)
    assert any(e.startswith("第2行“姓名”列（B列）") and "公式" in e for e in errors(upload)), errors(upload)


@pytest.mark.parametrize("value", ["-2+3+cmd|' /C calc'!A0", "+1+cmd|' /C calc'!A0",
                                   "\u3000=1+1", "\u200b@SUM(1)", "=DDE(\"cmd\";\"/C calc\";\"x\")"])
def test_dde_and_formula_strings_are_refused_in_any_column(value):
    with pytest.raises(CellError):
        text(value)
    assert text("+86 138 0000 0000") == "+86 138 0000 0000" and text("-1") == "-1"


# --- Malformed packages: a Chinese message, never a 500, nothing written --------------------

BASE = xlsx([person_row(1)])


def _malformed():
    workbook = zipfile.ZipFile(io.BytesIO(BASE)).read("xl/workbook.xml")
    return {
        "encrypted entry": (patch_entry(BASE, "xl/workbook.xml", flag_bits=0x1), "已加密"),
        "bad CRC": (patch_entry(BASE, "xl/workbook.xml", crc=0x12345678), "压缩包已损坏"),
        "bad CRC in a worksheet": (patch_entry(BASE, "xl/worksheets/sheet1.xml", crc=1), "压缩包已损坏"),
        "Deflate64 entry": (patch_entry(BASE, "xl/workbook.xml", method=9), "不支持的压缩方式"),
        "bzip2 entry (another non-deflate method)": (
            zip_entries(entries_of(BASE), method=zipfile.ZIP_BZIP2), "不支持的压缩方式"),
        "lzma entry": (zip_entries(entries_of(BASE), method=zipfile.ZIP_LZMA), "不支持的压缩方式"),
        "truncated file": (BASE[: len(BASE) // 2], "已损坏"),
        "truncated after the directory": (BASE[:-30], "已损坏"),
        "junk after the workbook's XML root": (
            rezip(BASE, replace={"xl/workbook.xml": workbook + b"<junk/>"}), "根元素之后还有多余内容"),
        "junk after a worksheet's root": (
            with_sheet(sheet_xml(GOOD_ROWS) + b"<junk/>"), "根元素之后还有多余内容"),
        "undeclared namespace prefix in the workbook": (
            rezip(BASE, replace={"xl/workbook.xml": workbook.replace(b"<sheets>", b"<q:sheets>")
                                 .replace(b"</sheets>", b"</q:sheets>")}), "未声明的命名空间前缀"),
        "unclosed workbook": (rezip(BASE, replace={"xl/workbook.xml": workbook[:-20]}), "内容不完整"),
        "DOCTYPE in a worksheet": (
            with_sheet(b'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY e "x">]>'
                       + sheet_xml(GOOD_ROWS).split(b"?>", 1)[1]), "DOCTYPE"),
        "worksheet in an unknown encoding": (
            with_sheet(sheet_xml(GOOD_ROWS).replace(b"UTF-8", b"x-unknown")), "编码不受支持"),
        "nested cells": (with_sheet(sheet_xml(
            GOOD_ROWS + '<row r="3"><c><c/></c></row>')), "嵌套"),
        "an entity in a reference": (with_sheet(sheet_xml(
            GOOD_ROWS + '<row r="3"><c r="&#65;3"><v>1</v></c></row>')), "无法读取"),
    }


MALFORMED = _malformed()


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_packages_are_refused_in_chinese(world, case):
    data, expected = MALFORMED[case]
    refused(world.unit_u1, data, expected)


def _named(extra):
    return zip_entries(entries_of(BASE) + extra)


ENTRY_NAMES = {
    "../ escape": [("../../evil.xml", b"<a/>")],
    "absolute": [("/etc/evil.xml", b"<a/>")],
    "backslashes": [("xl\\worksheets\\sheet9.xml", b"<a/>")],
    "drive letter": [("C:/evil.xml", b"<a/>")],
    "dot segment": [("xl/./workbook2.xml", b"<a/>")],
    "exact duplicate": [("xl/workbook.xml", b"<a/>")],
    "case duplicate": [("XL/Workbook.xml", b"<a/>")],
    "control character": [("xl/\x01.xml", b"<a/>")],
}


@pytest.mark.parametrize("case", sorted(ENTRY_NAMES))
def test_entry_names_that_escape_or_repeat_are_refused(world, calamine_untouched, case):
    refused(world.unit_u1, _named(ENTRY_NAMES[case]), "内部结构异常")


EXTERNAL_LINK = (b'<?xml version="1.0"?><externalLink xmlns="' + MAIN_NS.encode()
                 + b'"><ddeLink ddeService="cmd" ddeTopic="/C calc"/></externalLink>')


@pytest.mark.parametrize("name", ["xl/externalLinks/externalLink1.xml", "XL/ExternalLinks/link.xml",
                                  "xl/connections.xml", "xl/queryTables/queryTable1.xml"])
def test_external_links_and_data_connections_are_refused(world, calamine_untouched, name):
    refused(world.unit_u1, rezip(BASE, add={name: EXTERNAL_LINK}), "外部链接")


def test_an_external_relationship_of_the_workbook_is_refused(world, calamine_untouched):
    rels = zipfile.ZipFile(io.BytesIO(BASE)).read("xl/_rels/workbook.xml.rels")
    rels = rels.replace(b"</Relationships>", b'<Relationship Id="rIdX" Type="http://x/custom" '
                        b'Target="file:///C:/other.xlsx" TargetMode="External"/></Relationships>')
    refused(world.unit_u1, rezip(BASE, replace={"xl/_rels/workbook.xml.rels": rels}), "外部链接")


@pytest.mark.parametrize("target", ["worksheets/../worksheets/sheet1.xml", "worksheets//sheet1.xml",
                                    "worksheets\\sheet1.xml", "worksheets/missing.xml"])
def test_a_sheet_whose_part_cannot_be_pinned_down_is_refused(world, calamine_untouched, target):
    rels = zipfile.ZipFile(io.BytesIO(BASE)).read("xl/_rels/workbook.xml.rels")
    rels = rels.replace(b'Target="/xl/worksheets/sheet1.xml"', b'Target="' + target.encode() + b'"') \
               .replace(b'Target="worksheets/sheet1.xml"', b'Target="' + target.encode() + b'"')
    assert target.encode() in rels
    refused(world.unit_u1, rezip(BASE, replace={"xl/_rels/workbook.xml.rels": rels}), "数据位置异常")


def test_a_password_protected_workbook_is_named_as_such(world):
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500 + "EncryptedPackage".encode("utf-16-le")
    refused(world.unit_u1, ole, "打开密码")


# --- Hidden data: said in the preview and refused; the commit says the same ---------------------

def _hidden(kind):
    wb = load_workbook(io.BytesIO(xlsx([person_row(1), person_row(2), person_row(3)])))
    ws = wb.active
    if kind == "row":
        ws.row_dimensions[3].hidden = True
    elif kind == "column":
        ws.column_dimensions["G"].hidden = True
    elif kind in ("hidden", "veryHidden"):
        ws.sheet_state = kind
        wb.create_sheet("封面").append(["对外劳务输出人员报名名册"])
    elif kind == "hidden copy":
        copy = wb.copy_worksheet(ws)
        copy.sheet_state = "hidden"
    buffer = io.BytesIO()
    wb.save(buffer)
    if kind == "zero height":  # openpyxl omits a height of 0: write it as Excel does
        sheet = zipfile.ZipFile(buffer).read("xl/worksheets/sheet1.xml")
        return rezip(buffer.getvalue(), replace={"xl/worksheets/sheet1.xml": sheet.replace(
            b'<row r="4">', b'<row r="4" ht="0" customHeight="1">')})
    return buffer.getvalue()


@pytest.mark.parametrize("kind,expected", [
    ("row", "第3行（共1行）为隐藏行"), ("zero height", "第4行（共1行）为隐藏行"),
    ("column", "G列为隐藏列"), ("hidden", "隐藏的工作表“名册”"), ("veryHidden", "隐藏的工作表“名册”"),
    ("hidden copy", "隐藏的工作表"),
])
def test_hidden_rows_columns_and_sheets_holding_data_are_refused(world, kind, expected):
    upload = refused(world.unit_u1, _hidden(kind), expected)
    with pytest.raises(CommitRefused):
        upload_commit(upload, actor=world.unit_u1)


def test_hidden_rows_written_another_way_are_found(world):
    """hidden="true" with a prefix, no r= on the row: the exact parse finds the row."""
    body = (roster_rows([person_row(1)]) + f'<x:row x:foo="1" hidden="true">'
            f'{inline_cells(3, [str(v) for v in person_row(2)], refs=False, prefix="x:")}</x:row>')
    xml = sheet_xml(body, root_attrs=f' xmlns:x="{MAIN_NS}"')
    refused(world.unit_u1, with_sheet(xml), "第3行（共1行）为隐藏行")


def test_a_stage_roster_whose_only_sheet_is_hidden_is_refused(world):
    from apps.pipeline.roster import GROUPS
    groups = [g for g, subs in GROUPS for _ in (subs or [None])]
    subs = [s or "" for _, subs_ in GROUPS for s in (subs_ or [None])]
    body = (f'<row r="1">{inline_cells(1, groups)}</row><row r="2">{inline_cells(2, subs)}</row>'
            f'<row r="3">{inline_cells(3, ["1", "张三", person_row(1)[3]])}</row>')
    workbook = zipfile.ZipFile(io.BytesIO(BASE)).read("xl/workbook.xml")
    data = with_sheet(sheet_xml(body), replace={
        "xl/workbook.xml": workbook.replace(b'state="visible"', b'state="hidden"')})
    assert b'state="hidden"' in zipfile.ZipFile(io.BytesIO(data)).read("xl/workbook.xml")
    refused(world.unit_u1, data, "隐藏的工作表“名册”", kind=UploadKind.ROSTER)


def test_a_hidden_sheet_without_a_roster_is_only_mentioned(world):
    upload = receive(world.unit_u1, xlsx([person_row(1)], hidden_first=True))
    assert upload.status == UploadStatus.PREVIEWED and "已跳过隐藏的工作表“说明”" in upload.message


# --- CSV: the same limits, causes in Chinese --------------------------------------------------

CSV_CASES = {
    "neither utf-8 nor gb18030": (csv_bytes([person_row(1)], encoding="utf-8")[:-2] + b"\xff\xfe\xff\r\n",
                                  "第2行含有无法识别的字符"),
    "bad byte after a BOM": (b"\xef\xbb\xbf" + "姓名,身份证号\r\n".encode() + b"\xc3\x28\r\n",
                             "第2行含有无法识别的字符"),
    "NUL after the first 4 KB": (csv_bytes([person_row(i) for i in range(1, 80)]) + b"a\x00b\r\n",
                                 "不是文本格式"),
    "a field over the csv module's limit": (
        csv_bytes([person_row(1)]) + b'"' + b"x" * 200_000 + b'"\r\n', "有单元格内容过长"),
    "too many rows": (b"\r\n".join([",".join(HEADER).encode()] + [b"a,b"] * 20_000), "超过20000行"),
    "too many columns": (",".join(HEADER).encode() + b"\r\n" + b",".join([b"x"] * 51) + b"\r\n",
                         "有51列"),
}


@pytest.mark.parametrize("case", sorted(CSV_CASES))
def test_csv_faults_are_said_in_chinese_with_the_row(world, case):
    data, expected = CSV_CASES[case]
    upload = refused(world.unit_u1, data, expected, name="名册.csv")
    assert not any(word in upload.message for word in ("field", "line", "codec", "NUL byte"))


def test_a_sheet_that_needs_the_exact_parse_is_bounded_in_size(world):
    """The exact parse costs ~0.1 s per MB: beyond its own limit such a sheet is refused."""
    odd = with_sheet(sheet_xml("<row>" + inline_cells(1, HEADER, refs=False) + "</row>"))
    small = safety.Limits(max_exact_sheet=200)
    with pytest.raises(safety.Refused, match="超过此类工作表的上限"):
        safety.accept("名册.xlsx", odd, small)
    plain = with_sheet(sheet_xml(roster_rows([person_row(1)])))
    assert safety.accept("名册.xlsx", plain, small).sheets[0].scan is not None  # quick path
