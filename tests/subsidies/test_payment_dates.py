"""A payment is not recorded before the money was granted (docs/TIME-RULES.md rules 12, 31):
not in the future, not before the day, Beijing time, the province approved the claim in its
current round. Attacked on the service and on the 登记拨付 page, around Beijing midnight and
after a return and a second approval."""
from datetime import datetime, time, timedelta
from datetime import timezone as dt_timezone

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from apps.subsidies import services
from apps.subsidies.models import ClaimStatus, ClaimStep, Payment
from tests.subsidies.test_claims import file_departure


def _approved(world, departed):
    claim = file_departure(world, departed[0])
    services.claim_submit(claim, actor=world.unit_u1)
    services.claim_review(claim, actor=world.city_ty)
    services.claim_approve(claim, actor=world.province)
    return claim


def _approved_at(claim, moment):
    ClaimStep.objects.filter(claim=claim, action="approve", round=claim.round).update(at=moment)


def test_a_payment_dated_before_the_approval_day_in_beijing_is_refused(world, departed):
    claim = _approved(world, departed)
    today = timezone.localdate()
    # Approved at 00:30 Beijing today, which is still yesterday 16:30 in UTC: the UTC day
    # would let a payment dated yesterday through.
    yesterday_utc = datetime.combine(today - timedelta(days=1), time(16, 30), dt_timezone.utc)
    _approved_at(claim, yesterday_utc)
    with pytest.raises(ValidationError, match=f"不能早于省专项办审批通过的日期（{today:%Y-%m-%d}）"):
        services.claim_pay(claim, actor=world.province, paid_on=today - timedelta(days=1),
                           voucher_no="晋财2026-001")
    with pytest.raises(ValidationError, match="不能晚于今天"):
        services.claim_pay(claim, actor=world.province, paid_on=today + timedelta(days=1),
                           voucher_no="晋财2026-001")
    assert not Payment.objects.filter(claim=claim).exists()
    payment = services.claim_pay(claim, actor=world.province, paid_on=today,
                                 voucher_no="晋财2026-001")
    assert payment.paid_on == today


def test_the_pay_page_refuses_a_date_before_the_approval(world, departed, client):
    claim = _approved(world, departed)
    approved_on = timezone.localdate()
    client.force_login(world.province)
    url = reverse("subsidies:claim_action", args=[claim.pk, "pay"])
    for forged in (approved_on - timedelta(days=1), "0001-01-01", "1900-01-01"):
        response = client.post(url, {"paid_on": f"{forged}", "voucher_no": "晋财2026-002"},
                               follow=True)
        body = response.content.decode()
        assert f"不能早于省专项办审批通过的日期（{approved_on:%Y-%m-%d}）" in body, forged
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.APPROVED and not Payment.objects.filter(claim=claim).exists()


def test_after_a_return_the_payment_follows_the_second_approval(world, departed):
    claim = _approved(world, departed)
    first_round = claim.round
    today = timezone.localdate()
    _approved_at(claim, timezone.now() - timedelta(days=20))
    services.claim_return(claim, actor=world.province, reason="凭证缺页")
    services.claim_submit(claim, actor=world.unit_u1)
    services.claim_review(claim, actor=world.city_ty)
    services.claim_approve(claim, actor=world.province)
    claim.refresh_from_db()
    assert claim.round == first_round + 1
    # Dated after the first approval but before the second: the money was not granted then.
    with pytest.raises(ValidationError, match="不能早于省专项办审批通过的日期"):
        services.claim_pay(claim, actor=world.province, paid_on=today - timedelta(days=10),
                           voucher_no="晋财2026-003")
