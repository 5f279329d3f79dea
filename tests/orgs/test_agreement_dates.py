"""An agreement's 签订日期 is not in the future nor a far-past slip (docs/TIME-RULES.md rule 33):
one check (orgs.services.check_signed_on) on every path that records one: a city's or a
unit's cooperation (service and page) and a project docking (service and page)."""
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from apps.orgs import services
from apps.orgs.models import CityAgencyCooperation, UnitAgencyCooperation
from apps.projects.models import ProjectDocking
from apps.projects.services import project_dock
from tests.conftest import pdf


def _forged():
    tomorrow = timezone.localdate() + timedelta(days=1)
    return [(f"{tomorrow:%Y-%m-%d}", "不能晚于今天"), ("1900-01-01", "不能早于2000年01月01日"),
            ("0001-01-01", "不能早于2000年01月01日")]


def test_a_cooperation_signed_in_the_future_or_in_1900_is_refused(world, client):
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(ValidationError, match="协议签订日期.*不能晚于今天"):
        services.city_cooperation_create(city=world.dt, agency=world.a1, actor=world.province,
                                         signed_on=tomorrow)
    assert not CityAgencyCooperation.objects.filter(city=world.dt, agency=world.a1).exists()
    client.force_login(world.unit_u2)
    for forged, said in _forged():
        body = client.post(reverse("orgs:unit_cooperation_create"), {
            "agency": world.a1.pk, "signed_on": forged, "agreement": pdf("协议.pdf")}
        ).content.decode()
        assert said in body, forged
    assert not UnitAgencyCooperation.objects.filter(unit=world.u2).exists()
    client.post(reverse("orgs:unit_cooperation_create"), {
        "agency": world.a1.pk, "signed_on": f"{timezone.localdate():%Y-%m-%d}"})
    assert UnitAgencyCooperation.objects.get(unit=world.u2).signed_on == timezone.localdate()


def test_a_docking_signed_in_the_future_or_in_1900_is_refused(world, client):
    with pytest.raises(ValidationError, match="不能晚于今天"):
        project_dock(world.project_a1, city=world.ty, unit=world.u2, actor=world.unit_u2,
                     signed_on=timezone.localdate() + timedelta(days=1))
    client.force_login(world.unit_u2)
    url = reverse("projects:project_dock", args=[world.project_a1.pk])
    for forged, said in _forged():
        body = client.post(url, {"planned": 5, "signed_on": forged}).content.decode()
        assert said in body, forged
    assert not ProjectDocking.objects.filter(unit=world.u2).exists()
