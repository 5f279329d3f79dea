"""Registration (附件5), encryption at rest, duplicates, search, reveal, history, reserve pool."""
from datetime import date

import pghistory
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.urls import reverse

from apps.audit.models import AuditAction, AuditEvent
from apps.pipeline.models import Result, Stage
from apps.pipeline.services import candidacy_record
from apps.registry.idnumber import make_id, mask_id
from apps.registry.models import Person, PersonHistory
from apps.registry.selectors import person_changes, person_search, reserve_pool
from apps.registry.services import DuplicatePerson, person_update
from tests.conftest import SENTINEL_UNIT, OWN_ID, SENTINEL_ID, register

NEW_ID = make_id(region="140105", birth=date(2000, 8, 8), seq="451")


def test_birth_date_and_sex_come_from_the_id_number(world):
    p = register(world.unit_u1, name="王五", sex="男", id_number=NEW_ID.lower(), phone="138 0000 7777")
    assert (p.birth_date, p.sex, p.unit, p.city) == (date(2000, 8, 8), "男", world.u1, world.ty)
    assert p.phone == "13800007777"


def test_the_database_row_holds_no_plain_id_or_phone(world):
    with connection.cursor() as cur:
        cur.execute("SELECT id_number, phone, id_hash FROM registry_person WHERE id = %s",
                    [world.person_ty.pk])
        id_cell, phone_cell, hash_cell = cur.fetchone()
    assert OWN_ID not in id_cell and id_cell.startswith("v1:")
    assert "13800001234" not in phone_cell and OWN_ID not in hash_cell
    with connection.cursor() as cur:  # history rows are encrypted too
        cur.execute("SELECT id_number FROM registry_personhistory")
        assert all(OWN_ID not in row[0] for row in cur.fetchall())


def test_sex_that_contradicts_the_id_is_named(world):
    with pytest.raises(ValidationError) as error:
        register(world.unit_u1, name="王五", sex="女", id_number=NEW_ID, phone="13800007777")
    assert error.value.message_dict == {"sex": ["性别与身份证号不符：身份证号显示为男"]}


def test_a_duplicate_in_your_scope_names_the_person(world):
    with pytest.raises(DuplicatePerson, match="张三") as error:
        register(world.city_ty, name="张三", sex="男", id_number=OWN_ID, phone="13800001234")
    assert error.value.existing == world.person_ty


def test_a_duplicate_elsewhere_does_not_reveal_whose_it_is(world):
    with pytest.raises(DuplicatePerson) as error:
        register(world.unit_u1, name="某人", sex="男", id_number=SENTINEL_ID, phone="13800003333")
    # The unit is named so the user knows whom to ask; the person is not.
    assert error.value.messages == [
        f"该身份证号已在{SENTINEL_UNIT}登记，如需转入请联系省级办公室办理人员转移。"]
    assert error.value.existing is None


def test_only_units_and_cities_register(world):
    with pytest.raises(PermissionDenied):
        register(world.agency_a1, name="x", sex="男", id_number=NEW_ID, phone="13800007777")


def test_search_by_full_id_or_phone_uses_the_keyed_hash(world):
    assert list(person_search(world.province, q=OWN_ID).people) == [world.person_ty]
    assert person_search(world.province, q=OWN_ID).by == "id"
    assert list(person_search(world.province, q="138-0000-1234").people) == [world.person_ty]
    assert list(person_search(world.unit_u1, q=SENTINEL_ID).people) == []  # out of scope
    assert list(person_search(world.unit_u1, q="张").people) == [world.person_ty]


def test_search_by_id_is_audited_without_the_number(world, client):
    client.force_login(world.city_ty)
    body = client.get(reverse("registry:person_list"), {"q": OWN_ID}).content.decode()
    assert "张三" in body and OWN_ID not in body and mask_id(OWN_ID) in body
    event = AuditEvent.objects.get(action=AuditAction.SEARCH_ID)
    assert event.actor == world.city_ty and OWN_ID not in event.detail


def test_reveal_shows_the_full_number_once_and_logs_it(world, client):
    client.force_login(world.unit_u1)
    url = reverse("registry:person_detail", args=[world.person_ty.pk])
    assert OWN_ID not in client.get(url).content.decode()
    response = client.post(reverse("registry:person_reveal", args=[world.person_ty.pk]),
                           {"field": "id_number"})
    assert OWN_ID in response.content.decode()
    event = AuditEvent.objects.get(action=AuditAction.REVEAL)
    assert (event.actor, event.object_id, event.detail) == (
        world.unit_u1, str(world.person_ty.pk), "查看完整身份证号")
    assert OWN_ID not in client.get(url).content.decode()  # masked again afterwards


def test_audit_rows_cannot_be_changed_or_deleted(world):
    from django.db import InternalError, transaction
    from apps.audit.services import audit_log
    event = audit_log(world.province, AuditAction.REVEAL, world.person_ty, detail="x")
    with pytest.raises(InternalError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(detail="tampered")
    with pytest.raises(InternalError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()


def test_every_change_keeps_who_when_old_and_new(world):
    with pghistory.context(user=world.unit_u1.pk):
        person_update(world.person_ty, actor=world.unit_u1, health="良好", phone="13900001111")
    changes = {c.field: c for c in person_changes(world.province, world.person_ty)}
    assert (changes["健康状况"].old, changes["健康状况"].new) == ("", "良好")
    assert changes["健康状况"].who == "unit_u1"
    # Sensitive values appear masked in the change log.
    assert (changes["联系方式"].old, changes["联系方式"].new) == ("138****1234", "139****1111")


def test_history_is_recorded_for_a_bulk_update(world):
    register(world.unit_u1, name="王五", sex="男", id_number=NEW_ID, phone="13800007777")
    before = PersonHistory.objects.count()
    with pghistory.context(user=world.province.pk):
        updated = Person.objects.filter(unit=world.u1).update(health="待复查")
    assert updated == 2
    rows = PersonHistory.objects.order_by("-pgh_id")[:2]
    assert PersonHistory.objects.count() == before + 2
    assert {r.health for r in rows} == {"待复查"}
    assert all(r.pgh_context.metadata["user"] == world.province.pk for r in rows)


def test_candidacy_changes_appear_on_the_person_page(world, client):
    with pghistory.context(user=world.agency_a1.pk):
        candidacy_record(world.cand_ty, stage=Stage.FIRST_INTERVIEW, result=Result.PASS,
                         on=date(2026, 3, 3), actor=world.agency_a1)
    client.force_login(world.unit_u1)
    body = client.get(reverse("registry:person_detail", args=[world.person_ty.pk])).content.decode()
    assert "报名：日本介护项目" in body and "agency_a1" in body and "初试" in body


def test_reserve_pool_holds_people_without_an_open_candidacy(world):
    reserve = register(world.unit_u1, name="王五", sex="男", id_number=NEW_ID,
                       phone="13800007777", intended_trade="焊工", languages="日语N4",
                       education="大专")
    pool = reserve_pool(world.unit_u1)
    assert list(pool) == [reserve]  # 张三 has an open candidacy
    assert list(reserve_pool(world.unit_u1, trade="焊", language="日语", education="大专")) == [reserve]
    assert not reserve_pool(world.unit_u1, language="英语").exists()


def test_registration_form_flags_an_unknown_region_until_confirmed(world, client):
    client.force_login(world.unit_u1)
    odd = make_id(region="149999", birth=date(1995, 1, 1), seq="111")
    data = {"name": "赵六", "sex": "男", "id_number": odd, "phone": "13800008888",
            "category": "学生", "registered_on": "2026-03-01"}
    body = client.post(reverse("registry:person_register"), data).content.decode()
    assert "地区码149999不在行政区划代码表中" in body
    response = client.post(reverse("registry:person_register"), {**data, "confirm_region": "on"})
    assert response.status_code == 302
    assert Person.objects.filter(name="赵六").exists()


def test_registration_form_says_what_is_wrong_in_chinese(world, client):
    client.force_login(world.unit_u1)
    bad = OWN_ID[:-1] + ("0" if OWN_ID[-1] != "0" else "1")
    body = client.post(reverse("registry:person_register"), {
        "name": "赵六", "sex": "男", "id_number": bad, "phone": "123", "category": "学生",
        "registered_on": "2026-03-01"}).content.decode()
    assert "身份证号校验位不正确" in body and "手机号应为11位" in body


def test_editing_never_puts_the_full_id_into_the_page(world, client):
    client.force_login(world.unit_u1)
    url = reverse("registry:person_edit", args=[world.person_ty.pk])
    body = client.get(url).content.decode()
    assert OWN_ID not in body and mask_id(OWN_ID) in body and "13800001234" not in body
    response = client.post(url, {"name": "张三丰", "sex": "男", "id_number": "", "phone": "",
                                 "category": "社会人员", "registered_on": "2026-03-01"})
    assert response.status_code == 302
    world.person_ty.refresh_from_db()
    assert (world.person_ty.name, world.person_ty.id_number, world.person_ty.phone) == (
        "张三丰", OWN_ID, "13800001234")
