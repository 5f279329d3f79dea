"""Returns and referrals sent twice at once (real commits): a return with wages owed records
one return and opens one complaint; a referral is made once and moved on once; the others are
told in words."""
from decimal import Decimal

import pytest
from django.utils import timezone

from apps.complaints.models import Complaint
from apps.pipeline.models import Candidacy, StageEvent
from apps.returnees.models import Referral, ReturneeProfile
from apps.returnees.services import profile_save, referral_create, referral_move
from tests.concurrency import at_once
from tests.returnees.conftest import abroad, profile_fields, returned, unpaid

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_return_with_wages_owed_sent_twice_at_once_opens_one_complaint(world):
    c = abroad(world, "欠薪并发", 91)
    outcomes = at_once(2, lambda: unpaid(Candidacy.objects.get(pk=c.pk), world.agency_a1).pk)
    assert [o for o, _ in outcomes].count("ok") == 1, outcomes
    assert all("不能再录入" in m for o, m in outcomes if o != "ok"), outcomes
    assert StageEvent.objects.filter(candidacy=c, stage="return").count() == 1
    complaint = Complaint.objects.get(candidacy=c)
    assert complaint.claims.get().amount == Decimal("30000")


def test_a_referral_made_and_moved_twice_at_once_happens_once(world):
    c = returned(world, "转介并发", 92)
    profile = profile_save(c.person, actor=world.unit_u1, **profile_fields())
    today = timezone.localdate()
    outcomes = at_once(3, lambda: referral_create(
        ReturneeProfile.objects.get(pk=profile.pk), actor=world.unit_u1, service="employment",
        provider="区就业中心", referred_on=today).pk)
    assert [o for o, _ in outcomes].count("ok") == 1, outcomes
    assert all("未办结的“" in m for o, m in outcomes if o != "ok")
    referral = Referral.objects.get(profile=profile)
    outcomes = at_once(2, lambda: referral_move(
        Referral.objects.get(pk=referral.pk), actor=world.unit_u1, status="completed", on=today,
        outcome="已安排就业", expected="referred").pk)
    assert [o for o, _ in outcomes].count("ok") == 1, outcomes
    assert all("已由他人办理" in m for o, m in outcomes if o != "ok")
    referral.refresh_from_db()
    assert referral.status == "completed"
    assert referral.history.count() == 2  # made, completed: no second move recorded
