"""Two task numbers entered for one unit's year at the same moment (real commits): one task
row, the later entry's old value is the earlier's new one, so the audit log tells exactly the
sequence (no lost step, no second row for the same unit and year)."""
import pytest
from django.utils import timezone

from apps.audit.models import AuditAction, AuditEvent
from apps.quotas import services
from apps.quotas.models import Task, TaskPlan
from tests.concurrency import at_once

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_entries_at_once_for_a_unit_without_a_task_make_one_row(world):
    year = timezone.localdate().year
    TaskPlan.objects.create(year=year)
    numbers = iter([30, 50])
    outcomes = at_once(2, lambda: services.task_set(year=year, unit=world.u2,
                                                    number=next(numbers), note="",
                                                    actor=world.province).number)
    assert sorted(o for o, _ in outcomes) == ["ok", "ok"]
    task = Task.objects.get(year=year, unit=world.u2)
    details = list(AuditEvent.objects.filter(action=AuditAction.QUOTA, object_id=str(task.pk),
                                             detail__contains=" → ")
                   .order_by("id").values_list("detail", flat=True))
    assert len(details) == 2
    first, second = (d.rsplit("：", 1)[1] for d in details)
    assert first.startswith("未知 → ")
    assert second.split(" → ")[0] == first.split(" → ")[1]  # the second saw the first
    assert second.endswith(str(task.number))
