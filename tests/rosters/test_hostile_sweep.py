"""The sweep: overlong values (longer than their column), duplicated header columns, hidden
rows in reference data, NUL bytes and other controls, full-width and zero-width characters,
dates typed in the ways people type them. Each path says what is wrong by row and column or
field, never a 500, nothing written, no value silently worse."""
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from apps.pipeline.models import Result, Stage
from apps.pipeline.services import candidacy_record
from apps.quotas.models import Task
from apps.registry.models import Person
from apps.rosters.models import UploadKind, UploadStatus
from apps.rosters.services import CommitRefused, upload_commit, upload_receive
from tests.api.clients import call, make_client
from tests.rosters.files import HEADER, person_row, xlsx
from tests.rosters.test_hostile_cells import workbook_bytes


def receive(user, data, kind=UploadKind.REGISTRATION, **extra):
    return upload_receive(actor=user, kind=kind, uploaded=SimpleUploadedFile("名册.xlsx", data),
                          **extra)


def errors(upload):
    return [e for row in upload.preview for e in row["errors"]]


def test_a_cell_longer_than_its_column_is_said_in_the_preview_not_failed_at_commit(world):
    people = Person.objects.count()
    row = person_row(1, name="张" * 51)   # 姓名 holds 50
    upload = receive(world.unit_u1, xlsx([row, person_row(2)]))
    assert upload.status == UploadStatus.PREVIEWED and upload.error_count == 1
    assert "第2行“姓名”列（B列）：内容过长（51字），最多50字" in errors(upload), errors(upload)
    with pytest.raises(CommitRefused):
        upload_commit(upload, actor=world.unit_u1)
    assert Person.objects.count() == people


def test_an_overlong_task_note_is_said_by_column(world):
    upload = receive(world.province, xlsx([[2020, "太原", "", 10, "说" * 201]],
                                          header=["年度", "地市", "组织单位", "任务数", "说明"]),
                     kind=UploadKind.REF_TASKS)
    assert upload.status == UploadStatus.PREVIEWED, upload.message
    assert any(e.startswith("第2行“说明”列（E列）：说明最多200字") for e in errors(upload)), errors(upload)
    assert not Task.objects.filter(note__startswith="说说").exists()


def _contract_ready(world):
    for stage, result in ((Stage.FIRST_INTERVIEW, Result.PASS), (Stage.MEDICAL, Result.PASS),
                          (Stage.SECOND_INTERVIEW, Result.PASS)):
        candidacy_record(world.cand_ty, stage=stage, result=result, on=date(2026, 3, 5),
                         actor=world.agency_a1 if stage == Stage.FIRST_INTERVIEW else world.unit_u1,
                         **({"hospital": "县人民医院"} if stage == Stage.MEDICAL else {}))


def test_an_overlong_stage_detail_is_refused_by_field_on_the_page_and_the_api(world, client):
    _contract_ready(world)
    body = {"result": "signed", "happened_on": "2026-03-10", "contract_trade": "介护",
            "contract_term": "三" * 21}  # the column holds 20
    client.force_login(world.agency_a1)
    response = client.post(reverse("pipeline:candidacy_record", args=[world.cand_ty.pk]),
                           {**body, "expected": Stage.CONTRACT})
    assert response.status_code == 200 and "合同期限最多20字" in response.content.decode()
    agency = make_client(world, "agency", world.a1)
    response = call(client, "post", f"/api/v1/candidacies/{world.cand_ty.pk}/stages/", agency.key,
                    {**body, "stage": Stage.CONTRACT})
    assert response.status_code == 400, response.content
    assert "合同期限最多20字" in response.json()["errors"]["contract_term"][0]
    world.cand_ty.refresh_from_db()
    assert world.cand_ty.stage == Stage.SECOND_INTERVIEW


def test_a_duplicated_header_column_is_refused_naming_both(world):
    header = HEADER + ["联系电话"]   # 联系方式 again, under another of its names
    upload = receive(world.unit_u1, xlsx([person_row(1) + ["13900001111"]], header=header))
    assert upload.status == UploadStatus.REFUSED
    assert "E列和I列都是“联系方式”" in upload.message, upload.message
    upload = receive(world.province, xlsx([["新单位", "职业院校", "太原", "新单位2"]],
                                          header=["单位名称", "类别", "地点", "单位名称"]),
                     kind=UploadKind.REF_UNITS)
    assert upload.status == UploadStatus.REFUSED and "A列和D列都是“单位名称”" in upload.message


def test_hidden_rows_of_reference_data_are_refused_not_imported_unseen(world):
    wb = Workbook()
    ws = wb.active
    ws.append(["单位名称", "类别", "地点"])
    ws.append(["看得见的学校", "职业院校", "太原"])
    ws.append(["看不见的学校", "职业院校", "太原"])
    ws.row_dimensions[3].hidden = True
    upload = receive(world.province, workbook_bytes(wb), kind=UploadKind.REF_UNITS)
    assert upload.status == UploadStatus.REFUSED and "隐藏行" in upload.message, upload.message


@pytest.mark.parametrize("typed, kept", [
    ("2026.3.1", date(2026, 3, 1)),
    ("2026年3月1日", date(2026, 3, 1)),
    ("２０２６－０３－０１", date(2026, 3, 1)),
    (" 2026/3/1 ", date(2026, 3, 1)),
])
def test_dates_typed_as_people_type_them_are_read(world, typed, kept):
    upload = receive(world.unit_u1, xlsx([person_row(1, registered=typed)]))
    assert upload.error_count == 0, errors(upload)
    upload_commit(upload, actor=world.unit_u1)
    assert Person.objects.get(name="测试1").registered_on == kept


@pytest.mark.parametrize("typed", ["三月一日", "2026-02-30", "明天", "2026.13.1"])
def test_a_date_cell_holding_text_is_named(world, typed):
    upload = receive(world.unit_u1, xlsx([person_row(1, registered=typed)]))
    assert any(e.startswith("第2行“报名日期”列（H列）：日期") for e in errors(upload)), errors(upload)


def test_zero_width_bom_and_full_width_inside_an_id_number_are_read_as_the_number(world):
    # (A NUL or other C0 control cannot be stored in an xlsx cell; in a CSV it refuses the file.)
    row = person_row(1)
    number = row[3]
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in number[:6])
    row[3] = "\ufeff" + full_width + "\u200b" + number[6:12] + "\u2060" + number[12:] + " "
    upload = receive(world.unit_u1, xlsx([row]))
    assert upload.error_count == 0, errors(upload)
    upload_commit(upload, actor=world.unit_u1)
    assert Person.objects.get(name="测试1").id_number == number


def test_nul_and_control_characters_in_a_page_form_are_refused_by_field(world, client):
    client.force_login(world.unit_u1)
    people = Person.objects.count()
    response = client.post(reverse("registry:person_register"), {
        "name": "李\x00四", "sex": "男", "id_number": person_row(5)[3], "phone": "13800005555",
        "category": "学生", "registered_on": date(2026, 3, 1).isoformat()})
    page = response.content.decode()
    assert response.status_code == 200 and "Null characters" not in page
    assert "空字符" in page, page[page.find("errorlist"):][:300]
    assert Person.objects.count() == people


def test_an_overlong_withdrawal_reason_is_said_on_the_field_not_a_500(world, client):
    client.force_login(world.unit_u1)
    url = reverse("pipeline:candidacy_withdraw", args=[world.cand_ty.pk])
    response = client.post(url, {"happened_on": "2026-03-10", "reason": "因" * 300})
    assert response.status_code == 200 and "退出原因最多191字" in response.content.decode()
    world.cand_ty.refresh_from_db()
    assert world.cand_ty.status == "active"
    response = client.post(url, {"happened_on": "2026-03-10", "reason": "因" * 191})
    assert response.status_code == 302
    world.cand_ty.refresh_from_db()
    assert world.cand_ty.end_reason == "中途退出：" + "因" * 191
