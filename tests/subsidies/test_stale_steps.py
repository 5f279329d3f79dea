"""A claim step from a page opened before the claim was returned and submitted again: the
payer's old form, the approver's, the reviewer's are refused (the money is paid once, on the
round its payer saw), a replayed pay is refused, and a page of the current round still works."""
import html

from django.urls import reverse
from django.utils import timezone

from apps.subsidies import services
from apps.subsidies.models import Claim, Payment
from tests.subsidies.test_claims import file_departure


def _act(client, claim, action, **data):
    return client.post(reverse("subsidies:claim_action", args=[claim.pk, action]), data,
                       follow=True)


def _page_round(client, claim):
    page = client.get(reverse("subsidies:claim_detail", args=[claim.pk])).content.decode()
    return page.split('name="round" value="')[1].split('"')[0]


def test_an_old_pay_form_after_a_return_and_resubmission_pays_nothing(world, departed, as_user):
    claim = file_departure(world, departed[0])
    services.claim_submit(claim, actor=world.unit_u1)
    services.claim_review(claim, actor=world.city_ty)
    services.claim_approve(claim, actor=world.province)
    province = as_user(world.province)
    old = _page_round(province, claim)           # the payer's tab, round 1
    services.claim_return(claim, actor=world.province, reason="凭证不清")
    services.claim_submit(Claim.objects.get(pk=claim.pk), actor=world.unit_u1)
    # The city's and the approver's pages of round 1 are out of date as well.
    city = as_user(world.city_ty)
    refused = _act(city, claim, "review", round=old)
    assert "页面已过期，本次操作未执行" in html.unescape(refused.content.decode())
    assert Claim.objects.get(pk=claim.pk).status == "submitted"
    services.claim_review(Claim.objects.get(pk=claim.pk), actor=world.city_ty)
    province = as_user(world.province)
    refused = _act(province, claim, "approve", round=old)
    assert "页面已过期" in html.unescape(refused.content.decode())
    services.claim_approve(Claim.objects.get(pk=claim.pk), actor=world.province)
    # Paid on the approval day: a payment is not dated before it (TIME-RULES rule 31).
    pay = {"paid_on": timezone.localdate().isoformat(), "voucher_no": "PZ-001"}
    refused = _act(province, claim, "pay", round=old, **pay)
    assert "第2次提交" in html.unescape(refused.content.decode())
    assert not Payment.objects.filter(claim=claim).exists()
    # The page of the current round pays, once; the same POST again pays nothing more.
    current = _page_round(province, claim)
    assert current == "2"
    assert "已登记拨付" in _act(province, claim, "pay", round=current, **pay).content.decode()
    again = _act(province, claim, "pay", round=current, **pay)
    assert "不能进行此操作" in html.unescape(again.content.decode())
    assert Payment.objects.filter(claim=claim).count() == 1
    assert Payment.objects.get(claim=claim).amount == Claim.objects.get(pk=claim.pk).total
