"""Two people of the reporting agency file the first report at the same moment (real commits):
one report, one closed item, one follow-up opened; the other is told it is already filed."""
import pytest

from apps.deadlines.models import DeadlineItem, ItemStatus
from apps.incidents.models import IncidentReport
from tests.concurrency import at_once
from tests.incidents.conftest import file, record

pytestmark = pytest.mark.django_db(transaction=True)


def test_six_concurrent_first_reports_file_one(abroad):
    w = abroad
    incident = record(w, learned=1, occurred=2)
    outcomes = at_once(6, lambda: file(incident, "first", w.agency_a1, expected="first").pk)
    assert sorted(o[0] for o in outcomes) == ["ValidationError"] * 5 + ["ok"]
    assert all("已报送" in o[1] for o in outcomes if o[0] != "ok")
    assert IncidentReport.objects.filter(incident=incident).count() == 1
    items = DeadlineItem.objects.filter(subject_id=incident.pk, subject_type__model="incident")
    assert sorted(items.values_list("stage", "status")) == [
        ("first", ItemStatus.DONE), ("followup-1", ItemStatus.OPEN)]
