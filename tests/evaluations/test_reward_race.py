"""Two requests for one reward at the same moment (real commits, real threads): one claim."""
import pytest

from apps.evaluations import services as evaluations
from apps.evaluations.models import Consequence, ConsequenceKind
from apps.subsidies import services
from apps.subsidies.models import Claim
from tests.concurrency import at_once
from tests.evaluations.conftest import year_card
from tests.evaluations.test_rewards import BANK

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_requests_at_once_make_one_reward_claim(world):
    card = year_card(world, 2025)
    c = card.consequences.get(kind=ConsequenceKind.REWARD)
    evaluations.consequence_decide(c, actor=world.province, approve=True)
    outcomes = at_once(4, lambda: services.claim_create_reward(
        Consequence.objects.get(pk=c.pk), actor=world.agency_a1, **BANK))
    assert [o for o, _ in outcomes].count("ok") == 1
    assert all("已申请拨付" in message for o, message in outcomes if o != "ok")
    assert Claim.objects.filter(consequence=c).count() == 1
