"""人员转移: the province moves a person between units; scoping follows the person."""
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from apps.audit.models import AuditAction, AuditEvent
from apps.pipeline.models import CandidacyStatus
from apps.registry.models import Person, PersonTransfer
from apps.registry.services import person_transfer


def _url(person):
    return f"/registry/persons/{person.pk}/transfer/"


def test_province_transfers_and_the_scope_follows_the_person(world, client):
    person = world.person_ty
    client.force_login(world.unit_u1)
    assert client.get(f"/registry/persons/{person.pk}/").status_code == 200

    client.force_login(world.province)
    page = client.get(f"/registry/persons/{person.pk}/").content.decode()
    assert _url(person) in page and "转移到其他单位" in page
    form = client.get(_url(person)).content.decode()
    # What happens to the open candidacy is said before the province confirms.
    assert "正在办理的报名将随人员转入新单位" in form and world.project_a1.name in form
    response = client.post(_url(person), {"to_unit": world.u3.pk, "reason": "本人户籍迁至大同"})
    assert response.status_code == 302

    person.refresh_from_db()
    assert (person.unit, person.city) == (world.u3, world.dt)
    # The old unit (and its city) no longer see the person; the new unit does.
    client.force_login(world.unit_u1)
    assert client.get(f"/registry/persons/{person.pk}/").status_code == 404
    assert "张三" not in client.get("/registry/persons/").content.decode()
    client.force_login(world.city_ty)
    assert client.get(f"/registry/persons/{person.pk}/").status_code == 404
    client.force_login(world.unit_u3)
    page = client.get(f"/registry/persons/{person.pk}/").content.decode()
    assert "人员转移记录" in page and "本人户籍迁至大同" in page and "山西大学" in page
    # The new unit does not get the transfer tool.
    assert "转移到其他单位" not in page
    assert client.get(_url(person)).status_code == 403


def test_the_open_candidacy_moves_with_the_person(world):
    cand = world.cand_ty
    assert cand.status == CandidacyStatus.ACTIVE
    transfer = person_transfer(world.person_ty, to_unit=world.u2, reason="改由太原学院推荐",
                               actor=world.province)
    cand.refresh_from_db()
    assert (cand.unit, cand.city) == (world.u2, world.ty)
    assert transfer.moved_candidacies == 1


def test_a_closed_candidacy_stays_with_the_unit_that_did_the_work(world):
    from apps.pipeline.services import candidacy_withdraw
    candidacy_withdraw(world.cand_ty, actor=world.unit_u1, on=date(2026, 3, 3), reason="个人原因")
    transfer = person_transfer(world.person_ty, to_unit=world.u2, reason="改由太原学院推荐",
                               actor=world.province)
    world.cand_ty.refresh_from_db()
    assert world.cand_ty.unit == world.u1
    assert transfer.moved_candidacies == 0


def test_transfer_is_audited_and_kept_in_the_history(world, client):
    client.force_login(world.province)
    client.post(_url(world.person_ty), {"to_unit": world.u2.pk, "reason": "本人申请"},
                REMOTE_ADDR="10.1.2.3")
    event = AuditEvent.objects.get(action=AuditAction.TRANSFER)
    assert event.actor == world.province and event.ip == "10.1.2.3"
    assert event.object_id == str(world.person_ty.pk)
    assert "山西大学" in event.detail and "太原学院" in event.detail and "本人申请" in event.detail
    t = PersonTransfer.objects.get()
    assert (t.from_unit, t.to_unit, t.transferred_by) == (world.u1, world.u2, world.province)


def test_a_transfer_to_the_same_unit_is_refused(world, client):
    with pytest.raises(ValidationError) as error:
        person_transfer(world.person_ty, to_unit=world.u1, reason="x", actor=world.province)
    assert error.value.message_dict == {"to_unit": ["张三已在山西大学，无需转移。"]}
    # Through the page too: the current unit is not offered, and a forged POST changes nothing.
    client.force_login(world.province)
    form = client.get(_url(world.person_ty)).content.decode()
    assert f'value="{world.u1.pk}"' not in form
    response = client.post(_url(world.person_ty), {"to_unit": world.u1.pk, "reason": "x"})
    assert response.status_code == 200 and "转入单位" in response.content.decode()
    assert PersonTransfer.objects.count() == 0
    world.person_ty.refresh_from_db()
    assert world.person_ty.unit == world.u1


def test_a_reason_is_required(world, client):
    client.force_login(world.province)
    response = client.post(_url(world.person_ty), {"to_unit": world.u2.pk, "reason": "  "})
    assert "请填写转移原因。" in response.content.decode()
    assert PersonTransfer.objects.count() == 0


@pytest.mark.parametrize("who", ["unit_u1", "unit_u3", "city_ty", "agency_a1"])
def test_no_one_but_the_province_can_transfer(world, client, who):
    user = getattr(world, who)
    client.force_login(user)
    response = client.post(_url(world.person_ty), {"to_unit": world.u3.pk, "reason": "偷偷转走"})
    assert response.status_code in (403, 404)
    with pytest.raises(PermissionDenied):
        person_transfer(world.person_ty, to_unit=world.u3, reason="x", actor=user)
    world.person_ty.refresh_from_db()
    assert world.person_ty.unit == world.u1 and PersonTransfer.objects.count() == 0


def test_the_duplicate_message_points_to_the_transfer(world, client):
    client.force_login(world.unit_u1)
    from tests.conftest import SENTINEL_ID, SENTINEL_UNIT
    response = client.post("/registry/persons/new/", {
        "name": "某人", "sex": "男", "id_number": SENTINEL_ID, "category": "社会人员",
        "registered_on": "2026-03-01", "phone": "13800003333", "confirm_region": "on"})
    html = response.content.decode()
    assert f"该身份证号已在{SENTINEL_UNIT}登记，如需转入请联系省级办公室办理人员转移。" in html
    assert Person.objects.filter(name="某人").count() == 0
