import pytest
from django.contrib.sessions.models import Session
from django.http import Http404

from apps.accounts.models import Role, User
from apps.accounts.scoping import get_visible_or_404, has_rule, visible
from apps.orgs.models import (
    Agency, City, CityAgencyCooperation, FilingRequest, OrganisingUnit, UnitAgencyCooperation,
)
from apps.quotas.models import Task


def names(qs):
    return set(qs.values_list("name", flat=True))


def test_province_sees_every_unit(world):
    assert visible(OrganisingUnit.objects.all(), world.province).count() == 4


def test_city_sees_only_its_own_units(world):
    assert names(visible(OrganisingUnit.objects.all(), world.city_ty)) == {
        "山西大学", "太原学院", "太原某人力资源公司"}
    assert names(visible(OrganisingUnit.objects.all(), world.city_dt)) == {world.u3.name}


def test_unit_cannot_see_other_units(world):
    assert names(visible(OrganisingUnit.objects.all(), world.unit_u1)) == {"山西大学"}


def test_agency_sees_only_partner_units_and_itself(world):
    assert names(visible(OrganisingUnit.objects.all(), world.agency_a1)) == {"山西大学"}
    assert names(visible(Agency.objects.all(), world.agency_a1)) == {world.a1.name}


def test_agency_sees_the_published_agency_list_and_itself_not_filed_ones(world):
    """附件4 is public (the plan lists it): a2, an agency filed by a city, sees a1 which is
    on the published list; a1 does not see a2, which is not."""
    assert names(visible(Agency.objects.all(), world.agency_a2)) == {world.a1.name, world.a2.name}
    assert names(visible(Agency.objects.all(), world.agency_a1)) == {world.a1.name}


def test_city_sees_published_agencies_and_its_own_partners(world):
    assert names(visible(Agency.objects.all(), world.city_ty)) == {world.a1.name}
    assert names(visible(Agency.objects.all(), world.city_dt)) == {world.a1.name, world.a2.name}


def test_ended_cooperation_takes_the_partner_out_of_scope(world):
    UnitAgencyCooperation.objects.filter(pk=world.coop_u1.pk).update(ended_at="2026-01-01T00:00Z")
    assert not visible(OrganisingUnit.objects.all(), world.agency_a1).exists()


def test_cooperations_and_filings_follow_the_city(world):
    assert list(visible(CityAgencyCooperation.objects.all(), world.city_ty)) == [world.coop_ty]
    assert list(visible(UnitAgencyCooperation.objects.all(), world.city_ty)) == [world.coop_u1]
    assert list(visible(FilingRequest.objects.all(), world.city_ty)) == [world.filing_ty]
    assert not visible(FilingRequest.objects.all(), world.unit_u1).exists()


def test_tasks_of_a_city_include_its_units(world):
    assert set(visible(Task.objects.all(), world.city_ty)) == {world.task_ty, world.task_u1}
    assert set(visible(Task.objects.all(), world.unit_u1)) == {world.task_u1}
    assert not visible(Task.objects.all(), world.agency_a1).exists()


def test_observer_sees_reference_data_but_no_pairings_or_accounts(world):
    assert visible(City.objects.all(), world.observer).count() == 2
    assert not visible(CityAgencyCooperation.objects.all(), world.observer).exists()
    assert not visible(User.objects.all(), world.observer).exists()


def test_unknown_role_sees_nothing(world):
    world.city_ty.role = "mayor"  # not a Role: as if the data were corrupted
    for model in (City, OrganisingUnit, Agency, Task):
        assert not visible(model.objects.all(), world.city_ty).exists()


def test_model_without_rule_is_invisible_even_to_the_province(world):
    assert not has_rule(Session)
    Session.objects.create(session_key="x" * 32, session_data="", expire_date="2099-01-01T00:00Z")
    assert not visible(Session.objects.all(), world.province).exists()


def test_anonymous_and_inactive_users_see_nothing(world):
    from django.contrib.auth.models import AnonymousUser
    assert not visible(City.objects.all(), AnonymousUser()).exists()
    world.province.is_active = False
    assert not visible(City.objects.all(), world.province).exists()


def test_foreign_object_is_404_like_a_missing_one(world):
    with pytest.raises(Http404):
        get_visible_or_404(OrganisingUnit.objects.all(), world.unit_u1, pk=world.u3.pk)
    with pytest.raises(Http404):
        get_visible_or_404(OrganisingUnit.objects.all(), world.unit_u1, pk=999999)


def test_user_organisation_must_match_role(world):
    from django.db import IntegrityError, transaction
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="bad", role=Role.CITY)  # a city user with no city
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="bad2", role=Role.UNIT, unit=world.u1, city=world.ty)
