"""A unit's bank account is kept: its next claim is offered the account of its last one."""
from decimal import Decimal

from django.urls import reverse

from apps.subsidies.models import Claim


def _field_value(html, name):
    import re
    match = re.search(rf'<input[^>]*name="{name}"[^>]*>', html)
    value = re.search(r'value="([^"]*)"', match.group(0)) if match else None
    return value.group(1) if value else ""


def test_the_next_claim_offers_the_account_of_the_last_one(world, client):
    client.force_login(world.unit_u1)
    html = client.get(reverse("subsidies:claim_create")).content.decode()
    assert _field_value(html, "bank_name") == "中国银行"
    assert _field_value(html, "account_name") == world.u1.name
    assert _field_value(html, "account_no") == "6216600000001234"
    assert "已填入本单位上次申请的账户" in html
    # The latest claim's account wins: the unit changed banks.
    Claim.objects.create(unit=world.u1, city=world.ty, year=2026, phase="opening",
                         bank_name="工商银行太原分行", account_name=world.u1.name,
                         account_no="9558800000005678", total=Decimal("0"),
                         created_by=world.unit_u1)
    html = client.get(reverse("subsidies:claim_create")).content.decode()
    assert _field_value(html, "bank_name") == "工商银行太原分行"
    assert _field_value(html, "account_no") == "9558800000005678"


def test_a_unit_without_claims_is_offered_no_account_of_another(world, client):
    client.force_login(world.unit_u2)
    html = client.get(reverse("subsidies:claim_create")).content.decode()
    assert _field_value(html, "bank_name") == "" and _field_value(html, "account_no") == ""
    assert "6216600000001234" not in html and "已填入本单位上次申请的账户" not in html


def test_what_the_unit_types_wins_over_the_kept_account(world, client):
    client.force_login(world.unit_u1)
    html = client.post(reverse("subsidies:claim_create"), {
        "phase": "departure", "year": "2026", "bank_name": "建设银行",
        "account_name": "", "account_no": "1"}).content.decode()
    # An error page keeps the typed values, not the kept ones.
    assert _field_value(html, "bank_name") == "建设银行"
