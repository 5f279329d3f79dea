"""Issue 21, item 1: a person's 脱贫 status with its evidence (which status, against which
source, when, by whom), due again each year and shown lapsed when it is not; one service for
the page and for every row of the city's verification list upload."""
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from apps.audit.models import AuditEvent
from apps.registry.models import Person, PovertyVerification, poverty_due_on
from apps.registry.services import person_poverty_verify, person_update
from apps.rosters.models import Upload
from tests.conftest import register
from tests.rosters.files import person_row, xlsx

HEADER = ["序号", "姓名", "身份证号", "核实结果", "核实来源", "核实日期", "备注"]
TODAY = timezone.localdate()


def verify(world, person, on, status="脱贫劳动力", source="national", actor=None):
    return person_poverty_verify(person, actor=actor or world.city_ty, status=status,
                                 source=source, verified_on=on)


def page(client, person):
    return client.get(reverse("registry:person_detail", args=[person.pk])).content.decode()


def test_the_city_verifies_and_the_person_page_shows_who_when_and_against_what(world, client):
    client.force_login(world.city_ty)
    response = client.post(reverse("registry:person_poverty", args=[world.person_ty.pk]), {
        "status": "脱贫劳动力", "source": "national", "verified_on": "2026-03-02",
        "note": "县扶贫办比对"})
    assert response.status_code == 302
    person = Person.objects.get(pk=world.person_ty.pk)
    assert (person.poverty_status, person.poverty_source, person.poverty_verified_on) == (
        "脱贫劳动力", "national", date(2026, 3, 2))
    v = PovertyVerification.objects.get(person=person)
    assert (v.verified_by, v.previous_status, v.upload) == (world.city_ty, "", None)
    body = page(client, person)
    assert "全国扶贫开发信息系统" in body and "县扶贫办比对" in body and "2027-03-02" in body
    assert "已核实" in body
    # The history keeps the old and the new value, and the audit names the verification.
    client.force_login(world.unit_u1)
    changes = client.get(reverse("registry:person_detail", args=[person.pk])).context["changes"]
    assert any(c.field == "脱贫劳动力/监测对象" and c.old == "否" and c.new == "脱贫劳动力"
               for c in changes)
    assert AuditEvent.objects.filter(action="poverty", object_id=str(v.pk),
                                     actor=world.city_ty).exists()


def test_a_verification_in_the_future_or_before_the_last_is_refused_on_page_and_service(
        world, client):
    with pytest.raises(ValidationError) as error:
        verify(world, world.person_ty, TODAY + timedelta(days=1))
    assert "核实日期" in str(error.value) and "不能晚于今天" in str(error.value)
    verify(world, world.person_ty, date(2026, 6, 1))
    with pytest.raises(ValidationError) as error:
        verify(world, world.person_ty, date(2026, 5, 31), status="监测对象")
    assert "早于该人员上次核实的日期（2026-06-01）" in str(error.value)
    client.force_login(world.city_ty)
    url = reverse("registry:person_poverty", args=[world.person_ty.pk])
    for day, words in (((TODAY + timedelta(days=1)).isoformat(), "不能晚于今天"),
                       ("2026-05-01", "早于该人员上次核实的日期")):
        response = client.post(url, {"status": "监测对象", "source": "monitoring",
                                     "verified_on": day})
        assert response.status_code == 400 and words in response.content.decode()
    assert PovertyVerification.objects.filter(person=world.person_ty).count() == 1
    assert Person.objects.get(pk=world.person_ty.pk).poverty_status == "脱贫劳动力"


def test_a_replayed_verification_is_refused(world, client):
    client.force_login(world.city_ty)
    url = reverse("registry:person_poverty", args=[world.person_ty.pk])
    data = {"status": "脱贫劳动力", "source": "national", "verified_on": "2026-03-02"}
    assert client.post(url, data).status_code == 302
    again = client.post(url, data)
    assert again.status_code == 400 and "请勿重复提交" in again.content.decode()
    assert PovertyVerification.objects.filter(person=world.person_ty).count() == 1


def test_only_the_city_and_province_verify_and_a_foreign_person_is_not_found(world, client):
    for user in (world.unit_u1, world.agency_a1):
        with pytest.raises(PermissionDenied):
            verify(world, world.person_ty, date(2026, 3, 2), actor=user)
        client.force_login(user)
        assert client.get(reverse("registry:person_poverty",
                                  args=[world.person_ty.pk])).status_code == 403
    with pytest.raises(PermissionDenied):
        verify(world, world.person_dt, date(2026, 3, 2))  # 大同's sentinel, for 太原's city
    client.force_login(world.city_ty)
    assert client.post(reverse("registry:person_poverty", args=[world.person_dt.pk]), {
        "status": "脱贫劳动力", "source": "national", "verified_on": "2026-03-02"}
    ).status_code == 404
    assert Person.objects.get(pk=world.person_dt.pk).poverty_status == ""
    # A status that is not one, and a note of 10,000 characters, are refused by name.
    with pytest.raises(ValidationError) as error:
        verify(world, world.person_ty, date(2026, 3, 2), status="贫困户")
    assert "核实结果只能为" in str(error.value)
    with pytest.raises(ValidationError) as error:
        person_poverty_verify(world.person_ty, actor=world.city_ty, status="脱贫劳动力",
                              source="national", verified_on=date(2026, 3, 2), note="长" * 10000)
    assert "备注过长" in str(error.value)


def test_a_verification_lapses_after_a_year_and_shows_so(world, client):
    assert poverty_due_on(date(2024, 2, 29)) == date(2025, 2, 28)
    on = TODAY - timedelta(days=366)
    verify(world, world.person_ty, on)
    person = Person.objects.get(pk=world.person_ty.pk)
    assert person.poverty_state(today=poverty_due_on(on)) == "current"  # the due day itself
    assert person.poverty_state(today=poverty_due_on(on) + timedelta(days=1)) == "lapsed"
    client.force_login(world.unit_u1)
    body = page(client, person)
    assert "核实已过期" in body and "复核前不能申请脱贫劳动力专项补助" in body
    listed = client.get(reverse("registry:person_list"), {"verification": "lapsed"})
    assert [p.pk for p in listed.context["page"].object_list] == [person.pk]
    assert "核实已过期" in listed.content.decode()
    assert not client.get(reverse("registry:person_list"), {"verification": "current"}) \
        .context["page"].object_list
    # Verified again: current, no flag to clear anywhere.
    verify(world, person, TODAY)
    assert [p.pk for p in client.get(reverse("registry:person_list"), {
        "verification": "current"}).context["page"].object_list] == [person.pk]


def test_a_declared_status_is_unverified_and_a_verified_one_changes_only_by_verification(
        world, client):
    person = person_update(world.person_ty, actor=world.unit_u1, poverty_status="监测对象")
    assert person.poverty_state() == "unverified"
    client.force_login(world.unit_u1)
    assert "尚待市人社局按全国系统核实" in page(client, person)
    verify(world, person, date(2026, 3, 2))
    person.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        person_update(person, actor=world.city_ty, poverty_status="")
    assert "脱贫状态已于2026-03-02核实为“脱贫劳动力”，不能在此修改" in str(error.value)
    # Nor by a registration roster: the row is refused, naming its column.
    upload = client.post(reverse("rosters:upload_list"), {
        "kind": "registration", "file": SimpleUploadedFile("名册.xlsx", xlsx(
            [[1, "张三", "男", person.id_number, "13800001234", "学生", "大专", "2026-03-01", "监测对象"]],
            header=["序号", "姓名", "性别", "身份证号", "联系方式", "人员类别", "学历", "报名日期",
                    "脱贫劳动力/监测对象"]))})
    assert upload.status_code == 302
    preview = Upload.objects.latest("pk").preview
    errors = " ".join(e for row in preview for e in row["errors"])
    assert "第2行“脱贫劳动力/监测对象”列：表中为“监测对象”，但该人员2026-03-02已核实为“脱贫劳动力”" in errors
    assert Person.objects.get(pk=person.pk).poverty_status == "脱贫劳动力"


def test_the_lists_filter_and_sort_by_priority_with_a_fixed_query_count(
        world, client, django_assert_num_queries):
    poor = [register(world.unit_u1, name=f"脱贫{i}", sex="男", phone=f"1380000{i:04d}",
                     id_number=person_row(600 + i)[3]) for i in range(3)]
    verify(world, poor[0], date(2026, 3, 2))
    person_update(poor[1], actor=world.unit_u1, poverty_status="监测对象")
    client.force_login(world.unit_u1)
    url = reverse("registry:person_list")
    client.get(url, {"poverty_status": "priority"})  # warm the session and the templates
    with django_assert_num_queries(4):  # session, user, its second factor, one page of people
        response = client.get(url, {"poverty_status": "priority"})
    assert {p.pk for p in response.context["page"].object_list} == {poor[0].pk, poor[1].pk}
    # The reserve pool puts the verified priority person first, then the unverified one.
    reserve = client.get(reverse("registry:reserve_pool"), {"order": "priority"})
    assert [p.pk for p in reserve.context["page"].object_list][:2] == [poor[0].pk, poor[1].pk]
    for p in poor[2:] + [world.person_ty]:
        person_update(p, actor=world.unit_u1, poverty_status="脱贫劳动力")
    with django_assert_num_queries(4):  # more priority people: no more queries
        response = client.get(url, {"poverty_status": "priority", "verification": "unverified"})
    assert len(response.context["page"].object_list) == 3


def _upload(client, rows, name="核实名单.xlsx"):
    response = client.post(reverse("rosters:upload_list"), {
        "kind": "poverty", "file": SimpleUploadedFile(name, xlsx(rows, header=HEADER))})
    assert response.status_code == 302, response.content.decode()[:2000]
    return Upload.objects.latest("pk")


def test_the_city_verifies_in_bulk_one_row_one_verification(world, client):
    others = [register(world.unit_u1, name=f"批量{i}", sex="男", phone=f"1370000{i:04d}",
                       id_number=person_row(700 + i)[3]) for i in range(2)]
    client.force_login(world.city_ty)
    upload = _upload(client, [
        [1, "张三", world.person_ty.id_number, "脱贫劳动力", "全国扶贫开发信息系统", "2026-03-02",
         "第一批"],
        [2, others[0].name, others[0].id_number, "监测对象", "全国防返贫监测信息系统", "2026年3月5日", ""],
        [3, others[1].name, others[1].id_number, "否", "乡村入户或电话核实", "2026/3/6", ""]])
    assert (upload.status, upload.error_count, upload.update_count) == ("previewed", 0, 3)
    client.post(reverse("rosters:upload_commit", args=[upload.pk]))
    upload.refresh_from_db()
    assert upload.status == "committed"
    rows = {v.person_id: v for v in PovertyVerification.objects.filter(upload=upload)}
    assert set(rows) == {world.person_ty.pk, others[0].pk, others[1].pk}
    assert rows[others[0].pk].verified_on == date(2026, 3, 5)
    assert rows[others[1].pk].status == "" and rows[others[1].pk].source == "local"
    assert Person.objects.get(pk=others[0].pk).poverty_status == "监测对象"
    assert AuditEvent.objects.filter(action="poverty", upload_id=upload.pk).count() == 3
    # The same file again changes nothing: every row is unchanged.
    again = _upload(client, [[1, "张三", world.person_ty.id_number, "脱贫劳动力",
                              "全国扶贫开发信息系统", "2026-03-02", ""]], name="再次.xlsx")
    assert (again.update_count, again.unchanged_count) == (0, 1)


def test_the_upload_refuses_future_and_earlier_dates_naming_row_and_column(world, client):
    verify(world, world.person_ty, date(2026, 6, 1))
    fresh = [register(world.unit_u1, name=f"李{i}", sex="男", phone=f"1370000111{i}",
                      id_number=person_row(801 + i)[3]) for i in range(4)]
    client.force_login(world.city_ty)
    upload = _upload(client, [  # spreadsheet rows 2 to 8
        [1, "张三", world.person_ty.id_number, "监测对象", "全国防返贫监测信息系统", "2026-05-01", ""],
        [2, "李0", fresh[0].id_number, "脱贫劳动力", "全国扶贫开发信息系统",
         (TODAY + timedelta(days=1)).isoformat(), ""],
        [3, "越权哨兵", world.person_dt.id_number, "脱贫劳动力", "全国扶贫开发信息系统", "2026-03-02", ""],
        [4, "王五", fresh[1].id_number, "贫困户", "村里说的", "2026-03-02", ""],
        [5, "李2", fresh[2].id_number, "脱贫劳动力", "全国扶贫开发信息系统", "2026-03-02", ""],
        [6, "李2", fresh[2].id_number, "脱贫劳动力", "全国扶贫开发信息系统", "2026-03-03", ""],
        [7, "李3", fresh[3].id_number, "", "全国扶贫开发信息系统", "=1+1", ""]])
    errors = " ".join(e for row in upload.preview for e in row["errors"])
    assert upload.error_count == 6  # every row but the first 李2
    assert "第2行“核实日期”列：核实日期（2026-05-01）早于该人员上次核实的日期" in errors
    assert "第3行“核实日期”列：核实日期" in errors and "不能晚于今天" in errors
    assert "第4行：未找到该身份证号的登记人员（或不在您的管辖范围内）" in errors  # the sentinel
    assert "第5行“核实结果”列（D列）：只能填写：脱贫劳动力、监测对象、否" in errors
    assert "第5行“核实来源”列（E列）" in errors and "第5行“姓名”列" in errors
    assert "第7行：与第6行是同一人" in errors
    assert "第8行“核实结果”列（D列）：必填" in errors and "第8行“核实日期”列（F列）" in errors
    client.post(reverse("rosters:upload_commit", args=[upload.pk]))
    assert not PovertyVerification.objects.filter(upload=upload).exists()
    assert Person.objects.get(pk=fresh[2].pk).poverty_status == ""  # its clean row neither
    assert Upload.objects.get(pk=upload.pk).status == "previewed"


def test_a_unit_cannot_upload_the_verification_list(world, client):
    client.force_login(world.unit_u1)
    response = client.post(reverse("rosters:upload_list"), {
        "kind": "poverty", "file": SimpleUploadedFile("核实名单.xlsx", xlsx([
            [1, "张三", world.person_ty.id_number, "脱贫劳动力", "全国扶贫开发信息系统", "2026-03-02",
             ""]], header=HEADER))})
    assert response.status_code == 200
    assert "脱贫劳动力核实名单由市人社局上传" in response.content.decode()
    assert not Upload.objects.filter(kind="poverty").exists()


def test_a_stale_clean_preview_is_refused_at_commit(world, client):
    client.force_login(world.city_ty)
    upload = _upload(client, [[1, "张三", world.person_ty.id_number, "脱贫劳动力",
                               "全国扶贫开发信息系统", "2026-03-02", ""]])
    assert upload.error_count == 0
    verify(world, world.person_ty, date(2026, 6, 1), status="监测对象", actor=world.province)
    response = client.post(reverse("rosters:upload_commit", args=[upload.pk]), follow=True)
    assert "未导入任何数据" in response.content.decode()
    upload.refresh_from_db()
    assert upload.status == "previewed"
    assert not PovertyVerification.objects.filter(upload=upload).exists()
    assert Person.objects.get(pk=world.person_ty.pk).poverty_status == "监测对象"


def test_the_city_owes_the_next_verification_a_year_on_on_its_items(world, client):
    from apps.deadlines.models import DeadlineItem
    first = verify(world, world.person_ty, TODAY - timedelta(days=366))
    item = DeadlineItem.objects.get(rule__code="poverty_reverify", subject_id=world.person_ty.pk)
    assert (item.owner_role, item.city_id, item.event_on) == (
        "city", world.ty.pk, poverty_due_on(first.verified_on))
    client.force_login(world.city_ty)
    mine = client.get(reverse("deadlines:my_items")).content.decode()
    assert "脱贫劳动力状态年度复核" in mine and "张三" in mine
    client.force_login(world.city_dt)
    assert "张三" not in client.get(reverse("deadlines:my_items")).content.decode()
    # Verified again, late: the owed item closes late and the next one is owed a year on.
    verify(world, world.person_ty, TODAY)
    item.refresh_from_db()
    assert item.status == "done_late"
    assert DeadlineItem.objects.get(rule__code="poverty_reverify", subject_id=world.person_ty.pk,
                                    status="open").event_on == poverty_due_on(TODAY)
    # Verified as not poor: nothing more is owed.
    verify(world, world.person_ty, TODAY, status="", source="local")
    assert not DeadlineItem.objects.filter(rule__code="poverty_reverify",
                                           status__in=["open", "due_soon", "overdue"]).exists()
