"""Seed 002 第八条: an organisation whose qualification the province withdrew (two failed years,
a veto) 2年内不得重新申报. The bar is recorded with the decision, holds on every path that
would restore it (service, page, a new filing or record under the same name or credit code)
and lifts the day after its end."""
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from apps.evaluations import services as evaluations
from apps.evaluations.models import ConsequenceKind, Kind, Scorecard
from apps.orgs import services as orgs
from apps.orgs.models import (
    AgencyStatus, FilingKind, FilingRequest, FilingStatus, QualificationBar, years_later,
)
from tests.evaluations.conftest import YEAR, enter_all, publish, year_card

pytestmark = pytest.mark.django_db


def on(monkeypatch, day):
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: day)


@pytest.fixture
def barred_agency(world):
    """A2 failed 2024 and 2025 (nothing entered); the province approves the withdrawal."""
    year_card(world, 2024, org=world.a2, points=Decimal(0))
    card = year_card(world, 2025, org=world.a2, points=Decimal(0))
    twice = card.consequences.get(kind=ConsequenceKind.FAIL_TWICE)
    return evaluations.consequence_decide(twice, actor=world.province, approve=True)


@pytest.fixture
def barred_unit(world, year):
    """山西大学's 2025 card is vetoed (a falsified spot check); the province approves it."""
    w = world
    scheme = evaluations.scheme_create(actor=w.province, year=YEAR, kind=Kind.UNIT)
    evaluations.scheme_lock(scheme, actor=w.province)
    evaluations.scorecards_compute(scheme, actor=w.province)
    card = Scorecard.objects.get(scheme=scheme, unit=w.u1)
    enter_all(card, w.province)
    card = publish(card, w, w.unit_u1)
    veto = card.consequences.get(kind=ConsequenceKind.VETO)
    return evaluations.consequence_decide(veto, actor=w.province, approve=True)


def test_the_withdrawal_records_a_two_year_bar(world, barred_agency):
    bar = barred_agency.bar
    today = timezone.localdate()
    assert (bar.agency, bar.starts_on, bar.ends_on) == (world.a2, today, years_later(today, 2))
    assert "2025年度评估" in bar.reason and "连续两个年度不合格" in bar.reason
    world.a2.refresh_from_db()
    assert world.a2.status == AgencyStatus.SUSPENDED
    assert years_later(date(2024, 2, 29), 2) == date(2026, 2, 28)


def test_a_barred_agency_is_not_restored_on_any_path(world, barred_agency, client):
    end = f"{barred_agency.bar.ends_on:%Y年%m月%d日}前不得恢复或重新申报"
    a2 = world.a2
    for status in (AgencyStatus.RECOMMENDED, AgencyStatus.FILED):
        with pytest.raises(ValidationError, match=end):
            orgs.agency_set_status(a2, status=status, actor=world.province)
        with pytest.raises(ValidationError, match=end):
            orgs.agency_update(a2, actor=world.province, status=status)
    # A new filing by a city, or a new record by the province, of the same company.
    with pytest.raises(ValidationError, match=end) as refused:
        orgs.filing_submit_agency(city=world.dt, actor=world.city_dt, reason="重新合作",
                                  name="大同某劳务合作公司", credit_code=a2.credit_code,
                                  licence_no="L-1", licence_valid_until=date(2028, 1, 1))
    assert "credit_code" in refused.value.error_dict
    with pytest.raises(ValidationError, match=end):
        orgs.agency_create(actor=world.province, name=a2.name)
    # The page says why and changes nothing.
    client.force_login(world.province)
    response = client.post(reverse("orgs:agency_status", args=[a2.pk]),
                           {"status": AgencyStatus.RECOMMENDED}, follow=True)
    assert end in response.content.decode()
    a2.refresh_from_db()
    assert a2.status == AgencyStatus.SUSPENDED
    # A sterner measure is not what the bar is about (other edits: the unit's test below).
    orgs.agency_set_status(a2, status=AgencyStatus.BLACKLISTED, actor=world.province)
    # Shown on the agency's page and its scorecard.
    shown = f"{barred_agency.bar.ends_on:%Y-%m-%d}前不得恢复或重新申报"
    assert shown in client.get(reverse("orgs:agency_detail", args=[a2.pk])).content.decode()
    assert shown in client.get(barred_agency.scorecard.get_absolute_url()).content.decode()


def test_a_barred_unit_is_not_filed_again_on_any_path(world, barred_unit, client):
    u1 = world.u1
    u1.refresh_from_db()
    assert u1.filing_status == FilingStatus.REFUSED
    end = f"{barred_unit.bar.ends_on:%Y年%m月%d日}前不得恢复或重新申报"
    with pytest.raises(ValidationError, match=end) as refused:
        orgs.unit_update(u1, actor=world.province, filing_status=FilingStatus.APPROVED)
    assert "filing_status" in refused.value.error_dict
    with pytest.raises(ValidationError, match=end):
        orgs.filing_submit_unit(city=world.ty, actor=world.city_ty, reason="重新备案",
                                name=u1.name, category=u1.category)
    with pytest.raises(ValidationError, match=end):
        orgs.unit_create(actor=world.province, name=u1.name, category=u1.category, city=world.ty)
    # A filing of the unit left pending cannot be approved (it may still be refused).
    filing = FilingRequest.objects.create(kind=FilingKind.UNIT, city=world.ty, unit=u1,
                                          reason="补报", submitted_by=world.city_ty)
    client.force_login(world.province)
    response = client.post(reverse("orgs:filing_decide", args=[filing.pk]),
                           {"decision": FilingStatus.APPROVED, "note": ""})
    assert response.status_code == 400 and end in response.content.decode()
    u1.refresh_from_db()
    assert u1.filing_status == FilingStatus.REFUSED
    orgs.filing_decide(filing, approve=False, actor=world.province, note="仍在限制期内")
    orgs.unit_update(u1, actor=world.province, contact_person="王老师")
    page = client.get(reverse("orgs:unit_detail", args=[u1.pk])).content.decode()
    assert f"{barred_unit.bar.ends_on:%Y-%m-%d}前不得恢复或重新申报" in page


def test_the_bar_holds_through_its_last_day_and_lifts_the_day_after(world, barred_agency,
                                                                    barred_unit, monkeypatch):
    ends = barred_agency.bar.ends_on
    on(monkeypatch, ends)
    with pytest.raises(ValidationError, match="不得恢复或重新申报"):
        orgs.agency_set_status(world.a2, status=AgencyStatus.FILED, actor=world.province)
    with pytest.raises(ValidationError, match="不得恢复或重新申报"):
        orgs.unit_update(world.u1, actor=world.province, filing_status=FilingStatus.APPROVED)
    on(monkeypatch, ends + timedelta(days=1))
    assert orgs.agency_set_status(world.a2, status=AgencyStatus.FILED,
                                  actor=world.province).status == AgencyStatus.FILED
    assert orgs.unit_update(world.u1, actor=world.province,
                            filing_status=FilingStatus.APPROVED).filing_status == "approved"
    assert QualificationBar.objects.in_force(ends).count() == 2
    assert not QualificationBar.objects.in_force(ends + timedelta(days=1))
