"""Issue 19 item 1: a return records its date, kind, cause from a list, money owed, who
reported it and how it was checked; owed money opens a complaint in the same step; every path
(person page, 花名表 upload) goes through pipeline.services.candidacy_record."""
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from apps.complaints.models import Complaint
from apps.pipeline.models import Candidacy, CandidacyStatus
from apps.pipeline.returns import from_text, roster_details
from tests.returnees.conftest import RETURN, abroad, come_back, unpaid

TODAY = timezone.localdate


def test_an_early_return_for_unpaid_wages_opens_a_complaint_in_the_same_step(world):
    c = abroad(world, "欠薪甲", 11)
    back = unpaid(c, world.agency_a1, wages="30000", deposit="5000")
    assert (back.status, back.return_kind, back.return_cause) == (
        CandidacyStatus.RETURNED, "early", "employer_breach")
    assert back.owed_wages == Decimal("30000") and back.owed_deposit == Decimal("5000")
    complaint = Complaint.objects.get(candidacy=c)
    assert back.return_complaint == complaint
    assert (complaint.kind, complaint.category, complaint.respondent_kind) == (
        "dispute", "wages", "employer")
    assert complaint.respondent_employer == "株式会社さくら"
    assert complaint.received_on == TODAY() and complaint.state == "received"
    assert sorted((k.kind, k.amount) for k in complaint.claims.all()) == [
        ("deposit", Decimal("5000.00")), ("wages", Decimal("30000.00"))]
    # Handled first by the worker's unit, who is told.
    assert complaint.level == "unit" and complaint.unit_id == world.u1.pk
    assert "雇主拖欠三个月工资" in complaint.summary


def test_a_deposit_only_is_a_dispute_with_the_agency(world):
    c = abroad(world, "押金甲", 12)
    unpaid(c, world.agency_a1, wages="", deposit="8000")
    complaint = Complaint.objects.get(candidacy=c)
    assert (complaint.category, complaint.respondent_kind, complaint.respondent_agency) == (
        "fees", "agency", world.a1)


def test_no_money_owed_opens_no_complaint(world):
    c = come_back(abroad(world, "期满甲", 13), world.agency_a1)
    assert c.return_kind == "completed" and c.return_cause == ""
    assert not Complaint.objects.filter(candidacy=c).exists() and c.return_complaint is None


def test_a_refused_complaint_leaves_no_return_either(world, monkeypatch):
    """Nothing half-written: the return and its complaint commit or roll back together."""
    from apps.complaints import services as complaints
    c = abroad(world, "回滚甲", 14)

    def broken(**kwargs):
        raise ValidationError({"received_on": "测试：登记失败"})
    monkeypatch.setattr(complaints, "complaint_file", broken)
    with pytest.raises(ValidationError):
        unpaid(c, world.agency_a1)
    c.refresh_from_db()
    assert c.status == CandidacyStatus.ABROAD and c.returned_on is None
    assert not c.events.filter(stage="return").exists()


@pytest.mark.parametrize("details, field", [
    ({"return_kind": ""}, "return_kind"),
    ({"return_kind": "early", "return_cause": ""}, "return_cause"),
    ({"return_kind": "early", "return_cause": "bored"}, "return_cause"),
    ({"return_kind": "completed", "return_cause": "dismissal"}, "return_cause"),
    ({"return_kind": "early", "return_cause": "other", "return_reason": ""}, "return_reason"),
    ({"return_reported_by": ""}, "return_reported_by"),
    ({"return_verified_by": ""}, "return_verified_by"),
    ({"owed_wages": "-1"}, "owed_wages"),
    ({"owed_wages": "1" + "0" * 12}, "owed_wages"),
    ({"owed_deposit": "abc"}, "owed_deposit"),
    ({"return_reason": "长" * 201}, "return_reason"),
])
def test_each_part_of_a_return_is_checked_and_named(world, details, field):
    c = abroad(world, "校验甲", 15)
    with pytest.raises(ValidationError) as error:
        come_back(c, world.agency_a1, **details)
    assert field in error.value.message_dict
    c.refresh_from_db()
    assert c.status == CandidacyStatus.ABROAD and not Complaint.objects.exists()


def test_a_return_is_not_dated_in_the_future_nor_before_the_departure(world):
    c = abroad(world, "日期甲", 16, departed_on=date(2026, 3, 1))
    with pytest.raises(ValidationError, match="不能晚于今天"):
        come_back(c, world.agency_a1, TODAY() + timedelta(days=1))
    with pytest.raises(ValidationError, match="不能早于上一环节日期"):
        come_back(c, world.agency_a1, date(2026, 2, 28))


def test_only_the_candidacys_agency_records_a_return(world):
    from django.core.exceptions import PermissionDenied
    c = abroad(world, "越权甲", 17)
    for user in (world.unit_u1, world.city_ty, world.agency_a2):
        with pytest.raises(PermissionDenied):
            come_back(c, user)
    c.refresh_from_db()
    assert c.status == CandidacyStatus.ABROAD


def test_a_second_return_is_refused(world):
    c = abroad(world, "重复甲", 18)
    unpaid(c, world.agency_a1)
    with pytest.raises(ValidationError, match="已归国"):
        unpaid(c, world.agency_a1)
    assert Complaint.objects.filter(candidacy=c).count() == 1


def _post(client, c, follow=False, **fields):
    data = {"result": "returned", "happened_on": TODAY().isoformat(), **RETURN, **fields}
    return client.post(reverse("pipeline:candidacy_record", args=[c.pk]), data, follow=follow)


def test_the_person_page_records_an_early_return_and_says_the_complaint(world, client):
    c = abroad(world, "页面甲", 19)
    client.force_login(world.agency_a1)
    form = client.get(reverse("pipeline:candidacy_record", args=[c.pk])).content.decode()
    for label in ("归国类型", "提前回国原因", "雇主欠薪或违反合同", "尚欠工资（元）", "报告人", "核实方式"):
        assert label in form
    response = _post(client, c, return_kind="early", return_cause="employer_breach",
                     owed_wages="12000", return_reported_by="worker",
                     return_verified_by="in_person", follow=True)
    complaint = Complaint.objects.get(candidacy=c)
    assert complaint.number in response.content.decode()
    page = client.get(reverse("registry:person_detail", args=[c.person_id])).content.decode()
    assert "提前回国（雇主欠薪或违反合同）" in page and "尚欠工资 12000.00 元" in page


def test_the_person_page_names_the_missing_field_and_refuses_a_future_date(world, client):
    c = abroad(world, "页面乙", 20)
    client.force_login(world.agency_a1)
    page = _post(client, c, return_kind="early", return_cause="").content.decode()
    assert "提前回国请从列表中选择原因" in page
    page = _post(client, c, happened_on=(TODAY() + timedelta(days=2)).isoformat()).content.decode()
    assert "不能晚于今天" in page
    page = _post(client, c, return_kind="early", return_cause="employer_breach",
                 owed_wages="-5").content.decode()
    assert "尚欠工资" in page
    c.refresh_from_db()
    assert c.status == CandidacyStatus.ABROAD and not Complaint.objects.exists()


@pytest.mark.parametrize("text, kind, cause", [
    ("合同期满", "completed", ""),
    ("期满回国", "completed", ""),
    ("雇主拖欠工资", "early", "employer_breach"),
    ("欠薪被解雇", "early", "employer_breach"),
    ("被公司辞退", "early", "dismissal"),
    ("工厂倒闭", "early", "retrenchment"),
    ("工伤住院", "early", "illness"),
    ("擅自离开，失联", "early", "worker_breach"),
    ("在留资格未续签", "early", "visa"),
    ("被遣返", "early", "detention"),
    ("地震撤离", "early", "evacuation"),
    ("家中有事", "early", "own_wish"),
    ("说不清", "early", "other"),
    ("", "early", "other"),
])
def test_free_text_reasons_are_read_into_the_list(text, kind, cause):
    assert from_text(text) == (kind, cause)


def test_an_upload_reason_that_names_no_cause_after_the_contract_end_is_completed():
    end = date(2026, 3, 1)
    assert roster_details("回国", date(2026, 3, 5), end)["return_kind"] == "completed"
    early = roster_details("回国", date(2025, 3, 5), end)
    assert (early["return_kind"], early["return_cause"]) == ("early", "other")
    assert early["return_verified_by"] == "unverified"


def test_the_migration_maps_old_reasons_and_keeps_the_text(world):
    """The data migration's reading, on rows as they were before issue 19."""
    import importlib
    from django.apps import apps as django_apps
    migration = importlib.import_module("apps.pipeline.migrations.0008_return_reasons_mapped")
    old = [abroad(world, n, s) for n, s in (("旧甲", 21), ("旧乙", 22), ("旧丙", 23))]
    for c, reason in zip(old, ("合同期满", "老板不发工资", "想回来")):
        Candidacy.objects.filter(pk=c.pk).update(status="returned", returned_on=date(2026, 5, 1),
                                                 return_reason=reason)
    migration.map_reasons(django_apps, None)
    got = {c.return_reason: (c.return_kind, c.return_cause, c.return_verified_by)
           for c in Candidacy.objects.filter(pk__in=[c.pk for c in old])}
    assert got == {"合同期满": ("completed", "", "unverified"),
                   "老板不发工资": ("early", "employer_breach", "unverified"),
                   "想回来": ("early", "other", "unverified")}


def test_the_roster_upload_cannot_record_a_return(world, client):
    """附件6 is uploaded by units and cities; a return is the agency's to record (with its
    kind, cause, money owed, reporter and check): a 归国 cell in a unit's upload is refused,
    in the preview, and nothing is written."""
    import io

    from openpyxl import load_workbook

    from tests.rosters.test_roster_roundtrip import errors, exported, receive
    c = abroad(world, "上传甲", 24, departed_on=date(2025, 1, 6))
    wb = load_workbook(io.BytesIO(exported(client, world.unit_u1, world)))
    ws = wb.active
    header = next(r for r in ws.iter_rows() if any(cell.value == "归国原因" for cell in r))
    column = {cell.value: cell.column_letter for cell in header if cell.value}
    row = next(r[0].row for r in ws.iter_rows() if any(cell.value == c.person.name for cell in r))
    ws[f"{column['归国原因']}{row}"] = "工厂倒闭"
    ws[f"{column['归国时间']}{row}"] = "2026-06-01"
    buffer = io.BytesIO()
    wb.save(buffer)
    upload = receive(world.unit_u1, buffer.getvalue())
    assert any("归国" in e and "您的角色不能录入该环节" in e for e in errors(upload)), upload.preview
    c.refresh_from_db()
    assert c.status == CandidacyStatus.ABROAD and c.returned_on is None
