"""Issue 21, item 3: support items for 脱贫劳动力 only (seed 003: a one-off transport subsidy
of at most 800 元, a 职业介绍补贴 per person placed), set by the province per year, derived
from the records on the existing departure claim, once per person."""
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from apps.dashboards import selectors as dashboards
from apps.registry.services import person_poverty_verify, person_update
from apps.subsidies import services
from apps.subsidies.models import ClaimedPerson, Payment, Standard
from apps.subsidies.services import standard_set
from tests.subsidies.test_claims import BANK, file_departure

TODAY = timezone.localdate()


def poverty_standards(world, year=2026, transport="800", placement="1000"):
    standard_set(actor=world.province, year=year, item="poverty_transport",
                 amount=Decimal(transport), fund="employment")
    standard_set(actor=world.province, year=year, item="poverty_placement",
                 amount=Decimal(placement), fund="employment")


def verified(world, candidacy, on=date(2026, 3, 2), status="脱贫劳动力"):
    person_poverty_verify(candidacy.person, actor=world.city_ty, status=status,
                          source="national", verified_on=on)


def poverty_lines(claim):
    return {line.item: (line.count, line.amount, {p.person_id for p in line.people.all()})
            for line in claim.lines.filter(item__startswith="poverty_")}


def test_the_transport_standard_is_capped_at_800(world, client):
    with pytest.raises(ValidationError) as error:
        standard_set(actor=world.province, year=2026, item="poverty_transport",
                     amount=Decimal("800.01"), fund="employment")
    assert "每人不超过800元" in str(error.value)
    standard = standard_set(actor=world.province, year=2026, item="poverty_transport",
                            amount=Decimal("800"), fund="employment")
    # The database refuses it too, whichever path would write it.
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE subsidies_standard SET amount = 900 WHERE id = %s", [standard.pk])
    # The page saves a year's items together or not at all.
    client.force_login(world.province)
    response = client.post(reverse("subsidies:standard_list") + "?year=2026", {
        "amount_medical": "350", "fund_medical": "employment",
        "amount_poverty_transport": "1000", "fund_poverty_transport": "employment"})
    assert "每人不超过800元" in response.content.decode()
    assert "本次未保存任何标准" in response.content.decode()
    assert not Standard.objects.filter(year=2026, item="medical").exists()
    assert Standard.objects.get(year=2026, item="poverty_transport").amount == Decimal("800")


def test_only_verified_and_current_priority_people_are_eligible(world, departed):
    cls, group = departed
    poverty_standards(world)
    verified(world, group[0])                                               # current: paid
    verified(world, group[1], on=TODAY - timedelta(days=400), status="监测对象")  # lapsed
    verified(world, group[2])                                 # current, but never departed
    claim = file_departure(world, cls)
    assert poverty_lines(claim) == {
        "poverty_transport": (1, Decimal("800"), {group[0].person_id}),
        "poverty_placement": (1, Decimal("1000"), {group[0].person_id})}
    assert claim.total == Decimal("12000") + Decimal("1800")
    # Verified again: the refreshed draft takes the 监测对象 in too.
    verified(world, group[1], on=TODAY, status="监测对象")
    claim = services.claim_refresh(claim, actor=world.unit_u1)
    assert poverty_lines(claim)["poverty_transport"][:2] == (2, Decimal("1600"))


def test_a_declared_status_or_no_status_is_not_eligible(world, departed):
    cls, group = departed
    poverty_standards(world)
    person_update(group[0].person, actor=world.unit_u1, poverty_status="脱贫劳动力")  # unverified
    verified(world, group[1], status="")  # verified as not poor
    claim = file_departure(world, cls)
    assert poverty_lines(claim) == {}
    assert claim.total == Decimal("12000")


def test_a_person_is_claimed_once_and_a_status_changed_after_filing_stops_the_review(
        world, departed):
    cls, group = departed
    poverty_standards(world)
    verified(world, group[0])
    verified(world, group[1])
    claim = file_departure(world, cls)
    services.claim_submit(claim, actor=world.unit_u1)
    with pytest.raises(ValidationError) as error:
        file_departure(world, cls)
    assert "没有可以申请该阶段资金的人员（或均已申请过）" in str(error.value)
    with pytest.raises(IntegrityError), transaction.atomic():
        line = claim.lines.get(item="poverty_transport")
        ClaimedPerson.objects.create(line=line, item="poverty_transport",
                                     person=group[0].person, candidacy=group[0])
    # Verified again meanwhile as not poor: the city's review finds the claim stale.
    person_poverty_verify(group[1].person, actor=world.city_ty, status="", source="monitoring",
                          verified_on=date(2026, 6, 2))
    with pytest.raises(ValidationError) as error:
        services.claim_review(claim, actor=world.city_ty)
    assert "“脱贫劳动力一次性交通补助”中有1人已不符合申请条件" in str(error.value)


def test_a_year_without_the_items_claims_as_before(world, departed):
    cls, group = departed
    verified(world, group[0])
    claim = file_departure(world, cls)
    assert poverty_lines(claim) == {} and claim.total == Decimal("12000")
    # Another year's items do not reopen this year's departures for a second claim.
    poverty_standards(world, year=2027)
    services.standards_publish(actor=world.province, year=2027)
    with pytest.raises(ValidationError) as error:
        file_departure(world, cls)
    assert "没有已出国且尚未申请的人员" in str(error.value)


def test_a_transport_subsidy_claim_from_filing_to_payment(world, departed, client):
    cls, group = departed
    poverty_standards(world)
    verified(world, group[0])
    client.force_login(world.unit_u1)
    response = client.post(reverse("subsidies:claim_create"), {
        "phase": "departure", "training_class": cls.pk, **BANK}, follow=True)
    claim = response.context["claim"]
    body = response.content.decode()
    assert "脱贫劳动力一次性交通补助" in body and "合计 13800.00 元" in body
    client.post(reverse("subsidies:claim_action", args=[claim.pk, "submit"]))
    client.force_login(world.city_ty)
    client.post(reverse("subsidies:claim_action", args=[claim.pk, "review"]), {"reason": "属实"})
    client.force_login(world.province)
    client.post(reverse("subsidies:claim_action", args=[claim.pk, "approve"]))
    response = client.post(reverse("subsidies:claim_action", args=[claim.pk, "pay"]),
                           {"paid_on": f"{timezone.localdate()}", "voucher_no": "晋财2026-021"}, follow=True)
    assert "已拨付" in response.content.decode()
    assert Payment.objects.get(claim=claim).amount == Decimal("13800")
    # The 附件8 print carries the 脱贫 rows for this claim.
    printed = client.get(reverse("subsidies:print_form8", args=[claim.pk])).content.decode()
    assert "一次性交通补助" in printed and "800.00" in printed
    # The figures by city say what was paid for 脱贫劳动力 in the year.
    table = dashboards.dashboard_table(world.province, 2026, "poverty_city")
    taiyuan = next(r for r in table.rows if r[0] == "太原")
    assert taiyuan[table.headers.index("已拨付专项补助（元）")] == Decimal("1800")
    assert taiyuan[table.headers.index("脱贫劳动力输出")] == 1
    assert taiyuan[table.headers.index("脱贫劳动力培训合格")] == 1
