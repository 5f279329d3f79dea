from datetime import timedelta

import pytest
from django.utils import timezone

from apps.followups import services
from apps.followups.models import FollowUpPlan
from tests.followups.helpers import send_abroad


@pytest.fixture
def plan(world):
    """A 太原-side plan: 100 people of 山西大学 abroad on project_a1, begun 10 days ago."""
    world.abroad = send_abroad(world, 100)
    services.plans_ensure(today=timezone.localdate() - timedelta(days=10))
    world.plan = FollowUpPlan.objects.get(project=world.project_a1)
    return world.plan
