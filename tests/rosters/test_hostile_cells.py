"""Cells that a spreadsheet has already damaged, attacked along every upload kind: identifiers
typed as numbers (a lost leading zero, digits past the 15th, exponent form), a workbook in the
1904 date system, merged cells over data rows. Each is refused in the preview and again at the
commit with the row and the column named, or read as the user sees it; nothing is written."""
import io
import zipfile
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook
from openpyxl.utils.datetime import CALENDAR_MAC_1904

from apps.orgs.models import Agency, City, OrganisingUnit
from apps.pipeline.models import Result, Stage
from apps.pipeline.services import candidacy_record
from apps.registry.models import Person
from apps.rosters.models import UploadKind, UploadStatus
from apps.rosters.services import CommitRefused, upload_commit, upload_receive
from tests.rosters.files import HEADER, person_row, xlsx

AS_TEXT = "请把该列设为“文本”格式"


def receive(user, data, kind=UploadKind.REGISTRATION, name="名册.xlsx", **extra):
    return upload_receive(actor=user, kind=kind, uploaded=SimpleUploadedFile(name, data), **extra)


def errors(upload):
    return [e for row in upload.preview for e in row["errors"]]


def workbook_bytes(wb) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def refused_at_commit_too(upload, actor):
    """The preview's verdict is the commit's: nothing is written."""
    with pytest.raises(CommitRefused):
        upload_commit(upload, actor=actor)


# --- identifiers typed as numbers ---------------------------------------------------------

@pytest.mark.parametrize("cell, why", [
    (3514048298, "缺少开头的0"),              # 0351-4048298 as a number
    (1012345678, "缺少开头的0"),              # 010-12345678: reads like a short mobile number
    (13800001234.5, "带小数"),
    (8.61380000123e12 * 1000, "超过15位"),     # +86 138… typed as a number, 16 digits
])
def test_a_phone_typed_as_a_number_is_refused_naming_row_and_column(world, cell, why):
    people = Person.objects.count()
    row = person_row(1)
    row[4] = cell
    upload = receive(world.unit_u1, xlsx([person_row(2), row]))
    assert upload.error_count == 1
    message = next(e for e in errors(upload) if "联系方式" in e)
    assert message.startswith("第3行“联系方式”列（E列）：") and why in message, message
    assert AS_TEXT in message or "文本" in message
    refused_at_commit_too(upload, world.unit_u1)
    assert Person.objects.count() == people


def test_a_mobile_number_typed_as_a_number_lost_nothing_and_is_kept(world):
    row = person_row(1)
    row[4] = 13800001234  # 11 digits starting with 1: exact in a number cell
    upload = receive(world.unit_u1, xlsx([row]))
    assert upload.error_count == 0, errors(upload)
    upload_commit(upload, actor=world.unit_u1)
    assert Person.objects.get(name="测试1").phone == "13800001234"


def test_a_free_text_cell_holding_a_number_past_15_digits_is_refused(world):
    """Any column: a number of 16 digits or more has lost digits, whatever the column is."""
    header = HEADER + ["学校或家庭住址"]
    row = person_row(1) + [1.2345678901234567e17]
    upload = receive(world.unit_u1, xlsx([row], header=header))
    assert any(e.startswith("第2行“学校或家庭住址”列（I列）：") and "超过15位" in e
               for e in errors(upload)), errors(upload)


def test_an_exponent_phone_out_of_a_csv_is_refused(world):
    from tests.rosters.files import csv_bytes
    row = person_row(1)
    row[4] = "1.38E+10"
    upload = receive(world.unit_u1, csv_bytes([row]), name="名册.csv")
    assert any(e.startswith("第2行“联系方式”列（E列）：") and "科学计数法" in e
               for e in errors(upload)), errors(upload)


REF_UNITS = ["单位名称", "类别", "地点", "附件1序号", "联系人", "联系电话", "备注"]
REF_AGENCIES = ["企业名称", "统一社会信用代码", "对外劳务合作经营资格证书编号", "联系电话"]
REF_CITIES = ["行政区划代码", "地市", "公共就业服务机构名称", "联系人", "联系方式"]


@pytest.mark.parametrize("kind, header, row, column", [
    (UploadKind.REF_UNITS, REF_UNITS, ["新单位", "职业院校", "太原", 7, "王", 3514048298, ""],
     "“联系电话”列（F列）"),
    (UploadKind.REF_AGENCIES, REF_AGENCIES, ["新机构", 911401001234567.0, "", ""],
     "“统一社会信用代码”列（B列）"),
    (UploadKind.REF_AGENCIES, REF_AGENCIES, ["新机构", "", 14000120.0, ""],
     "“对外劳务合作经营资格证书编号”列（C列）"),
    (UploadKind.REF_AGENCIES, REF_AGENCIES, ["新机构", "", "", 3514048298],
     "“联系电话”列（D列）"),
    (UploadKind.REF_CITIES, REF_CITIES, [140100, "太原市", "太原市人才中心", "李", 3514048298],
     "“联系方式”列（E列）"),
])
def test_reference_identifiers_typed_as_numbers_are_refused(world, kind, header, row, column):
    before = (OrganisingUnit.objects.count(), Agency.objects.count(),
              list(City.objects.values_list("service_phone", flat=True)))
    upload = receive(world.province, xlsx([row], header=header), kind=kind)
    assert upload.status == UploadStatus.PREVIEWED and upload.error_count == 1, upload.preview
    assert any(e.startswith(f"第2行{column}：") and "文本" in e for e in errors(upload)), errors(upload)
    refused_at_commit_too(upload, world.province)
    assert before == (OrganisingUnit.objects.count(), Agency.objects.count(),
                      list(City.objects.values_list("service_phone", flat=True)))


def test_a_region_code_typed_as_a_number_lost_nothing_and_is_read(world):
    code = world.ty.code
    assert code[0] != "0"
    upload = receive(world.province, xlsx([[int(code), world.ty.name, "服务中心", "李", "0351-4048298"]],
                                          header=REF_CITIES), kind=UploadKind.REF_CITIES)
    assert upload.error_count == 0, upload.preview
    upload_commit(upload, actor=world.province)
    world.ty.refresh_from_db()
    assert world.ty.service_phone == "0351-4048298"


def _form6(client, world):
    client.force_login(world.unit_u1)
    return client.get(reverse("rosters:export_form6"), {"unit": world.u1.pk}).content


def _column(ws, label):
    """The column letter of a 花名表 sub-header (row 4)."""
    return next(c.column_letter for c in ws[4] if c.value == label)


def test_a_passport_number_typed_as_a_number_in_the_roster_is_refused(world, client):
    for stage, result in ((Stage.FIRST_INTERVIEW, Result.PASS), (Stage.MEDICAL, Result.PASS),
                          (Stage.SECOND_INTERVIEW, Result.PASS)):
        candidacy_record(world.cand_ty, stage=stage, result=result, on=date(2026, 3, 5),
                         actor=world.unit_u1)
    wb = load_workbook(io.BytesIO(_form6(client, world)))
    ws = wb.active
    letter = _column(ws, "护照号")
    ws[f"{letter}5"] = 12345678  # E12345678 with its letter dropped, or 012345678 …
    upload = receive(world.unit_u1, workbook_bytes(wb), kind=UploadKind.ROSTER,
                     stage_date=date(2026, 3, 9))
    assert any(e.startswith(f"第5行“输出情况·护照号”列（{letter}列）：") and "文本" in e
               for e in errors(upload)), upload.preview
    refused_at_commit_too(upload, world.unit_u1)
    world.person_ty.refresh_from_db()
    assert world.person_ty.passport_no == ""


# --- the 1904 date system -----------------------------------------------------------------

def test_a_mac_workbook_in_the_1904_date_system_reads_the_dates_the_user_sees(world):
    wb = Workbook()
    wb.epoch = CALENDAR_MAC_1904
    ws = wb.active
    ws.append(HEADER)
    ws.append(person_row(1, registered="")[:-1] + [date(2026, 3, 1)])  # a date cell
    # A serial number typed in a date column: in this workbook's system (Excel's, openpyxl's
    # from_excel), day 44620 is 2026-03-01; in the 1900 system it is 2022-02-28.
    ws.append(person_row(2, registered="")[:-1] + [44620])
    data = workbook_bytes(wb)
    assert b'date1904="1"' in zipfile.ZipFile(io.BytesIO(data)).read("xl/workbook.xml")
    upload = receive(world.unit_u1, data)
    assert upload.error_count == 0, errors(upload)
    upload_commit(upload, actor=world.unit_u1)
    assert Person.objects.get(name="测试1").registered_on == date(2026, 3, 1)
    assert Person.objects.get(name="测试2").registered_on == date(2026, 3, 1)


def test_the_same_serial_in_a_1900_workbook_is_four_years_earlier(world):
    upload = receive(world.unit_u1, xlsx([person_row(2, registered="")[:-1] + [44620]]))
    upload_commit(upload, actor=world.unit_u1)
    assert Person.objects.get(name="测试2").registered_on == date(2022, 2, 28)


def test_a_1904_agency_validity_reads_as_shown(world):
    wb = Workbook()
    wb.epoch = CALENDAR_MAC_1904
    ws = wb.active
    ws.append(["企业名称", "经营资格有效期至"])
    ws.append(["一九零四机构", 45000])  # day 45000 of 1904 is 2027-03-16 (of 1900: 2023-03-15)
    upload = receive(world.province, workbook_bytes(wb), kind=UploadKind.REF_AGENCIES)
    assert upload.error_count == 0, upload.preview
    upload_commit(upload, actor=world.province)
    assert Agency.objects.get(name="一九零四机构").licence_valid_until == date(2027, 3, 16)


# --- merged cells -------------------------------------------------------------------------

def _merged_roster(merge: str) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "名册"
    ws.append(["报名名册"])
    ws.merge_cells("A1:H1")  # a title over the header: not data, allowed
    ws.append(HEADER)
    for i in range(1, 4):
        ws.append(person_row(i))
    ws.merge_cells(merge)
    return workbook_bytes(wb)


@pytest.mark.parametrize("merge", [
    "F3:F5",   # 人员类别 merged down: rows 4 and 5 read an empty category
    "C4:C5",   # 性别 down over two people
    "G4:H4",   # 学历 and 报名日期 of one person: the date reads empty
    "A5:H5",   # a whole data row merged
])
def test_merged_cells_over_data_rows_are_refused_naming_the_range(world, merge):
    people = Person.objects.count()
    upload = receive(world.unit_u1, _merged_roster(merge))
    assert upload.status == UploadStatus.REFUSED
    assert "合并单元格" in upload.message and merge in upload.message, upload.message
    assert Person.objects.count() == people


def test_a_merged_title_above_the_header_is_not_data(world):
    upload = receive(world.unit_u1, _merged_roster("A7:H7"))  # below the data: a blank row
    assert upload.status == UploadStatus.PREVIEWED and upload.error_count == 0, upload.message


def test_merged_cells_over_reference_and_roster_rows_are_refused(world, client):
    wb = Workbook()
    ws = wb.active
    ws.append(REF_UNITS)
    ws.append(["甲单位", "职业院校", "太原", 7, "王", "0351-4048298", ""])
    ws.append(["乙单位", "职业院校", "太原", 8, "王", "0351-4048298", ""])
    ws.merge_cells("E2:F2")
    upload = receive(world.province, workbook_bytes(wb), kind=UploadKind.REF_UNITS)
    assert upload.status == UploadStatus.REFUSED and "E2:F2" in upload.message, upload.message

    wb = load_workbook(io.BytesIO(_form6(client, world)))
    wb.active.merge_cells("D5:E5")
    upload = receive(world.unit_u1, workbook_bytes(wb), kind=UploadKind.ROSTER,
                     stage_date=date(2026, 3, 9))
    assert upload.status == UploadStatus.REFUSED and "D5:E5" in upload.message, upload.message


def test_the_exported_roster_with_its_merged_headers_and_footnote_still_imports(world, client):
    upload = receive(world.unit_u1, _form6(client, world), kind=UploadKind.ROSTER,
                     stage_date=date(2026, 3, 9))
    assert upload.status == UploadStatus.PREVIEWED and upload.error_count == 0, upload.message


def test_merged_cells_over_a_poverty_list_are_refused(world):
    wb = Workbook()
    ws = wb.active
    ws.append(["序号", "姓名", "身份证号", "核实结果", "核实来源", "核实日期"])
    ws.append([1, "张三", world.person_ty.id_number, "脱贫劳动力", "全国防返贫监测信息系统", "2026-03-01"])
    ws.append([2, "李四", person_row(9)[3], "", "", ""])
    ws.merge_cells("D2:D3")  # 李四's 核实结果 reads empty, or 张三's spreads to him
    upload = receive(world.city_ty, workbook_bytes(wb), kind=UploadKind.POVERTY)
    assert upload.status == UploadStatus.REFUSED and "D2:D3" in upload.message, upload.message
    world.person_ty.refresh_from_db()
    assert world.person_ty.poverty_verified_on is None
