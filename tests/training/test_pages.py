"""Training pages as users use them: the 附件9 upload joins a class, the forms export in the
seed's layout, pages keep their query count, and the unit page shows a withdrawn right."""
import io
from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from apps.audit.models import AuditEvent
from apps.training import services
from apps.training.models import StandingMember
from tests.rosters.files import person_row, xlsx
from tests.training.test_classes import opened

FORM9 = ["序号", "姓名", "性别", "年龄", "身份证号", "人员类别", "联系方式"]


def form9_row(i, **kw):
    row = person_row(i, **kw)
    return [row[0], row[1], row[2], "", row[3], row[5], row[4]]


def upload_form9(client, world, rows, cls=None):
    return client.post(reverse("rosters:upload_list"), {
        "kind": "standing_class", "training_class": (cls or world.standing_ty).pk,
        "file": SimpleUploadedFile("附件9.xlsx", xlsx(rows, header=FORM9))}, follow=True)


def test_a_form9_upload_puts_its_people_on_the_class_once(world, client):
    client.force_login(world.unit_u1)
    response = upload_form9(client, world, [form9_row(i) for i in range(1, 31)])
    body = response.content.decode()
    assert "确认导入（新增 30 人" in body and "日语非建制班2026" in body
    upload = response.context["upload"]
    client.post(reverse("rosters:upload_commit", args=[upload.pk]))
    assert world.standing_ty.members.count() == 31  # 张三 was already on it
    # The same file again: nobody new, nobody twice.
    again = upload_form9(client, world, [form9_row(i) for i in range(1, 31)]).context["upload"]
    client.post(reverse("rosters:upload_commit", args=[again.pk]))
    assert world.standing_ty.members.count() == 31
    page = client.get(reverse("training:class_detail", args=[world.standing_ty.pk]))
    assert "非建制班人员花名表（附件9）：31 人" in page.content.decode()
    assert "花名表仅" not in page.content.decode()


def test_a_form9_upload_needs_the_units_own_open_class(world, client):
    client.force_login(world.unit_u1)
    response = client.post(reverse("rosters:upload_list"), {
        "kind": "standing_class", "file": SimpleUploadedFile("附件9.xlsx",
                                                             xlsx([form9_row(1)], header=FORM9))})
    assert "须选择非建制班" in response.content.decode()
    response = upload_form9(client, world, [form9_row(1)], cls=world.standing_dt)
    assert "不在可选范围内" in response.content.decode()  # 大同's class is not offered
    assert not world.standing_dt.members.exclude(person=world.person_dt).exists()


def test_a_bad_row_in_form9_adds_nobody(world, client):
    client.force_login(world.unit_u1)
    rows = [form9_row(i) for i in range(1, 31)]
    rows[5][6] = "12345"
    upload = upload_form9(client, world, rows).context["upload"]
    assert upload.error_count == 1
    client.post(reverse("rosters:upload_commit", args=[upload.pk]))
    assert world.standing_ty.members.count() == 1


def test_form7_export_follows_the_seed(world, client):
    client.force_login(world.unit_u1)
    response = client.get(reverse("training:export_form7", args=[world.class_ty.pk]))
    ws = load_workbook(io.BytesIO(response.content)).active
    assert ws["A1"].value == "对外劳务输出培训班信息表"
    assert [ws[f"A{r}"].value for r in range(3, 10)] == [
        "培训类型", "培训人数", "培训周期", "开班地点", "开设课程", "课时安排", "备注"]
    assert ws["C4"].value == "开班时间" and ws["C5"].value == "开课时间"
    assert ws["B3"].value.startswith("☑ 强化培训") and ws["B4"].value == "1人"
    assert "B3:D3" in {str(r) for r in ws.merged_cells.ranges}
    assert AuditEvent.objects.filter(action="export", detail="附件7").exists()


def test_form9_is_formula_safe_and_masked_for_every_role(world, client):
    world.person_ty.name = "=1+1"
    world.person_ty.save()
    client.force_login(world.province)
    response = client.get(reverse("training:export_form9", args=[world.standing_ty.pk]))
    ws = load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in ws[3]] == FORM9
    assert ws["B4"].value == "=1+1" and ws["B4"].data_type == "s"
    assert "*" in ws["E4"].value  # the province reads masked numbers
    client.force_login(world.unit_u1)
    response = client.get(reverse("training:export_form9", args=[world.standing_ty.pk]))
    # The unit too: full numbers only through a disclosure (tests/disclosures).
    assert "*" in load_workbook(io.BytesIO(response.content)).active["E4"].value


def test_print_views_carry_the_stamp_lines(world, client):
    client.force_login(world.unit_u1)
    body = client.get(reverse("training:print_form7", args=[world.class_ty.pk])).content.decode()
    assert "组织单位（盖章）：山西大学" in body and "年　　月　　日" in body
    body = client.get(reverse("training:print_form9", args=[world.standing_ty.pk])).content.decode()
    assert "非建制班人员花名表" in body and "张三" in body


def test_class_pages_do_not_grow_queries(world, client, django_assert_max_num_queries):
    client.force_login(world.unit_u1)
    from tests.training.test_classes import STANDING, people
    for i in range(8):
        cls = services.class_create(actor=world.unit_u1, **{**STANDING, "name": f"班{i}"})
        StandingMember.objects.bulk_create([StandingMember(training_class=cls, person=p)
                                            for p in people(world.unit_u1, 3, i * 3)])
    with django_assert_max_num_queries(14):
        assert client.get(reverse("training:class_list")).status_code == 200
    with django_assert_max_num_queries(22):
        assert client.get(reverse("training:class_detail", args=[cls.pk])).status_code == 200


def test_the_unit_page_shows_a_withdrawn_right(world, client):
    opened(world.standing_ty)
    services.spot_check_record(world.standing_ty, actor=world.province, checked_on=date(2026, 5, 6),
                               inspector="李明", findings="虚报学员", outcome="serious")
    client.force_login(world.city_ty)
    body = client.get(reverse("orgs:unit_detail", args=[world.u1.pk])).content.decode()
    assert "取消非建制班经办资格" in body and "2026年5月6日" in body
    client.force_login(world.unit_u1)
    body = client.get(reverse("training:class_detail", args=[world.standing_ty.pk])).content.decode()
    assert "不能申请补助资金" in body and "已停止拨付该班资金" in body


def test_the_province_records_a_spot_check_in_the_browser_form(world, client):
    opened(world.standing_ty)
    client.force_login(world.province)
    url = reverse("training:spot_check_create", args=[world.standing_ty.pk])
    response = client.post(url, {"checked_on": "2026-05-08", "inspector": "王芳",
                                 "findings": "签到表代签", "outcome": "falsified"}, follow=True)
    assert "已录入抽查结果：弄虚作假（停止拨付资金）" in response.content.decode()
    world.standing_ty.refresh_from_db()
    assert world.standing_ty.money_stopped


def test_a_school_runs_an_intensive_class_from_roster_to_certificates(world, client):
    from apps.pipeline.models import Result, Stage
    from apps.pipeline.services import candidacy_record
    from tests.training.test_classes import INTENSIVE, passed_second_interview, people
    from django.utils import timezone
    client.force_login(world.unit_u1)
    response = client.post(reverse("training:class_create"), {
        **{k: v for k, v in INTENSIVE.items()}, "opens_on": "2026-04-01",
        "course_starts_on": "2026-04-01", "ends_on": "2026-04-30", "remarks": ""}, follow=True)
    cls = response.context["cls"]
    ready = [passed_second_interview(world, p) for p in people(world.unit_u1, 3)]
    for c in ready:
        candidacy_record(c, stage=Stage.CONTRACT, result=Result.SIGNED, on=date(2026, 3, 25),
                         actor=world.agency_a1, contract_trade="介护", contract_term="3年")
    page = client.get(reverse("training:class_enrol", args=[cls.pk])).content.decode()
    assert all(c.person.name in page for c in ready) and "张三" not in page
    client.post(reverse("training:class_enrol", args=[cls.pk]),
                {"candidacy": [c.pk for c in ready]})
    roster = client.get(reverse("pipeline:roster"), {"training_class": cls.pk}).content.decode()
    assert all(c.person.name in roster for c in ready) and "张三" not in roster
    client.post(reverse("training:class_action", args=[cls.pk, "file-roster"]))
    client.post(reverse("training:class_action", args=[cls.pk, "open"]), {"on": "2026-04-01"})
    e1, e2, e3 = cls.enrolments.order_by("id")
    response = client.post(reverse("training:class_results", args=[cls.pk]), {
        "on": "2026-04-30", f"hours-{e1.pk}": "160", f"result-{e1.pk}": "pass",
        f"certificate-{e1.pk}": "SX-2026-0001", f"hours-{e2.pk}": "160",
        f"result-{e2.pk}": "pass", f"certificate-{e2.pk}": "",
        f"hours-{e3.pk}": "40", f"result-{e3.pk}": "incomplete"})
    assert response.status_code == 400
    assert "学员1：培训合格须填写培训合格证编号" in response.content.decode()
    response = client.post(reverse("training:class_results", args=[cls.pk]), {
        "on": "2026-04-30", f"hours-{e1.pk}": "160", f"result-{e1.pk}": "pass",
        f"certificate-{e1.pk}": "SX-2026-0001", f"hours-{e2.pk}": "160",
        f"result-{e2.pk}": "pass", f"certificate-{e2.pk}": "SX-2026-0002",
        f"hours-{e3.pk}": "40", f"result-{e3.pk}": "incomplete"}, follow=True)
    body = response.content.decode()
    assert "录入 3 人的培训结果" in body and "SX-2026-0002" in body
    roster = client.get(reverse("pipeline:roster"), {"training_class": cls.pk}).context["rows"]
    assert sum(1 for row in roster if "√" in row) >= 2
    client.post(reverse("training:class_action", args=[cls.pk, "end"]),
                {"on": timezone.localdate().isoformat()})
    client.post(reverse("training:class_action", args=[cls.pk, "file-info"]))
    cls.refresh_from_db()
    assert cls.status == "ended" and cls.info_filed_at is not None
    assert set(cls.deadline_items.values_list("status", flat=True)) <= {"done", "done_late"}
