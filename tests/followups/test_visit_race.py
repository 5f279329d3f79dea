"""Visit 1 recorded from two tabs at once (real commits): one visit, its item closed once,
visit 2 owed once; the other tab is told the visit is already recorded."""
import pytest
from django.utils import timezone

from apps.followups import services
from apps.followups.models import FollowUpPlan, FollowUpVisit
from apps.followups.selectors import plan_items
from tests.concurrency import at_once

pytestmark = pytest.mark.django_db(transaction=True)


def test_one_visit_recorded_twice_at_once_is_recorded_once(world, plan):
    outcomes = at_once(2, lambda: services.visit_record(
        FollowUpPlan.objects.get(pk=plan.pk), actor=world.agency_a1, number=1,
        visited_on=timezone.localdate(), mode="phone", officer_name="李明",
        workers=world.abroad[:1]).pk)
    assert [o for o, _ in outcomes].count("ok") == 1, outcomes
    assert all("请勿重复提交" in m for o, m in outcomes if o != "ok")
    assert FollowUpVisit.objects.filter(plan=plan).count() == 1
    items = sorted(plan_items(plan).values_list("stage", "status"))
    assert [stage for stage, _ in items] == ["visit-1", "visit-2"]
    assert items[0][1] in ("done", "done_late") and items[1][1] == "open"
