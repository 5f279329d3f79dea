"""The official forms as xlsx: the seed's layout, formula-safe, masked by role, logged."""
import io
from datetime import date, timedelta

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
    wb = load_workbook(io.BytesIO(client.get(reverse("rosters:export_form1", args=[2020])).content))
    ws = wb.worksheets[0]
    assert ws["A2"].value == "单位：人"
    # The seed's five columns, and no sixth: 已输出 is not on the filed form.
    assert [c.value for c in ws[3]] == ["序号", "类别", "学校名称", "地点", "任务数"]
    assert ws.max_column == 5
    assert [c.value for c in ws[4]] == [1, "普通本科院校", "山西大学", "太原", 40]
    assert ws.cell(23, 5).value == "未知" and ws.cell(23, 3).value == "山西师范大学"
    assert "B4:B35" in {str(r) for r in ws.merged_cells.ranges}  # 32 undergraduate rows
    total = ws.cell(94, 1)
    assert total.value == "合计：" and ws.cell(94, 5).value == 1730
    # The five lost task numbers are named under the table, with the plan's declared 1830.
    note = ws.cell(95, 1).value
    assert note.startswith("注：5家单位任务数未知")
    for name in ("20.山西师范大学", "33.运城职业技术大学", "47.大同煤炭职业技术学院",
                 "62.太原铁路机械学校", "81.大同市高级技工学校"):
        assert name in note
    assert "文件合计1830人" in note and "已知任务数合计1730人" in note and "100人未分配" in note
    progress = wb["完成情况"]
    assert [c.value for c in progress[3]] == ["序号", "学校名称", "任务数", "已输出"]
    assert [c.value for c in progress[4]] == [1, "山西大学", 40, 0]
    assert [c.value for c in progress[progress.max_row]] == ["合计", None, 1730, 0]

    wb2 = load_workbook(io.BytesIO(client.get(reverse("rosters:export_form2", args=[2020])).content))
    ws2 = wb2.worksheets[0]
    assert [c.value for c in ws2[3]] == ["地 市", "任务数"] and ws2.max_column == 2
    # The seed's order (大同 first), not the order of the codes (太原 140100 first).
    assert [ws2.cell(r, 1).value for r in range(4, 15)] == [
        "大同市", "朔州市", "忻州市", "太原市", "晋中市", "吕梁市", "阳泉市", "长治市", "晋城市",
        "临汾市", "运城市"]
    assert ws2["B4"].value == 100 and ws2["A15"].value == "合计：" and ws2["B15"].value == 1170
    assert [c.value for c in wb2["完成情况"][4]] == ["大同市", 100, 0]
    ws4 = sheet(client.get(reverse("rosters:export_form4")))
    assert ws4["A2"].value == "（第一批）" and ws4["B4"].value == "中国国际技术智力合作有限公司"


def test_form1_has_no_note_when_every_task_is_known(world, client):
    """Once the province has entered the lost number, the note goes."""
    world.task_u3.number = 30
    world.task_u3.save()
    client.force_login(world.province)
    ws = sheet(client.get(reverse("rosters:export_form1", args=[2020])))
    assert ws["C4"].value == "山西大学" and ws["E4"].value == 40
    values = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert not any(v.startswith("注：") for v in values)


def test_an_agency_exports_the_published_agency_list_not_only_itself(db, client):
    """附件4 is the plan's public list: an agency's export has all 25, as a unit's does;
    an agency a city filed (not on the published list) is in neither."""
    from apps.orgs.models import Agency, AgencyStatus
    seed_load()
    own = Agency.objects.get(name="天已集团有限公司")
    filed = Agency.objects.create(name="某市备案机构有限公司", status=AgencyStatus.FILED, batch=2, seq=1)
    for user in (make_user("ag", "agency", agency=own), make_user("ag2", "agency", agency=filed)):
        client.force_login(user)
        ws = sheet(client.get(reverse("rosters:export_form4")))
        names = [ws.cell(r, 2).value for r in range(1, ws.max_row + 1)]
        assert "中国国际技术智力合作有限公司" in names and "天已集团有限公司" in names
        assert sum(1 for n in names if n and n.endswith(("公司", "中心"))) >= 25
        # Its own row only for the filed agency itself.
        assert ("某市备案机构有限公司" in names) == (user.agency == filed)


def test_form5_states_the_age_on_the_forms_date_not_today(world, client):
    """Registered the day before the 26th birthday: the form (dated that day) says 25,
    whenever it is exported or printed later."""
    from apps.registry.models import Person
    person = world.person_ty
    born = person.birth_date
    Person.objects.filter(pk=person.pk).update(
        registered_on=date(born.year + 26, born.month, born.day) - timedelta(days=1))
    person.refresh_from_db()
    assert person.age >= 26  # today it is at least 26 (the form must not say so)
    client.force_login(world.unit_u1)
    ws5 = sheet(client.get(reverse("rosters:export_form5", args=[person.pk])))
    assert (ws5["F3"].value, ws5["G3"].value) == ("年 龄", 25)
    assert ws5["E2"].value == f"{person.registered_on:%Y年%m月%d日}"
    body = client.get(reverse("rosters:print_form5", args=[person.pk])).content.decode()
    assert "<th>年　龄</th><td>25</td>" in body
    # On the birthday itself, 26.
    Person.objects.filter(pk=person.pk).update(registered_on=date(born.year + 26, born.month, born.day))
    assert sheet(client.get(reverse("rosters:export_form5", args=[person.pk])))["G3"].value == 26


def test_print_views_carry_the_stamp_and_date_lines(world, client):
    client.force_login(world.unit_u1)
    body = client.get(reverse("rosters:print_form6"), {"unit": world.u1.pk}).content.decode()
    assert "填报单位（盖章）：山西大学" in body and "年　　月　　日" in body
    body5 = client.get(reverse("rosters:print_form5", args=[world.person_ty.pk])).content.decode()
    assert "对外劳务输出人员报名表" in body5 and "推荐单位：山西大学" in body5
