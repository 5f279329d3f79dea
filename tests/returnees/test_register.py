"""Issue 19 item 4: the returnee register (skills, work abroad, going again, support wanted,
consent) and referrals to services with a status and an outcome — entered by the returnee's
unit or city, scoped, dated, audited, history kept."""
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from apps.audit.models import AuditEvent
from apps.returnees.models import Referral, ReturneeProfile
from apps.returnees.services import (
    profile_save, profile_suggestions, referral_create, referral_move,
)
from tests.conftest import SENTINEL_PERSON
from tests.returnees.conftest import abroad, profile_fields, returned

TODAY = timezone.localdate


def _profile(w, name="服务甲", seq=71, **changes):
    c = returned(w, name, seq)
    return c, profile_save(c.person, actor=w.unit_u1, **profile_fields(**changes))


def test_the_unit_registers_a_returnee_with_the_records_suggested(world):
    c = returned(world, "服务甲", 71)
    suggested = profile_suggestions(c.person)
    assert suggested["occupation_abroad"] == "介护" and suggested["countries"] == "日本"
    assert suggested["years_abroad"] > 2 and "SX-C-0001" in suggested["certificates"]
    p = profile_save(c.person, actor=world.unit_u1, **profile_fields())
    assert (p.city, p.unit, p.go_again, p.support_wanted) == (world.ty, world.u1, "yes",
                                                               ["employment"])
    assert AuditEvent.objects.filter(action="returnee", object_id=str(p.pk)).exists()
    # A change keeps who, when, old and new.
    profile_save(c.person, actor=world.city_ty, **profile_fields(go_again="no"))
    history = list(p.history.order_by("pgh_id").values_list("go_again", "go_again_country"))
    assert history[0] == ("yes", "日本") and history[-1] == ("no", "")


def test_only_someone_back_by_their_own_office(world):
    away = abroad(world, "未归甲", 72)
    with pytest.raises(ValidationError, match="尚无归国记录"):
        profile_save(away.person, actor=world.unit_u1, **profile_fields())
    c = returned(world, "服务乙", 73)
    for user in (world.agency_a1, world.province):
        with pytest.raises(PermissionDenied):
            profile_save(c.person, actor=user, **profile_fields())
    for user in (world.unit_u3, world.city_dt, world.unit_u2):
        with pytest.raises(PermissionDenied):
            profile_save(c.person, actor=user, **profile_fields())
    assert not ReturneeProfile.objects.exists()


@pytest.mark.parametrize("changes, field", [
    ({"consent_on": None}, "consent_on"),
    ({"consent_on": TODAY() + timedelta(days=1)}, "consent_on"),
    ({"consent_on": TODAY() - timedelta(days=90)}, "consent_on"),   # before the return
    ({"years_abroad": 61}, "years_abroad"),
    ({"go_again": "maybe"}, "go_again"),
    ({"support_wanted": ["loans"]}, "support_wanted"),
    ({"skills": "长" * 201}, "skills"),
])
def test_a_profile_refuses_what_cannot_be_true(world, changes, field):
    c = returned(world, "校验乙", 74)
    with pytest.raises(ValidationError) as error:
        profile_save(c.person, actor=world.unit_u1, **profile_fields(**changes))
    assert field in error.value.message_dict


def test_a_referral_needs_consent_and_moves_to_an_outcome(world):
    c, p = _profile(world, consent_contact=False, consent_on=None)
    with pytest.raises(ValidationError, match="未同意"):
        referral_create(p, actor=world.unit_u1, service="employment", provider="区就业中心",
                        referred_on=TODAY())
    p = profile_save(c.person, actor=world.unit_u1, **profile_fields())
    r = referral_create(p, actor=world.unit_u1, service="startup", provider="县返乡创业服务站",
                        referred_on=TODAY())
    with pytest.raises(ValidationError, match="已有未办结"):
        referral_create(p, actor=world.city_ty, service="startup", provider="另一机构",
                        referred_on=TODAY())
    with pytest.raises(ValidationError, match="服务结果"):
        referral_move(r, actor=world.unit_u1, status="completed", on=TODAY())
    r = referral_move(r, actor=world.unit_u1, status="accepted", on=TODAY(), expected="referred")
    with pytest.raises(ValidationError, match="已由他人办理"):
        referral_move(r, actor=world.unit_u1, status="accepted", on=TODAY(), expected="referred")
    r = referral_move(r, actor=world.unit_u1, status="completed", on=TODAY(),
                      outcome="获创业担保贷款10万元", expected="accepted")
    assert (r.status, r.outcome) == ("completed", "获创业担保贷款10万元")
    with pytest.raises(ValidationError, match="不能改为"):
        referral_move(r, actor=world.unit_u1, status="accepted", on=TODAY())
    assert [h.status for h in r.history.order_by("pgh_id")] == ["referred", "accepted", "completed"]


def test_referral_dates_follow_the_return_and_each_other(world):
    _, p = _profile(world, name="日期乙", seq=75)
    for day in (TODAY() + timedelta(days=1), TODAY() - timedelta(days=60)):
        with pytest.raises(ValidationError):
            referral_create(p, actor=world.unit_u1, service="training", provider="技工学校",
                            referred_on=day)
    r = referral_create(p, actor=world.unit_u1, service="training", provider="技工学校",
                        referred_on=TODAY())
    with pytest.raises(ValidationError, match="不能早于上一状态日期"):
        referral_move(r, actor=world.unit_u1, status="accepted", on=TODAY() - timedelta(days=1))
    with pytest.raises(ValidationError, match="不能晚于今天"):
        referral_move(r, actor=world.unit_u1, status="accepted", on=TODAY() + timedelta(days=1))


def test_other_offices_cannot_refer_or_move(world):
    _, p = _profile(world, name="越权乙", seq=76)
    r = referral_create(p, actor=world.unit_u1, service="legal_aid", provider="法律援助中心",
                        referred_on=TODAY())
    for user in (world.unit_u3, world.city_dt, world.agency_a1):
        with pytest.raises(PermissionDenied):
            referral_create(p, actor=user, service="training", provider="x", referred_on=TODAY())
        with pytest.raises(PermissionDenied):
            referral_move(r, actor=user, status="accepted", on=TODAY())
    r.refresh_from_db()
    assert r.status == "referred" and Referral.objects.count() == 1


def test_the_pages_add_a_profile_and_a_referral(world, client):
    c = returned(world, "页面丙", 77)
    client.force_login(world.unit_u1)
    person_page = client.get(reverse("registry:person_detail", args=[c.person_id])).content.decode()
    assert reverse("returnees:profile", args=[c.person_id]) in person_page
    form = client.get(reverse("returnees:profile_edit", args=[c.person_id])).content.decode()
    assert 'value="介护"' in form  # suggested from the records
    data = {"occupation_abroad": "介护", "countries": "日本", "years_abroad": "2.7",
            "go_again": "yes", "go_again_country": "德国", "support_wanted": ["training", "skill_test"],
            "consent_contact": "on", "consent_on": TODAY().isoformat()}
    response = client.post(reverse("returnees:profile_edit", args=[c.person_id]), data)
    assert response.status_code == 302
    response = client.post(reverse("returnees:referral_create", args=[c.person_id]), {
        "service": "skill_test", "provider": "市职业技能鉴定中心", "referred_on": TODAY().isoformat()})
    assert response.status_code == 302
    page = client.get(reverse("returnees:profile", args=[c.person_id])).content.decode()
    assert "技能评价（鉴定）" in page and "市职业技能鉴定中心" in page and "已转介" in page
    r = Referral.objects.get()
    prefix = f"r{r.pk}"
    replay = {f"{prefix}-expected": "referred", f"{prefix}-status": "accepted",
              f"{prefix}-on": TODAY().isoformat()}
    assert client.post(reverse("returnees:referral_move", args=[r.pk]), replay).status_code == 302
    # The same submission again (a double click): refused, nothing changes.
    again = client.post(reverse("returnees:referral_move", args=[r.pk]), replay)
    assert again.status_code == 400 and "已由他人办理" in again.content.decode()
    # Future consent through the page: the field is named.
    late = client.post(reverse("returnees:profile_edit", args=[c.person_id]), {
        **data, "consent_on": (TODAY() + timedelta(days=3)).isoformat()})
    assert late.status_code == 200 and "不能晚于今天" in late.content.decode()


def test_the_register_is_scoped_and_its_queries_do_not_grow(
        world, client, django_assert_max_num_queries):
    for n in range(3):
        _profile(world, name=f"名单{n}", seq=80 + n)
    foreign = returned(world, "名单外", 90, side="foreign")
    profile_save(foreign.person, actor=world.unit_u3, **profile_fields())
    client.force_login(world.city_ty)
    url = reverse("returnees:profile_list")
    with django_assert_max_num_queries(20) as few:
        page = client.get(url).content.decode()
    assert "名单0" in page and "名单外" not in page and SENTINEL_PERSON not in page
    for n in range(3, 8):
        _profile(world, name=f"名单{n}", seq=80 + n)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)
    assert "名单0" in client.get(url, {"support": "employment", "go_again": "yes"}).content.decode()
    assert "名单0" not in client.get(url, {"go_again": "no"}).content.decode()
    # The agency the returnee came back from reads the profile; another agency does not.
    client.force_login(world.agency_a1)
    assert "名单0" in client.get(url).content.decode()
    client.force_login(world.agency_a2)
    assert "名单0" not in client.get(url).content.decode()
