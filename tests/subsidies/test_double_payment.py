"""Double payment (SECURITY.md §8): real commits, real concurrency. Eight approvers at once,
eight payers at once, ten parallel HTTP submissions against the live server."""
import re
import urllib.parse
import urllib.request
from datetime import date

import pytest
from django.utils import timezone

from apps.subsidies import services
from apps.subsidies.models import Claim, ClaimStep, Payment
from tests.concurrency import at_once
from tests.subsidies.test_claims import BANK, file_departure

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def reviewed(world, departed):
    claim = file_departure(world, departed[0])
    services.claim_submit(claim, actor=world.unit_u1)
    services.claim_review(claim, actor=world.city_ty)
    return claim


def test_eight_concurrent_approvals_make_one(world, reviewed):
    outcomes = at_once(8, lambda: services.claim_approve(Claim.objects.get(pk=reviewed.pk),
                                                         actor=world.province))
    assert [o for o, _ in outcomes].count("ok") == 1
    assert ClaimStep.objects.filter(claim=reviewed, action="approve").count() == 1
    assert all("不能进行此操作" in msg or "刚刚已由他人处理" in msg
               for o, msg in outcomes if o != "ok")


def test_eight_concurrent_payments_pay_once(world, reviewed):
    services.claim_approve(reviewed, actor=world.province)
    outcomes = at_once(8, lambda: services.claim_pay(
        Claim.objects.get(pk=reviewed.pk), actor=world.province, paid_on=timezone.localdate(),
        voucher_no="晋财2026-002"))
    assert [o for o, _ in outcomes].count("ok") == 1
    assert Payment.objects.filter(claim=reviewed).count() == 1
    assert Claim.objects.get(pk=reviewed.pk).status == "paid"


def _form(base, path, cookies):
    request = urllib.request.Request(base + path, headers={"Cookie": cookies})
    with urllib.request.urlopen(request) as response:
        body = response.read().decode()
        set_cookie = response.headers.get_all("Set-Cookie") or []
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)
    csrf = next(c.split(";")[0] for c in set_cookie if c.startswith("csrftoken="))
    return token, csrf


def test_ten_parallel_http_submissions_make_one_claim(world, departed, live_server, client):
    cls, _ = departed
    client.force_login(world.unit_u1)
    session = f"sessionid={client.cookies['sessionid'].value}"
    token, csrf = _form(live_server.url, "/subsidies/new/", session)
    data = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "phase": "departure",
                                   "training_class": cls.pk, **BANK}).encode()

    def submit():
        request = urllib.request.Request(live_server.url + "/subsidies/new/", data=data,
                                         headers={"Cookie": f"{session}; {csrf}"})
        with urllib.request.urlopen(request) as response:
            return response.url

    outcomes = at_once(10, submit)
    claims = Claim.objects.filter(unit=world.u1, phase="departure", training_class=cls)
    assert claims.count() == 1
    assert [o for o, _ in outcomes].count("ok") == 10  # each answered, none with a 500
    assert sum(1 for _, url in outcomes if f"/subsidies/{claims.get().pk}/" in url) == 1
