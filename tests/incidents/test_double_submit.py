"""The same incident recorded twice: two tabs posting at once (real commits), or the form
posted again after it succeeded. One incident, one first report owed; the other is told."""
import html

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.audit.models import AuditAction, AuditEvent
from apps.deadlines.models import DeadlineItem
from apps.incidents.models import Incident, IncidentWorker
from tests.concurrency import at_once
from tests.incidents.conftest import hours_ago, record


@pytest.mark.django_db(transaction=True)
def test_the_same_incident_recorded_three_times_at_once_is_recorded_once(abroad):
    w = abroad
    occurred, learned = hours_ago(3), hours_ago(2)  # the same form: the same moments
    outcomes = at_once(3, lambda: record(w, occurred_at=occurred, learned_at=learned).pk)
    assert [o for o, _ in outcomes].count("ok") == 1, outcomes
    assert all("相同的突发事件已登记" in message for o, message in outcomes if o != "ok")
    incident = Incident.objects.get()
    assert IncidentWorker.objects.filter(incident=incident).count() == 2
    assert DeadlineItem.objects.filter(subject_type__model="incident").count() == 1
    assert AuditEvent.objects.filter(action=AuditAction.INCIDENT).count() == 1


def test_the_record_form_posted_again_records_nothing_more(abroad, as_user):
    w = abroad
    client = as_user(w.agency_a1)
    moment = timezone.localtime(hours_ago(3)).strftime("%Y-%m-%dT%H:%M")
    data = {"category": "injury", "grade": 4, "occurred_at": moment, "learned_at": moment,
            "country": "日本", "place": "大阪", "summary": "叉车事故", "workers": [w.w1.pk]}
    url = reverse("incidents:incident_create")
    first = client.post(url, data)
    assert first.status_code == 302, first.context["form"].errors
    again = client.post(url, data)
    assert again.status_code == 400
    assert "相同的突发事件已登记" in html.unescape(again.content.decode())
    assert Incident.objects.count() == 1
    # Another person in another incident at the same moment is still recorded.
    other = client.post(url, {**data, "summary": "另一工地坠落", "workers": [w.w2.pk]})
    assert other.status_code == 302
    assert Incident.objects.count() == 2
