"""A score corrected after publication re-derives the card's proposals (and those of later
years that read it): new ones are added, undecided ones withdrawn (kept, with the reason) or
brought to their new band, decided ones never changed but flagged for the province."""
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from apps.audit.models import AuditEvent
from apps.evaluations import services
from apps.evaluations.models import ConsequenceKind as K
from apps.evaluations.models import ConsequenceStatus as S
from apps.orgs.models import AgencyStatus
from apps.orgs.services import agency_set_status
from apps.subsidies import services as subsidies
from apps.subsidies.models import Payment
from tests.evaluations.conftest import year_card
from tests.evaluations.test_rewards import BANK

pytestmark = pytest.mark.django_db

# 55 and 60 bands, pass mark 55: A1's card with innovation at 0 is 55 (the 3万 band),
# at 10 it is 65 (4万).
LOW = {"pass_mark": Decimal(55), "reward_bands": [{"min": 55, "amount": 30000},
                                                  {"min": 60, "amount": 40000}]}


def correct(card, code, points, who):
    return services.score_correct(card.scores.get(criterion__code=code), actor=who,
                                  points=Decimal(points), reason="复核发现评分有误")


def test_a_new_proposal_is_added_and_an_undecided_one_withdrawn(world):
    card = year_card(world, 2025, scores={"innovation": (Decimal(0), None)})
    assert card.total == 55 and not card.passed
    fail = card.consequences.get(kind=K.FAIL)
    correct(card, "innovation", 10, world.province)
    fail.refresh_from_db()
    assert fail.status == S.WITHDRAWN and "不再符合" in fail.withdrawn_reason
    assert "55.0 → 65.0" in fail.withdrawn_reason
    reward = card.consequences.get(kind=K.REWARD)
    assert (reward.status, reward.amount) == (S.PROPOSED, Decimal(40000))
    with pytest.raises(ValidationError, match="已撤回"):
        services.consequence_decide(fail, actor=world.province, approve=True)
    # Corrected back: the withdrawn one returns, the reward no longer supported goes.
    correct(card, "innovation", 0, world.province)
    fail.refresh_from_db()
    reward.refresh_from_db()
    assert (fail.status, reward.status) == (S.PROPOSED, S.WITHDRAWN)
    with pytest.raises(ValidationError, match="已撤回"):   # nothing to pay from a withdrawn one
        subsidies.claim_create_reward(reward, actor=world.agency_a1, **BANK)
    assert AuditEvent.objects.filter(action="evaluation", detail__contains="撤回建议").count() == 2


def test_an_undecided_reward_follows_its_new_band(world):
    card = year_card(world, 2025, scores={"innovation": (Decimal(0), None)}, **LOW)
    reward = card.consequences.get(kind=K.REWARD)
    assert reward.amount == Decimal(30000)
    correct(card, "innovation", 10, world.province)
    reward.refresh_from_db()
    assert (reward.status, reward.amount) == (S.PROPOSED, Decimal(40000))
    assert "60分以上档" in reward.proposal and not reward.flag
    assert AuditEvent.objects.filter(detail__contains="金额 30000.00 → 40000 元").exists()


def test_a_paid_reward_whose_band_changed_is_flagged_never_changed(world, client):
    card = year_card(world, 2025, scores={"innovation": (Decimal(0), None)}, **LOW)
    reward = services.consequence_decide(card.consequences.get(kind=K.REWARD),
                                         actor=world.province, approve=True)
    claim = subsidies.claim_create_reward(reward, actor=world.agency_a1, **BANK)
    subsidies.claim_submit(claim, actor=world.agency_a1)
    subsidies.claim_review(claim, actor=world.province)
    subsidies.claim_approve(claim, actor=world.province)
    subsidies.claim_pay(claim, actor=world.province, paid_on=timezone.localdate(),
                        voucher_no="晋财奖2026-010")
    correct(card, "innovation", 10, world.province)
    reward.refresh_from_db()
    assert (reward.status, reward.amount) == (S.APPROVED, Decimal(30000))
    assert reward.flag_open and "应为 40000" in reward.flag and "已拨付 30000.00" in reward.flag
    assert Payment.objects.get(claim=claim).amount == Decimal(30000)
    client.force_login(world.agency_a1)   # the organisation sees it too
    assert "待复核" in client.get(card.get_absolute_url()).content.decode()
    # Reviewed by the province on its page; only once, and by nobody else.
    with pytest.raises(ValidationError, match="没有正在执行的取消资格"):
        services.consequence_review(reward, actor=world.province, note="解除", lift_bar=True)
    url = reverse("evaluations:consequence_review", args=[reward.pk])
    assert client.get(url).status_code == 403
    client.force_login(world.province)
    assert client.post(url, {"note": ""}).status_code == 400
    assert client.post(url, {"note": "差额1万元另行补发"}).status_code == 302
    reward.refresh_from_db()
    assert not reward.flag_open and reward.review_note == "差额1万元另行补发"
    with pytest.raises(ValidationError, match="没有待复核"):
        services.consequence_review(reward, actor=world.province, note="再复核")
    assert AuditEvent.objects.filter(detail__contains="复核更正").count() == 1


def test_a_flagged_reward_is_not_paid_until_the_province_has_reviewed_it(world):
    card = year_card(world, 2025, scores={"innovation": (Decimal(0), None)}, **LOW)
    reward = services.consequence_decide(card.consequences.get(kind=K.REWARD),
                                         actor=world.province, approve=True)
    claim = subsidies.claim_create_reward(reward, actor=world.agency_a1, **BANK)
    subsidies.claim_submit(claim, actor=world.agency_a1)
    correct(card, "innovation", 5, world.province)   # 60: the 4万 band
    with pytest.raises(ValidationError, match="待省专项办复核"):
        subsidies.claim_review(claim, actor=world.province)
    with pytest.raises(PermissionDenied):
        services.consequence_review(reward, actor=world.city_ty, note="看过")
    services.consequence_review(reward, actor=world.province, note="维持3万元")
    subsidies.claim_review(claim, actor=world.province)
    assert claim.lines.get().amount == Decimal(30000)


def test_a_withdrawal_no_longer_held_is_flagged_and_its_bar_lifted_on_review(world):
    """A2 failed 2024 (55 points) and 2025: two in a row, approved, suspended and barred.
    2024 is corrected to 60: 2025's decision no longer holds, flagged on 2025's card."""
    first = year_card(world, 2024, org=world.a2, points=Decimal(5))
    second = year_card(world, 2025, org=world.a2, points=Decimal(0))
    twice = services.consequence_decide(second.consequences.get(kind=K.FAIL_TWICE),
                                        actor=world.province, approve=True)
    correct(first, "innovation", 10, world.province)
    assert first.consequences.get(kind=K.FAIL).status == S.WITHDRAWN
    assert first.consequences.get(kind=K.REWARD).status == S.PROPOSED
    twice.refresh_from_db()
    assert twice.status == S.APPROVED and twice.flag_open
    assert "2024年度“工作创新”公布后更正" in twice.flag
    assert second.consequences.get(kind=K.FAIL).status == S.PROPOSED   # 2025 still failed
    with pytest.raises(ValidationError, match="不得恢复"):
        agency_set_status(world.a2, status=AgencyStatus.FILED, actor=world.province)
    services.consequence_review(twice, actor=world.province, note="2024年度已合格，撤销取消资格",
                                lift_bar=True)
    twice.bar.refresh_from_db()
    assert twice.bar.lifted_on is not None
    assert agency_set_status(world.a2, status=AgencyStatus.FILED,
                             actor=world.province).status == AgencyStatus.FILED


def test_a_correction_posted_twice_or_from_a_stale_page_changes_once(world, as_user):
    """Two tabs, a replay, a page opened before another officer's correction: one change,
    one audit row, the others refused in words."""
    from apps.evaluations.models import ScoreChange
    card = year_card(world, 2025, scores={"innovation": (Decimal(0), None)})
    score = card.scores.get(criterion__code="innovation")
    url = reverse("evaluations:score_correct", args=[score.pk])
    client = as_user(world.province)
    shown = client.get(url).context["form"]["expected"].value()
    data = {"points": "10", "reason": "复核发现评分有误", "expected": shown}
    assert client.post(url, data).status_code == 302
    again = client.post(url, data)
    assert again.status_code == 400
    assert "已被修改为 10.0 分" in again.content.decode()
    # The same form without the shown points (an old page or a direct call): nothing changes.
    with pytest.raises(ValidationError, match="无需修改"):
        correct(card, "innovation", 10, world.province)
    stale = client.post(url, {**data, "points": "5"})
    assert stale.status_code == 400 and "请刷新页面" in stale.content.decode()
    score.refresh_from_db()
    assert score.points == Decimal(10)
    assert ScoreChange.objects.filter(score=score, after_publication=True).count() == 1
    assert AuditEvent.objects.filter(action="evaluation", detail__contains="公布后改分").count() == 1
