"""An incident abroad does not happen before the workers it involves had left (docs/TIME-RULES.md
rule 34): attacked on 登记突发事件 (service and page, Beijing midnight included) and on 添加涉事人员."""
from datetime import datetime, time, timedelta
from datetime import timezone as dt_timezone

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from apps.incidents.models import Incident, IncidentWorker
from tests.incidents.conftest import abroad_person, record, send_abroad
from tests.incidents.test_controls import _local, create_post


def test_an_incident_before_a_workers_departure_is_refused_naming_them(abroad, client):
    w = abroad
    today = timezone.localdate()
    send_abroad(w.w2, departed_on=today - timedelta(days=3))
    before = timezone.now() - timedelta(days=5)
    with pytest.raises(ValidationError, match=f"王二（{today - timedelta(days=3):%Y-%m-%d}出境）"):
        record(w, occurred_at=before, learned_at=before + timedelta(hours=1))
    client.force_login(w.agency_a1)
    response = client.post(reverse("incidents:incident_create"), create_post(
        w, workers=[w.w1.pk, w.w2.pk], occurred_at=_local(before),
        learned_at=_local(before + timedelta(hours=1))))
    body = response.content.decode()
    assert response.status_code == 400 and "早于涉事人员的输出日期" in body and "王二" in body
    assert "王一（2025-07-01出境）" not in body  # 王一 left in 2025: not named
    assert not Incident.objects.exists()


def test_the_departure_day_is_counted_in_beijing(abroad):
    w = abroad
    departed = timezone.localdate() - timedelta(days=2)
    send_abroad(w.w2, departed_on=departed)
    # 23:30 UTC the day before the departure is 07:30 Beijing on the departure day: allowed;
    # 15:30 UTC that day is 23:30 Beijing the day before: refused.
    allowed = datetime.combine(departed - timedelta(days=1), time(23, 30), dt_timezone.utc)
    refused = datetime.combine(departed - timedelta(days=1), time(15, 30), dt_timezone.utc)
    with pytest.raises(ValidationError, match="早于涉事人员的输出日期"):
        record(w, workers=[w.w2], occurred_at=refused, learned_at=refused + timedelta(hours=1))
    incident = record(w, workers=[w.w2], occurred_at=allowed,
                      learned_at=allowed + timedelta(hours=1))
    assert incident.workers.count() == 1


def test_adding_a_worker_who_left_after_the_incident_is_refused(abroad, client):
    w = abroad
    incident = record(w, workers=[w.w1], occurred=24 * 10, learned=24 * 10 - 1)
    late = send_abroad(abroad_person(w, "王三", 3), departed_on=timezone.localdate() - timedelta(days=2))
    with pytest.raises(ValidationError, match="王三"):
        from apps.incidents.services import incident_workers_add
        incident_workers_add(incident, actor=w.agency_a1, candidacies=[late])
    client.force_login(w.agency_a1)
    response = client.post(reverse("incidents:workers_add", args=[incident.pk]),
                           {"workers": [late.pk]})
    assert "早于涉事人员的输出日期" in response.content.decode()
    assert not IncidentWorker.objects.filter(incident=incident, candidacy=late).exists()
