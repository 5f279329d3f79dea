"""The same case filed twice: two tabs posting at once (real commits), or the form posted
again after it succeeded. One case, one filing step; the other is told it is already filed."""
import html
from datetime import date

import pytest
from django.urls import reverse

from apps.audit.models import AuditAction, AuditEvent
from apps.complaints.models import Complaint, ComplaintStep
from tests.complaints.conftest import file_case
from tests.concurrency import at_once


@pytest.mark.django_db(transaction=True)
def test_the_same_case_filed_three_times_at_once_is_filed_once(abroad):
    w = abroad
    outcomes = at_once(3, lambda: file_case(w, summary="雇主拖欠三个月工资").pk)
    assert [o for o, _ in outcomes].count("ok") == 1, outcomes
    assert all("相同投诉纠纷已登记" in message for o, message in outcomes if o != "ok")
    c = Complaint.objects.get()
    assert ComplaintStep.objects.filter(complaint=c).count() == 1
    assert c.claims.count() == 2
    assert AuditEvent.objects.filter(action=AuditAction.COMPLAINT, object_id=str(c.pk)).count() == 1
    assert AuditEvent.objects.filter(action=AuditAction.COMPLAINT).count() == 1


def test_the_create_form_posted_again_files_nothing_more(abroad, as_user):
    w = abroad
    client = as_user(w.unit_u1)
    data = {"candidacy": w.cand_ty.pk, "channel": "phone", "received_on": "2026-09-01",
            "kind": "complaint", "category": "wages", "respondent_kind": "agency",
            "respondent_agency": w.a1.pk, "summary": "雇主拖欠三个月工资",
            "claim1_kind": "wages", "claim1_amount": "30000"}
    url = reverse("complaints:complaint_create")
    first = client.post(url, data)
    assert first.status_code == 302, first.context["form"].errors
    again = client.post(url, data)
    assert again.status_code == 200
    assert "相同投诉纠纷已登记" in html.unescape(again.content.decode())
    assert Complaint.objects.count() == 1
    # Another matter of the same worker on the same day is still filed.
    other = client.post(url, {**data, "category": "fees", "summary": "机构多收服务费"})
    assert other.status_code == 302
    assert Complaint.objects.count() == 2
    assert file_case(w, on=date(2026, 9, 2), summary="雇主拖欠三个月工资").pk  # another day
