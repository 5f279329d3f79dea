"""人员转移: the province moves a person between units; scoping follows the person."""
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from apps.audit.models import AuditAction, AuditEvent
from apps.pipeline.models import CandidacyStatus
from apps.registry.models import Person, PersonTransfer
from apps.registry.services import person_transfer
from django.urls import reverse


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


# --- what copies the person's unit and city follows the person -------------------------------
# Rows scoped by a copy of the person's unit and city (returnee profiles, referrals, the 待办
# of an agency and of the person) were left behind: the old unit and city kept listing the
# person and moving their referral; the new ones had nothing.

def _returnee_with_referral(w):
    from django.utils import timezone

    from apps.returnees.services import profile_save, referral_create
    from tests.returnees.conftest import profile_fields, returned
    c = returned(w, "李归国", 41)
    profile = profile_save(c.person, actor=w.unit_u1, **profile_fields())
    referral = referral_create(profile, actor=w.unit_u1, service="employment",
                               provider="太原市人才市场",
                               referred_on=timezone.localdate())
    return c.person, referral


@pytest.mark.parametrize("old", ["unit_u1", "city_ty"])
def test_a_returnee_profile_and_its_referrals_follow_the_person(world, client, old):
    from apps.returnees.models import Referral
    person, referral = _returnee_with_referral(world)
    person_transfer(person, to_unit=world.u3, reason="户籍迁至大同", actor=world.province)

    client.force_login(getattr(world, old))
    assert "李归国" not in client.get("/returnees/").content.decode()
    move = f"/returnees/referrals/{referral.pk}/"
    assert client.get(move).status_code == 404
    prefix = f"r{referral.pk}"
    response = client.post(move, {f"{prefix}-status": "completed", f"{prefix}-on":
                                  str(referral.referred_on), f"{prefix}-outcome": "已就业",
                                  f"{prefix}-expected": "referred"})
    assert response.status_code == 404
    assert Referral.objects.get(pk=referral.pk).status == "referred"

    for new in (world.unit_u3, world.city_dt):
        client.force_login(new)
        assert "李归国" in client.get("/returnees/").content.decode()
        page = client.get(f"/returnees/{person.pk}/").content.decode()
        assert "太原市人才市场" in page
        assert client.get(move).status_code == 200


def test_the_persons_open_duties_follow_them_whoever_owes_them(world, client):
    """An agency's return items and the city's 脱贫 re-verification name the person: after a
    transfer to 大同 they are 大同's to see (and e-mailed there), not 太原's."""
    from django.core import mail

    from apps.deadlines.models import DeadlineItem
    from apps.deadlines.services import notices_email
    from apps.registry.services import person_poverty_verify
    from tests.returnees.conftest import abroad
    c = abroad(world, "王在外", 42, departed_on=date(2022, 1, 10))  # contract over: return owed
    person_poverty_verify(c.person, actor=world.city_ty, status="脱贫劳动力", source="national",
                          verified_on=date(2026, 1, 5))
    from django.contrib.contenttypes.models import ContentType
    from django.db.models import Q
    items = DeadlineItem.objects.filter(
        Q(subject_type=ContentType.objects.get_for_model(c), subject_id=c.pk)
        | Q(subject_type=ContentType.objects.get_for_model(c.person), subject_id=c.person.pk))
    owners = sorted(items.values_list("owner_role", flat=True))
    assert "agency" in owners and "city" in owners
    world.city_ty.email, world.city_dt.email = "ty@example.cn", "dt@example.cn"
    world.city_ty.save(), world.city_dt.save()

    person_transfer(c.person, to_unit=world.u3, reason="户籍迁至大同", actor=world.province)

    assert set(items.values_list("city", flat=True)) == {world.dt.pk}
    assert sorted(items.values_list("owner_role", flat=True)) == owners  # the agency still owes
    client.force_login(world.city_ty)
    assert "王在外" not in client.get(reverse("deadlines:my_items")).content.decode()
    client.force_login(world.city_dt)
    assert "王在外" in client.get(reverse("deadlines:my_items")).content.decode()
    # The reminder that names the person goes to the city that now has them.
    from apps.deadlines.models import Notice
    Notice.objects.create(kind="due_soon", item=items.get(owner_role="city"))
    notices_email()
    sent = [m for m in mail.outbox if "王在外" in m.body]
    assert sent and all(m.to == ["dt@example.cn"] for m in sent)
