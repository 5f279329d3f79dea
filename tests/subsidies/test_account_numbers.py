"""A payee's bank account number, on every path that files one (a phase claim on its page,
an evaluation reward's claim): digits only after spaces and dashes, a length a bank account
has; anything else refused on the field, never stored trimmed."""
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from apps.subsidies import services
from apps.subsidies.models import Claim

BANK = dict(bank_name="中国银行太原分行", account_name="山西大学")


@pytest.mark.parametrize("typed, kept", [
    ("6216 6000 0000 1234", "6216600000001234"),
    ("６２１６－６０００－００００－１２３４", "6216600000001234"),
    ("6216\u200b6000\ufeff00001234", "6216600000001234"),
])
def test_an_account_number_is_kept_as_digits(world, departed, typed, kept):
    claim = services.claim_create(actor=world.unit_u1, phase="departure",
                                  training_class=departed[0], account_no=typed, **BANK)
    assert Claim.objects.get(pk=claim.pk).account_no == kept


@pytest.mark.parametrize("typed, says", [
    ("6216 6000 O000 1234", "只能包含数字"),        # a letter O for a zero
    ("1.23456789012346E+18", "只能包含数字"),        # a spreadsheet's number
    ("1234567", "应为8至32位"),
    ("1" * 33, "应为8至32位"),
    ("6216\x006000", "只能包含数字"),
])
def test_a_bad_account_number_is_refused_on_the_field(world, departed, typed, says):
    before = Claim.objects.count()
    with pytest.raises(ValidationError) as refused:
        services.claim_create(actor=world.unit_u1, phase="departure",
                              training_class=departed[0], account_no=typed, **BANK)
    assert says in refused.value.message_dict["account_no"][0]
    assert Claim.objects.count() == before


def test_the_claim_page_names_the_account_field(world, client, departed):
    client.force_login(world.unit_u1)
    before = Claim.objects.count()
    response = client.post(reverse("subsidies:claim_create"), {
        "phase": "departure", "training_class": departed[0].pk, **BANK,
        "account_no": "6216-6000-abcd"})
    assert response.status_code == 200 and "只能包含数字" in response.content.decode()
    assert Claim.objects.count() == before
