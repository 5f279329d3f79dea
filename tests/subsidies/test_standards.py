"""Subsidy standards per year (issue 16): a new year's standards are a draft, copied or
entered, that the province publishes; only published standards count for claims."""
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from apps.subsidies import services
from apps.subsidies.selectors import standard_years
from tests.concurrency import at_once


def test_a_new_years_standards_are_a_draft_until_the_province_publishes_them(world, client):
    """Issue 16: standards per year are prepared like the year's tasks. A draft is the
    province's alone (no other role sees it, on the page or through a forged year) and no claim
    is computed from it; publishing is one audited step, once."""
    from apps.audit.models import AuditAction, AuditEvent
    page = reverse("subsidies:standard_list") + "?year=2027"
    client.force_login(world.province)
    client.post(page, {"amount_departure_fee": "3500", "fund_departure_fee": "employment"})
    body = client.get(page).content.decode()
    assert "2027年补助标准为<strong>草稿</strong>" in body and "发布2027年标准" in body
    for user in (world.observer, world.city_ty, world.unit_u1):
        client.force_login(user)
        body = client.get(page).content.decode()
        assert "3500" not in body and "省专项办尚未发布2027年补助标准" in body
        assert 2027 not in standard_years(user)
    # A claim of 2027 cannot use the draft: the money rule reads published years only.
    with pytest.raises(ValidationError, match="尚未发布2027年“出国费用”的补助标准"):
        services._standard_for(2027, "departure_fee")
    client.force_login(world.unit_u1)
    assert client.post(page, {"publish": "1"}).status_code == 403
    client.force_login(world.province)
    response = client.post(page, {"publish": "1"}, follow=True)
    assert "已发布2027年补助标准" in response.content.decode()
    # A second click (or tab) publishes nothing more and says so.
    response = client.post(page, {"publish": "1"}, follow=True)
    assert "2027年补助标准已发布" in response.content.decode()
    rows = AuditEvent.objects.filter(action=AuditAction.STANDARD, detail__startswith="发布2027年")
    assert rows.count() == 1 and "未设置：" in rows.get().detail
    assert services._standard_for(2027, "departure_fee")[0] == Decimal("3500.00")
    client.force_login(world.observer)
    body = client.get(page).content.decode()
    assert "3500" in body and "<input" not in body.split("<main>")[1]
    assert "已于" in body and "发布" in body
    response = client.post(page, {"amount_departure_fee": "1", "fund_departure_fee": "skills"})
    assert response.status_code == 403


def test_an_empty_year_cannot_be_published_nor_a_published_one_be_made_a_draft(world):
    from apps.subsidies.models import StandardYear
    with pytest.raises(ValidationError, match="2028年还没有设置任何补助标准"):
        services.standards_publish(actor=world.province, year=2028)
    assert not StandardYear.objects.filter(year=2028).exists()
    with pytest.raises(PermissionDenied):
        services.standards_publish(actor=world.city_ty, year=2026)
    # Correcting a published year keeps it published (claims filed from then on use it).
    services.standard_set(actor=world.province, year=2026, item="departure_fee",
                          amount=Decimal("2100"), fund="employment")
    assert StandardYear.objects.get(year=2026).status == "published"


@pytest.mark.django_db(transaction=True)
def test_two_publishers_at_once_publish_once(world):
    """Two tabs race the publish: the conditional UPDATE lets one through; the other is told."""
    from apps.audit.models import AuditAction, AuditEvent
    services.standard_set(actor=world.province, year=2029, item="departure_fee",
                          amount=Decimal("3000"), fund="employment")
    outcomes = at_once(4, lambda: services.standards_publish(actor=world.province, year=2029))
    assert [o for o, _ in outcomes].count("ok") == 1
    assert all("2029年补助标准已发布" in msg for o, msg in outcomes if o != "ok")
    assert AuditEvent.objects.filter(action=AuditAction.STANDARD,
                                     detail__startswith="发布2029年").count() == 1
