"""The province's reference data on its own pages (issue 13, item 4): exported formula-safe
and audited, imported through the roster front door with a preview whose verdict is the
commit's, all or nothing, Chinese messages naming row and column, through the services."""
import io
import zipfile

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from apps.audit.models import AuditAction, AuditEvent
from apps.orgs.models import Agency, AgencyStatus, City, OrganisingUnit, UnitCategory
from apps.quotas.models import Task, TaskPlan
from apps.rosters import services
from apps.rosters.models import Upload, UploadStatus
from tests.orgs.test_services import VALID_USCC
from tests.rosters.files import xlsx

HYPERLINK = '=HYPERLINK("http://evil.example/","点击查看")'
UNIT_HEADER = ["单位名称", "类别", "地点", "附件1序号", "联系人", "联系电话", "备注"]
AGENCY_HEADER = ["企业名称", "统一社会信用代码", "对外劳务合作经营资格证书编号", "经营资格有效期至",
                 "注册地（省）", "推荐批次", "附件4序号"]
TASK_HEADER = ["年度", "地市", "组织单位", "任务数", "说明"]


def export(client, kind):
    response = client.get(f"/orgs/reference/{kind}.xlsx")
    assert response.status_code == 200
    return response.content


def receive(world, kind, data, name="基础数据.xlsx", request=None):
    return services.upload_receive(actor=world.province, kind=kind,
                                   uploaded=SimpleUploadedFile(name, data), request=request)


def errors_of(upload):
    return [e for r in upload.preview for e in r["errors"]]


def test_a_formula_filed_as_a_unit_name_is_exported_as_text_and_the_export_audited(world, client):
    OrganisingUnit.objects.create(name=HYPERLINK, category=UnitCategory.TRAINING_INSTITUTION,
                                  city=world.ty, standing_class_allowed=False)
    Agency.objects.create(name="=1+1", note="@SUM(1)")
    client.force_login(world.province)
    for kind in ("ref_units", "ref_agencies"):
        data = export(client, kind)
        archive = zipfile.ZipFile(io.BytesIO(data))
        sheet_xml = archive.read("xl/worksheets/sheet1.xml")
        assert b"<f>" not in sheet_xml and b"<f " not in sheet_xml
        values = [c.value for row in load_workbook(io.BytesIO(data)).active.iter_rows()
                  for c in row]
        assert (HYPERLINK if kind == "ref_units" else "=1+1") in values
    events = AuditEvent.objects.filter(action=AuditAction.EXPORT, actor=world.province)
    assert events.count() == 2 and all(e.ip == "127.0.0.1" for e in events)


@pytest.mark.parametrize("kind", ["ref_plans", "ref_tasks", "ref_cities", "ref_units",
                                  "ref_agencies"])
def test_every_table_round_trips_unchanged(world, client, kind):
    client.force_login(world.province)
    data = export(client, kind)
    upload = receive(world, kind, data)
    assert upload.status == UploadStatus.PREVIEWED, upload.message
    assert upload.error_count == 0 and upload.new_count == 0 and upload.update_count == 0
    assert upload.unchanged_count > 0


def test_units_import_through_preview_then_commit_all_audited_with_the_ip(world, client):
    rows = [["新技工学校", "技工院校", "大同", 91, "王老师", "0352-1234567", ""],
            ["山西大学", "普通本科院校", "太原市", 1, "李老师", "", "已更新"]]
    client.force_login(world.province)
    response = client.post("/orgs/reference/", {
        "kind": "ref_units", "file": SimpleUploadedFile("单位.xlsx", xlsx(rows, header=UNIT_HEADER))})
    upload = Upload.objects.get(kind="ref_units")
    assert response.status_code == 302 and response["Location"] == f"/rosters/{upload.pk}/"
    # The preview ran the services and rolled them back: nothing written yet.
    assert (upload.new_count, upload.update_count) == (1, 1)
    assert not OrganisingUnit.objects.filter(name="新技工学校").exists()
    page = client.get(f"/rosters/{upload.pk}/").content.decode()
    assert "确认导入（新增 1 条，更新 1 条）" in page
    client.post(f"/rosters/{upload.pk}/commit/")
    upload.refresh_from_db()
    assert upload.status == UploadStatus.COMMITTED
    new = OrganisingUnit.objects.get(name="新技工学校")
    assert new.city == world.dt and new.seq == 91 and new.standing_class_allowed
    world.u1.refresh_from_db()
    assert world.u1.contact_person == "李老师" and world.u1.note == "已更新"
    audits = AuditEvent.objects.filter(action=AuditAction.UPLOAD, object_id=str(upload.pk))
    assert audits.count() == 2 and {e.ip for e in audits} == {"127.0.0.1"}


def test_one_bad_row_blocks_the_whole_file_and_names_row_and_column(world):
    bad_code = VALID_USCC[:-1] + ("0" if VALID_USCC[-1] != "0" else "1")
    rows = [["新机构甲", VALID_USCC, "L-1", "2030-01-01", "山西", 3, 1],
            ["新机构乙", bad_code, "L-2", "2030-02-01", "山西", 3, 2],
            ["新机构丙", "", "L-3", "2030年2月30日", "山西", 3, 3]]
    upload = receive(world, "ref_agencies", xlsx(rows, header=AGENCY_HEADER))
    found = errors_of(upload)
    assert any("第3行“统一社会信用代码”列（B列）" in e and "校验位" in e for e in found), found
    assert any("第4行“经营资格有效期至”列（D列）" in e and "不存在" in e for e in found), found
    assert upload.error_count == 2 and not services.upload_committable(upload, world.province)
    with pytest.raises(services.CommitRefused):
        services.upload_commit(upload, actor=world.province)
    assert not Agency.objects.filter(name__startswith="新机构").exists()


def test_formula_cells_and_formula_text_are_refused_with_the_cell(world):
    data = xlsx([["=1+1", "技工院校", "太原"], [HYPERLINK.replace("=", "@"), "技工院校", "太原"],
                 ["正常学校", "=cmd|' /C calc'!A0", "太原"]], header=UNIT_HEADER[:3])
    upload = receive(world, "ref_units", data)
    found = " ".join(errors_of(upload))
    assert "第2行“单位名称”列（A列）是公式" in found
    assert "第3行“单位名称”列（A列）：含有公式" in found
    assert "第4行“类别”列（B列）是公式" in found
    assert upload.error_count == 3


def test_a_hostile_file_meets_the_front_door(world):
    upload = receive(world, "ref_units", b"name,category\n" * 3, name="单位.xlsx")
    assert upload.status == UploadStatus.REFUSED and upload.message
    assert any("\u4e00" <= ch <= "\u9fff" for ch in upload.message)


def test_only_the_province_imports_or_exports_reference_data(world, client):
    data = xlsx([["新学校", "技工院校", "太原"]], header=UNIT_HEADER[:3])
    for user in (world.city_ty, world.unit_u1, world.agency_a1, world.observer):
        with pytest.raises(PermissionDenied):
            services.upload_receive(actor=user, kind="ref_units",
                                    uploaded=SimpleUploadedFile("u.xlsx", data))
        client.force_login(user)
        assert client.get("/orgs/reference/").status_code == 403
        assert client.get("/orgs/reference/ref_units.xlsx").status_code == 403
        assert client.post("/orgs/reference/", {
            "kind": "ref_units", "file": SimpleUploadedFile("u.xlsx", data)}).status_code == 403
    # A roster uploader cannot pick a reference kind on the roster page either.
    client.force_login(world.city_ty)
    response = client.post("/rosters/", {"kind": "ref_units",
                                         "file": SimpleUploadedFile("u.xlsx", data)})
    assert response.status_code == 200 and not Upload.objects.filter(kind="ref_units").exists()
    # The province's preview is neither visible to nor committable by a city.
    upload = receive(world, "ref_units", data)
    assert client.post(f"/rosters/{upload.pk}/commit/").status_code == 404
    assert not OrganisingUnit.objects.filter(name="新学校").exists()


def test_statuses_and_filing_cannot_be_changed_by_import(world):
    data = xlsx([[world.a2.name, "blacklisted", "approved"]],
                header=["企业名称", "状态", "备案状态"])
    upload = receive(world, "ref_agencies", data)
    assert "已忽略以下列：状态、备案状态" in upload.message
    assert upload.unchanged_count == 1
    services.upload_commit(upload, actor=world.province)
    world.a2.refresh_from_db()
    assert world.a2.status == AgencyStatus.FILED


def test_task_rows_say_what_is_wrong_and_unknown_numbers_stay_unknown(world):
    rows = [[2031, "太原", "", 10, ""], [2020, "太原", "山西大学", 5, ""],
            [2020, "", "不存在的学校", 5, ""], [2020, "", "太原学院", "", "原表缺失"],
            [2020, "", "太原学院", 7, ""], [2020, "", "山西大学", -3, ""]]
    upload = receive(world, "ref_tasks", xlsx(rows, header=TASK_HEADER))
    found = " ".join(errors_of(upload))
    assert "第2行“年度”列（A列）：2031年度尚无年度任务计划" in found
    assert "第3行：“地市”与“组织单位”须填且只填一项" in found
    assert "第4行“组织单位”列（C列）：“不存在的学校”不是已有组织单位" in found
    assert "第6行：与第5行重复" in found
    assert "第7行“任务数”列（D列）：应为不小于0的整数" in found
    ok = receive(world, "ref_tasks", xlsx([rows[3]], header=TASK_HEADER))
    services.upload_commit(ok, actor=world.province)
    task = Task.objects.get(year=2020, unit=world.u2)
    assert task.number is None and task.note == "原表缺失" and task.updated_by == world.province


def test_the_commit_re_checks_and_writes_nothing_if_the_data_moved(world):
    upload = receive(world, "ref_agencies", xlsx(
        [["新机构丙", VALID_USCC], ["新机构丁", ""]], header=AGENCY_HEADER[:2]))
    assert upload.new_count == 2
    Agency.objects.create(name="抢先机构", credit_code=VALID_USCC)  # after the preview
    with pytest.raises(services.CommitRefused):
        services.upload_commit(upload, actor=world.province)
    assert not Agency.objects.filter(name__in=["新机构丙", "新机构丁"]).exists()
    upload.refresh_from_db()
    assert upload.status == UploadStatus.PREVIEWED


def test_a_new_year_plan_then_its_tasks(world):
    plan = receive(world, "ref_plans", xlsx([[2027, 3000, 1900, 1200, "晋人社办发〔2027〕1号"]],
                                            header=["年度", "全省输出目标", "组织单位任务合计",
                                                    "各市任务合计", "依据文件"]))
    services.upload_commit(plan, actor=world.province)
    assert TaskPlan.objects.get(year=2027).declared_city_total == 1200
    tasks = receive(world, "ref_tasks", xlsx([[2027, "太原市", "", 300, ""]], header=TASK_HEADER))
    services.upload_commit(tasks, actor=world.province)
    assert Task.objects.get(year=2027, city=world.ty).number == 300
    cities = receive(world, "ref_cities", xlsx([["140999", "外省市", "某机构"]],
                                               header=["行政区划代码", "地市", "公共就业服务机构名称"]))
    assert "“140999”不是已有地市" in " ".join(errors_of(cities))
    assert not City.objects.filter(code="140999").exists()
