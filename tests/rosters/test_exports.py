"""The official forms as xlsx: the seed's layout, formula-safe, masked by role, logged."""
import io
from datetime import date

from django.urls import reverse
from openpyxl import load_workbook

from apps.audit.models import AuditAction, AuditEvent
from apps.orgs.seed import seed_load
from apps.pipeline.models import Result, Stage
from apps.pipeline.services import candidacy_record
from apps.registry.idnumber import mask_id
from apps.registry.services import person_update
from tests.conftest import OWN_ID, make_user


def sheet(response):
    return load_workbook(io.BytesIO(response.content)).active


def test_a_name_that_looks_like_a_formula_is_written_as_text(world, client):
    person_update(world.person_ty, actor=world.unit_u1, name="=1+1")
    client.force_login(world.unit_u1)
    ws = sheet(client.get(reverse("rosters:export_form6")))
    cell = next(c for row in ws.iter_rows() for c in row if c.value == "=1+1")
    assert cell.data_type == "s"
    raw = client.get(reverse("rosters:export_form5", args=[world.person_ty.pk])).content
    ws5 = load_workbook(io.BytesIO(raw)).active
    assert ws5["B3"].value == "=1+1" and ws5["B3"].data_type == "s"
    # The printed 附件5 grid: merged value cells as in the seed's form.
    assert {"A1:G1", "B3:C3", "B4:G4", "B7:C7", "E7:G7", "A11:A12", "E11:G11", "C12:G12",
            "B13:G13"} <= {str(r) for r in ws5.merged_cells.ranges}
    # Masked for every role: a full-number version needs a disclosure (tests/disclosures).
    assert (ws5["A4"].value, ws5["B4"].value) == ("身份证号", mask_id(OWN_ID))


def test_roster_export_has_the_two_row_header_and_ticks(world, client):
    candidacy_record(world.cand_ty, stage=Stage.FIRST_INTERVIEW, result=Result.PASS,
                     on=date(2026, 3, 5), actor=world.unit_u1)
    client.force_login(world.unit_u1)
    ws = sheet(client.get(reverse("rosters:export_form6"), {"unit": world.u1.pk}))
    assert ws["A1"].value == "对外劳务输出花名表"
    assert ws["A2"].value == "填报单位（盖章）：山西大学"
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert {"A3:A4", "B3:B4", "C3:C4", "D3:F3", "M3:P3", "T3:Z3", "AA3:AC3", "AD3:AD4"} <= merged
    assert [ws.cell(4, c).value for c in range(4, 7)] == ["合格", "不合格", "未参加"]
    assert [c.value for c in ws[5]][:4] == ["1", "张三", mask_id(OWN_ID), "√"]


def test_province_export_masks_ids(world, client):
    client.force_login(world.province)
    ws = sheet(client.get(reverse("rosters:export_form6"), {"unit": world.u1.pk}))
    values = [c.value for row in ws.iter_rows() for c in row]
    assert mask_id(OWN_ID) in values and OWN_ID not in values


def test_exports_are_logged(world, client):
    client.force_login(world.agency_a1)
    client.get(reverse("rosters:export_form5", args=[world.person_ty.pk]))
    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert event.actor == world.agency_a1 and "附件5" in event.detail


def test_form1_and_form2_follow_the_seed(db, client):
    seed_load()
    client.force_login(make_user("p", "province"))
    ws = sheet(client.get(reverse("rosters:export_form1", args=[2020])))
    assert [c.value for c in ws[3]] == ["序号", "类别", "学校名称", "地点", "任务数", "已输出"]
    assert [c.value for c in ws[4]][:5] == [1, "普通本科院校", "山西大学", "太原", 40]
    assert ws.cell(23, 5).value == "未知" and ws.cell(23, 3).value == "山西师范大学"
    assert "B4:B35" in {str(r) for r in ws.merged_cells.ranges}  # 32 undergraduate rows
    total = ws.cell(94, 1)
    assert total.value == "合计：" and ws.cell(94, 5).value == 1730
    ws2 = sheet(client.get(reverse("rosters:export_form2", args=[2020])))
    assert ws2["A4"].value == "太原市" and ws2["B15"].value == 1170
    ws4 = sheet(client.get(reverse("rosters:export_form4")))
    assert ws4["A2"].value == "（第一批）" and ws4["B4"].value == "中国国际技术智力合作有限公司"


def test_print_views_carry_the_stamp_and_date_lines(world, client):
    client.force_login(world.unit_u1)
    body = client.get(reverse("rosters:print_form6"), {"unit": world.u1.pk}).content.decode()
    assert "填报单位（盖章）：山西大学" in body and "年　　月　　日" in body
    body5 = client.get(reverse("rosters:print_form5", args=[world.person_ty.pk])).content.decode()
    assert "对外劳务输出人员报名表" in body5 and "推荐单位：山西大学" in body5
