"""Seed 002 第十条's four conditions of 优秀, each failing alone; 第十一条's re-review instead of
a second designation; the rule as the scheme's data, checked with Chinese messages."""
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from apps.evaluations import services
from apps.evaluations.models import ConsequenceKind, Kind
from apps.subsidies.services import claim_create_reward
from tests.conftest import pdf
from tests.evaluations.conftest import departed, year_card
from tests.evaluations.test_rewards import BANK

pytestmark = pytest.mark.django_db

# The seed's rule with a volume the test world can have (3 sent a year, not 300).
RULE = {"years": 2, "min_score": 80, "min_departures": 3, "skilled_code": "skilled",
        "min_skilled_share": 10, "min_retention": 60, "ledger_code": "ledger",
        "review_every": 2, "amount": 20000}


def sent(w, year):
    """A1 sends three in ``year``: two stay, one is back after two months (retention 2/3)."""
    mk = dict(unit=w.u1, agency=w.a1, project=w.project_a1, city=w.ty)
    departed(w, on=date(year, 1, 10), **mk)
    departed(w, on=date(year, 2, 10), **mk)
    departed(w, on=date(year, 3, 1), returned=date(year, 5, 1), **mk)


def card_of(w, year, rule=None, scores=None):
    """A1's published card: full entered marks (80 points with the records), one of the three
    found skilled (认定人数 1)."""
    sent(w, year)
    return year_card(w, year, excellence={**RULE, **(rule or {})},
                     scores={"skilled": (Decimal(5), 1), **(scores or {})})


def test_all_four_conditions_met_designate_and_name_them(world):
    first = card_of(world, 2024)
    card = card_of(world, 2025)
    assert card.total == Decimal(80)
    assert not first.consequences.filter(kind=ConsequenceKind.EXCELLENT).exists()  # one year
    excellent = card.consequences.get(kind=ConsequenceKind.EXCELLENT)
    for said in ("（一）每年评估80分以上✓", "（二）每年输送3人以上且技术技能人才占比10%以上✓",
                 "（三）留用率60%以上✓", "（四）台账完备（满分）✓", "一次性奖励 2 万元"):
        assert said in excellent.proposal
    # 第十二条(三): the one-off award, the rule's amount, paid like a reward.
    services.consequence_decide(excellent, actor=world.province, approve=True)
    claim = claim_create_reward(excellent, actor=world.agency_a1, **BANK)
    line = claim.lines.get()
    assert (line.item, line.amount) == ("excellence_award", Decimal(20000))


@pytest.mark.parametrize("rule, scores_2024, scores_2025, failing, why", [
    ({}, {"innovation": (Decimal(9), None)}, {}, 0, "2024年度79.0分"),
    ({"min_departures": 4}, {}, {}, 1, "2024年度输送3人"),
    ({}, {"skilled": (Decimal(5), None)}, {}, 1, "2024年度未录入技术技能人才人数"),
    ({"min_skilled_share": 50}, {}, {}, 1, "技术技能人才1人"),
    ({"min_retention": 70}, {}, {}, 2, "%"),
    ({"min_score": 79}, {}, {"ledger": (Decimal(9), None)}, 3, "2025年度9"),
], ids=["score", "departures", "skilled-not-entered", "skilled-share", "retention", "ledger"])
def test_each_condition_failing_alone_withholds_the_title(world, rule, scores_2024,
                                                          scores_2025, failing, why):
    card_of(world, 2024, rule, scores_2024)
    card = card_of(world, 2025, rule, scores_2025)
    met = services.excellence_conditions(card)
    assert [c.met for c in met] == [i != failing for i in range(4)]
    assert why in met[failing].why
    assert not card.consequences.filter(kind=ConsequenceKind.EXCELLENT).exists()


@pytest.mark.parametrize("rule_2025, kind", [
    ({}, ConsequenceKind.REVIEW_KEEP), ({"min_retention": 70}, ConsequenceKind.REVIEW_DROP)])
def test_a_designated_organisation_is_re_reviewed_not_designated_again(world, rule_2025, kind):
    card_of(world, 2022)
    designated = card_of(world, 2023).consequences.get(kind=ConsequenceKind.EXCELLENT)
    services.consequence_decide(designated, actor=world.province, approve=True)
    # Within the two years: neither designated again nor reviewed.
    within = card_of(world, 2024)
    assert not within.consequences.filter(kind__in=[
        ConsequenceKind.EXCELLENT, ConsequenceKind.REVIEW_KEEP,
        ConsequenceKind.REVIEW_DROP]).exists()
    # Two years on: the re-review, never a second designation (nor a second award).
    review = card_of(world, 2025, rule_2025).consequences.get(kind__startswith="review")
    assert review.kind == kind and review.amount is None
    assert review.proposal.startswith("2023年度评为优秀，2025年度复核")
    assert not review.scorecard.consequences.filter(kind=ConsequenceKind.EXCELLENT).exists()
    services.consequence_decide(review, actor=world.province, approve=True)
    assert services.designated_since(review.scorecard) == 2023  # of the years before 2025


def test_the_rule_is_checked_with_chinese_messages_naming_the_field(world):
    scheme = services.scheme_create(actor=world.province, year=2025, kind=Kind.AGENCY)
    base = {"pass_mark": Decimal(60), "reward_bands": scheme.reward_bands}
    for bad, field, message in (
            ({"min_retention": 120}, "min_retention", "须在0到100之间"),
            ({"years": 0}, "years", "须在1到5之间"),
            ({"skilled_code": "departures"}, "skilled_code", "人工评分的指标"),
            ({"ledger_code": "nosuch"}, "ledger_code", "人工评分的指标"),
            ({"skilled_code": "", "min_skilled_share": 10}, "skilled_code", "认定人数"),
            ({"amount": -1}, "amount", "须在0到10000000之间")):
        with pytest.raises(ValidationError) as refused:
            services.scheme_update(scheme, actor=world.province, **base,
                                   excellence={**RULE, **bad})
        assert message in " ".join(refused.value.message_dict[field])
    # A criterion the rule reads, made computed afterwards: the scheme is not locked so.
    services.criterion_save(scheme, actor=world.province, criterion=scheme.criteria.get(
        code="ledger"), method="computed", key="complaints", rule={"deduct": 2})
    with pytest.raises(ValidationError, match="优秀评选条件有误"):
        services.scheme_lock(scheme, actor=world.province)


def test_the_scheme_form_edits_the_rule_and_the_score_form_takes_the_number(world, client):
    scheme = services.scheme_create(actor=world.province, year=2025, kind=Kind.AGENCY)
    url = reverse("evaluations:scheme_edit", args=[scheme.pk])
    client.force_login(world.province)
    form = client.get(url).content.decode()
    assert "技术技能人才" in form and "台账完备" in form
    data = {"pass_mark": "60", "reward_bands": "60:40000", "years": "2", "min_score": "80",
            "min_departures": "300", "skilled_code": "skilled", "min_skilled_share": "10",
            "min_retention": "60", "ledger_code": "ledger", "review_every": "2",
            "amount": "20000"}
    bad = client.post(url, {**data, "min_retention": "120"})
    assert bad.status_code == 400 and "须在0到100之间" in bad.content.decode()
    assert client.post(url, {**data, "min_skilled_share": "15"}).status_code == 302
    scheme.refresh_from_db()
    assert (scheme.excellence["min_skilled_share"], scheme.excellence["skilled_code"]) == (
        15, "skilled")
    detail = client.get(scheme.get_absolute_url()).content.decode()
    assert "占比不低于15%" in detail and "“建立台账”满分" in detail
    # The scorer enters the number found skilled with the points.
    services.scheme_lock(scheme, actor=world.province)
    services.scorecards_compute(scheme, actor=world.province)
    score = scheme.scorecards.get(agency=world.a1).scores.get(criterion__code="skilled")
    enter = reverse("evaluations:score_enter", args=[score.pk])
    assert client.post(enter, {"points": "3", "count": "-1", "reason": "认定12人",
                               "evidence": pdf()}).status_code == 400
    assert client.post(enter, {"points": "3", "count": "12", "reason": "认定12人",
                               "evidence": pdf()}).status_code == 302
    score.refresh_from_db()
    assert (score.points, score.count) == (3, 12)
    with pytest.raises(ValidationError, match="认定人数不能为负数"):
        services.score_enter(score, actor=world.province, points=Decimal(3), count=-1,
                             reason="认定", evidence=pdf())
