"""The deadline scan through the real broker and a real worker (CI: the machine's Redis)."""
from datetime import date

import pytest

from apps.deadlines.models import DeadlineItem, ItemStatus, Notice
from apps.deadlines.tasks import deadlines_scan
from apps.pipeline.models import Stage
from apps.pipeline.services import session_create


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_scans_once_and_a_second_run_changes_nothing(world, worker):
    session_create(actor=world.unit_u1, stage=Stage.FIRST_INTERVIEW, project=world.project_a1,
                   held_on=date(2026, 9, 30), place="视频", hospital="", unit=world.u1,
                   city=world.ty)  # due 13 Oct 2026: overdue by the time these tests run
    first = deadlines_scan.apply_async(queue=worker).get(timeout=90)
    assert first == {"overdue": 1, "due_soon": 0, "notices": 1}
    second = deadlines_scan.apply_async(queue=worker).get(timeout=90)
    assert second == {"overdue": 0, "due_soon": 0, "notices": 0}
    item = DeadlineItem.objects.get(candidacy=world.cand_ty)
    # The scan notices; the state was overdue before it ran and is read, not stored.
    assert (item.status, item.state) == (ItemStatus.OPEN, ItemStatus.OVERDUE)
    assert Notice.objects.count() == 1
