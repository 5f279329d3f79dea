"""Seed 002 第十二条/第十三条: a decided reward is paid through the subsidy claim flow (初审 →
审核 → 审批 → 拨付), only from an approved consequence, once, and never above the decided
amount; the agency's claim is its own and reviewed by the province, a unit's by its city."""
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from apps.accounts.scoping import visible
from apps.evaluations import services as evaluations
from apps.evaluations.models import ConsequenceKind
from apps.subsidies import services
from apps.subsidies.models import Claim, ClaimLine, ClaimStep, Payment
from tests.evaluations.conftest import year_card

pytestmark = pytest.mark.django_db

BANK = dict(bank_name="中国银行北京分行", account_name="中国国际技术智力合作有限公司",
            account_no="6216 6100 0000 5678")


@pytest.fixture
def reward(world):
    """A1's 2025 card: 65 points (full entered marks, no records), 4万元 approved."""
    card = year_card(world, 2025)
    c = card.consequences.get(kind=ConsequenceKind.REWARD)
    return evaluations.consequence_decide(c, actor=world.province, approve=True)


def test_an_agencys_reward_is_reviewed_approved_and_paid_by_the_province(world, reward):
    claim = services.claim_create_reward(reward, actor=world.agency_a1, **BANK)
    assert (claim.agency, claim.unit, claim.city, claim.phase, claim.total) == (
        world.a1, None, None, "evaluation", Decimal("40000"))
    line = claim.lines.get()
    assert (line.item, line.count, line.amount) == ("evaluation_reward", 1, Decimal("40000"))
    assert not line.people.exists()
    services.claim_submit(claim, actor=world.agency_a1)
    # No city reviews an agency's reward: 大同's and 太原's bureaus do not even see it.
    for city in (world.city_ty, world.city_dt):
        assert not visible(Claim.objects.filter(pk=claim.pk), city).exists()
        with pytest.raises(PermissionDenied):
            services.claim_review(claim, actor=city)
    services.claim_review(claim, actor=world.province, note="初审：与评估结果一致")
    services.claim_approve(claim, actor=world.province)
    payment = services.claim_pay(claim, actor=world.province, paid_on=timezone.localdate(),
                                 voucher_no="晋财奖2026-001")
    assert (payment.amount, payment.voucher_no) == (Decimal("40000"), "晋财奖2026-001")
    assert list(ClaimStep.objects.filter(claim=claim).values_list("action", flat=True)) == [
        "submit", "review", "approve", "pay"]
    # Another agency, and the units, see none of it.
    for outsider in (world.agency_a2, world.unit_u1):
        assert not visible(Claim.objects.filter(pk=claim.pk), outsider).exists()
        assert not visible(Payment.objects.filter(claim=claim), outsider).exists()


def test_a_units_reward_is_reviewed_by_its_own_city(world):
    """山西大学's 2025 card passes a lowered mark (50) and its band gives 3万元."""
    card = year_card(world, 2025, kind="unit", pass_mark=Decimal(50),
                     reward_bands=[{"min": 50, "amount": 30000}])
    c = evaluations.consequence_decide(card.consequences.get(kind=ConsequenceKind.REWARD),
                                       actor=world.province, approve=True)
    claim = services.claim_create_reward(c, actor=world.unit_u1, **BANK)
    assert (claim.unit, claim.city, claim.total) == (world.u1, world.ty, Decimal("30000"))
    with pytest.raises(ValidationError, match="不能撤回"):
        services.claim_withdraw(claim, actor=world.unit_u1)
    services.claim_submit(claim, actor=world.unit_u1)
    with pytest.raises(PermissionDenied):   # the province does not skip the city
        services.claim_review(claim, actor=world.province)
    with pytest.raises(PermissionDenied):
        services.claim_review(claim, actor=world.city_dt)
    services.claim_review(claim, actor=world.city_ty)
    services.claim_approve(claim, actor=world.province)
    assert services.claim_pay(claim, actor=world.province, paid_on=timezone.localdate(),
                              voucher_no="晋财奖2026-002").amount == Decimal("30000")


def test_a_reward_is_paid_only_from_an_approved_consequence_by_its_organisation(world):
    card = year_card(world, 2025)
    c = card.consequences.get(kind=ConsequenceKind.REWARD)
    with pytest.raises(ValidationError, match="只有省专项办决定执行的奖励才能拨付"):
        services.claim_create_reward(c, actor=world.agency_a1, **BANK)   # still proposed
    for outsider in (world.agency_a2, world.unit_u1, world.city_ty):
        with pytest.raises(PermissionDenied):
            services.claim_create_reward(c, actor=outsider, **BANK)
    with pytest.raises(PermissionDenied):   # the province decides; the organisation asks
        services.claim_create_reward(c, actor=world.province, **BANK)
    evaluations.consequence_decide(c, actor=world.province, approve=False, note="经费不足")
    with pytest.raises(ValidationError, match="决定不执行"):
        services.claim_create_reward(c, actor=world.agency_a1, **BANK)
    assert not Claim.objects.filter(phase="evaluation").exists()


def test_a_consequence_without_money_and_the_ordinary_claim_form_are_refused(world):
    card = year_card(world, 2024, kind="agency", org=world.a2, points=Decimal(0))
    fail = evaluations.consequence_decide(card.consequences.get(kind=ConsequenceKind.FAIL),
                                          actor=world.province, approve=True)
    with pytest.raises(ValidationError, match="不涉及资金"):
        services.claim_create_reward(fail, actor=world.agency_a2, **BANK)
    with pytest.raises(ValidationError) as refused:
        services.claim_create(actor=world.unit_u1, phase="evaluation", **BANK)
    assert "phase" in refused.value.error_dict


def test_one_claim_for_one_consequence_and_never_withdrawn(world, reward):
    claim = services.claim_create_reward(reward, actor=world.agency_a1, **BANK)
    with pytest.raises(ValidationError, match=f"申请编号 {claim.pk}"):
        services.claim_create_reward(reward, actor=world.agency_a1, **BANK)
    with pytest.raises(PermissionDenied):   # an agency has no withdraw step at all
        services.claim_withdraw(claim, actor=world.agency_a1)
    # The database holds it whatever the path: a second claim of the consequence, a reward
    # claim without one, an agency's ordinary claim.
    fields = dict(year=2025, bank_name="b", account_name="a", account_no="1",
                  created_by=world.province)
    for bad in (dict(agency=world.a1, phase="evaluation", consequence=reward),
                dict(agency=world.a1, phase="evaluation"),
                dict(agency=world.a1, phase="departure"),
                dict(unit=world.u1, agency=world.a1, city=world.ty, phase="departure")):
        with pytest.raises(IntegrityError), transaction.atomic():
            Claim.objects.create(**fields, **bad)
    assert Claim.objects.filter(consequence=reward).count() == 1


def test_never_more_than_the_decided_amount(world, reward):
    claim = services.claim_create_reward(reward, actor=world.agency_a1, **BANK)
    services.claim_submit(claim, actor=world.agency_a1)
    services.claim_review(claim, actor=world.province)
    services.claim_approve(claim, actor=world.province)
    # However the line came to say more (a path that bypassed the service), payment refuses.
    ClaimLine.objects.filter(claim=claim).update(standard=Decimal(90000), amount=Decimal(90000))
    Claim.objects.filter(pk=claim.pk).update(employment_total=Decimal(90000),
                                             total=Decimal(90000))
    with pytest.raises(ValidationError, match="超过决定金额 40000"):
        services.claim_pay(claim, actor=world.province, paid_on=timezone.localdate(),
                           voucher_no="晋财奖2026-003")
    assert not Payment.objects.filter(claim=claim).exists()


def test_the_pages_link_consequence_claim_and_scorecard(world, reward, client,
                                                        django_assert_max_num_queries):
    url = reward.get_absolute_url()
    client.force_login(world.agency_a1)
    page = client.get(url).content.decode()
    assert "申请拨付奖励" in page and "尚未申请拨付" in page
    create = reverse("subsidies:claim_create_reward", args=[reward.pk])
    response = client.post(create, BANK)
    claim = Claim.objects.get(consequence=reward)
    assert (response.status_code, response["Location"]) == (
        302, reverse("subsidies:claim_detail", args=[claim.pk]))
    replay = client.post(create, BANK)
    assert replay.status_code == 400 and "已申请拨付" in replay.content.decode()
    detail = client.get(reverse("subsidies:claim_detail", args=[claim.pk])).content.decode()
    assert reward.scorecard.get_absolute_url() in detail and "提交省专项办初审" in detail
    client.post(reverse("subsidies:claim_action", args=[claim.pk, "submit"]))
    client.force_login(world.province)
    for action, data in (("review", {}), ("approve", {}),
                         ("pay", {"paid_on": f"{timezone.localdate()}", "voucher_no": "晋财奖2026-004"})):
        client.post(reverse("subsidies:claim_action", args=[claim.pk, action]), data)
    claim.refresh_from_db()
    assert claim.status == "paid"
    client.force_login(world.agency_a1)
    with django_assert_max_num_queries(8):   # the consequence, its card, claim, payment
        page = client.get(url).content.decode()
    assert "已拨付" in page and "晋财奖2026-004" in page
    with django_assert_max_num_queries(11):   # consequences, claims, bars: one query each
        card = client.get(reward.scorecard.get_absolute_url()).content.decode()
    assert f"申请 {claim.pk}" in card and "拨付 40000.00 元" in card
    listed = client.get(reverse("subsidies:claim_list")).content.decode()
    assert reverse("subsidies:claim_detail", args=[claim.pk]) in listed   # its own, only
    assert reverse("subsidies:claim_detail", args=[world.claim_ty.pk]) not in listed
    for outsider in (world.agency_a2, world.unit_u1, world.city_ty):
        client.force_login(outsider)
        assert client.get(url).status_code == 404
        assert client.get(reverse("subsidies:claim_detail", args=[claim.pk])).status_code == 404
    client.force_login(world.agency_a2)
    assert client.post(create, BANK).status_code == 404


def _queue_entry(client, user, label):
    """The home page's work-queue entry with ``label``: its count and the rows behind its link."""
    client.force_login(user)
    entry = {e.label: e for e in client.get(reverse("accounts:home")).context["queue"]}[label]
    rows = list(client.get(entry.url).context["page"].object_list)
    return entry.count, rows


def test_the_provinces_work_queue_holds_an_agencys_reward_awaiting_its_first_review(
        world, reward, client):
    label = "待初审的输出机构奖励申请"
    Claim.objects.filter(pk=world.claim_dt.pk).update(status="submitted")  # a unit's: its city's
    assert _queue_entry(client, world.province, label) == (0, [])
    claim = services.claim_create_reward(reward, actor=world.agency_a1, **BANK)
    services.claim_submit(claim, actor=world.agency_a1)
    assert _queue_entry(client, world.province, label) == (1, [claim])
    # Returned by the province, it waits in the agency's own queue, not another agency's.
    services.claim_return(claim, actor=world.province, reason="账户名称与营业执照不符")
    assert _queue_entry(client, world.province, label) == (0, [])
    assert _queue_entry(client, world.agency_a1, "被退回的奖励申请") == (1, [claim])
    assert _queue_entry(client, world.agency_a2, "被退回的奖励申请") == (0, [])


@pytest.mark.parametrize("account_no, says", [("6216 6100 000O 5678", "只能包含数字"),
                                               ("12345", "应为8至32位")])
def test_a_reward_claims_account_number_is_checked_as_a_phase_claims_is(world, reward,
                                                                         account_no, says):
    with pytest.raises(ValidationError) as refused:
        services.claim_create_reward(reward, actor=world.agency_a1,
                                     **dict(BANK, account_no=account_no))
    assert says in refused.value.message_dict["account_no"][0]
    assert not Claim.objects.filter(consequence=reward).exists()
    claim = services.claim_create_reward(reward, actor=world.agency_a1,
                                         **dict(BANK, account_no="６２１６-６１００-００００-５６７８"))
    assert claim.account_no == "6216610000005678"
