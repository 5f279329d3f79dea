"""Phone and passport numbers entered on the way out and back (归国, 输出) go through the
registry's own normalisers on every path: full-width digits, spaces and dashes folded, the
rest refused by field, never stripped into another number."""
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from apps.pipeline.models import Candidacy
from apps.pipeline.services import candidacy_open
from apps.registry.idnumber import make_id
from apps.registry.models import Person
from apps.registry.services import passport_hash
from tests.api.clients import call, make_client
from tests.conftest import register
from tests.pipeline_walk import walk
from tests.returnees.conftest import RETURN, abroad, come_back


@pytest.mark.parametrize("typed, kept", [
    ("０３５１－４０４８２９８", "03514048298"),
    ("138 0000 1234", "13800001234"),
    ("+86 138-0000-1234", "13800001234"),
])
def test_a_return_phone_is_kept_as_the_registry_keeps_a_phone(world, typed, kept):
    c = come_back(abroad(world, "归国甲", 71), world.agency_a1, return_phone=typed)
    assert Candidacy.objects.get(pk=c.pk).return_phone == kept


@pytest.mark.parametrize("typed", ["138abc00001234", "3514048298", "1380000", "0351-404\x00"])
def test_a_bad_return_phone_is_refused_by_field_and_nothing_recorded(world, typed):
    c = abroad(world, "归国乙", 72)
    with pytest.raises(ValidationError) as refused:
        come_back(c, world.agency_a1, return_phone=typed)
    assert "return_phone" in refused.value.message_dict, refused.value
    assert Candidacy.objects.get(pk=c.pk).returned_on is None


def test_the_api_return_refuses_a_mangled_phone_by_field(world, client):
    c = abroad(world, "归国丙", 73)
    agency = make_client(world, "agency", world.a1)
    url = f"/api/v1/candidacies/{c.pk}/stages/"
    body = {"stage": "return", "result": "returned", **RETURN,
            "happened_on": (timezone.localdate() - timedelta(days=1)).isoformat()}
    response = call(client, "post", url, agency.key, dict(body, return_phone="138-abc-0000"))
    assert response.status_code == 400
    assert response.json()["errors"]["return_phone"][0].startswith("归国后联系电话：")
    response = call(client, "post", url, agency.key, dict(body, return_phone="１３８ ０００ ０１２３４"))
    assert response.status_code == 201, response.content
    assert Candidacy.objects.get(pk=c.pk).return_phone == "13800001234"


def _to_departure(world, name, seq, **departure):
    person = register(world.unit_u1, name=name, sex="男", phone=f"1370003{seq:04d}",
                      id_number=make_id(region="140105", birth=date(1996, 3, 3),
                                        seq=f"{2 * seq + 501:03d}"))
    c = candidacy_open(person=person, project=world.project_a1, actor=world.unit_u1,
                       on=date(2025, 1, 2))
    return walk(c, unit_user=world.unit_u1, agency_user=world.agency_a1, start=date(2025, 1, 2),
                **departure)


def test_a_passport_typed_full_width_with_spaces_is_the_registrys_number(world):
    c = _to_departure(world, "护照甲", 81, passport_no="ｅ１２ ３４５-６７８")
    person = Person.objects.get(pk=c.person_id)
    assert person.passport_no == "E12345678"
    assert person.passport_hash == passport_hash("E12345678")


@pytest.mark.parametrize("typed", ["护照E1234", "E12\x0045678", "E1", "ABCDEFGH"])
def test_a_passport_that_is_not_one_is_refused_by_field(world, typed):
    with pytest.raises(ValidationError) as refused:
        _to_departure(world, "护照乙", 82, passport_no=typed)
    assert "passport_no" in refused.value.message_dict
    assert Person.objects.get(name="护照乙").passport_no == ""
