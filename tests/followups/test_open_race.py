"""An issue found on a follow-up visit opens one complaint or one incident: two tabs posting
the same create form at once, or the form posted again after it succeeded, open nothing more
and are told so (real commits, real threads for the race)."""
import html
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from apps.complaints import services as complaints
from apps.complaints.models import Complaint
from apps.followups import services
from apps.followups.models import IssueKind, VisitIssue
from apps.incidents import services as incidents
from apps.incidents.models import Incident
from tests.concurrency import at_once


def _visit(world, plan):
    services.visit_record(plan, actor=world.agency_a1, number=1,
                          visited_on=timezone.localdate(), mode="phone", officer_name="李明",
                          workers=world.abroad[:1],
                          issues=[{"description": "拖欠工资", "kind": IssueKind.COMPLAINT},
                                  {"description": "工伤", "kind": IssueKind.INCIDENT}])
    return (VisitIssue.objects.get(kind=IssueKind.COMPLAINT),
            VisitIssue.objects.get(kind=IssueKind.INCIDENT))


def _complaint(world, issue):
    return complaints.complaint_file(
        actor=world.agency_a1, candidacy=world.abroad[0], channel="visit",
        received_on=timezone.localdate(), kind="complaint", category="wages",
        respondent_kind="employer", respondent_employer="株式会社さくら", summary="拖欠工资",
        opened_from=VisitIssue.objects.get(pk=issue.pk))


def _incident(world, issue):
    now = timezone.now()
    return incidents.incident_record(
        actor=world.agency_a1, candidacies=[world.abroad[0]], category="injury", grade=4,
        occurred_at=now, learned_at=now, country="日本", place="大阪", summary="工伤",
        opened_from=VisitIssue.objects.get(pk=issue.pk))


@pytest.mark.django_db(transaction=True)
def test_two_tabs_opening_a_complaint_and_an_incident_from_one_issue_open_one_each(world, plan):
    complaint_issue, incident_issue = _visit(world, plan)
    for issue, open_one, model in ((complaint_issue, _complaint, Complaint),
                                   (incident_issue, _incident, Incident)):
        outcomes = at_once(2, lambda: open_one(world, issue).pk)
        assert [o for o, _ in outcomes].count("ok") == 1, outcomes
        assert [o for o, _ in outcomes].count("ValidationError") == 1, outcomes
        # Told in words: the case is already filed, or the issue already opened it.
        assert all("请勿重复提交" in message for o, message in outcomes if o != "ok")
        assert model.objects.count() == 1
        issue.refresh_from_db()
        assert issue.opened == model.objects.get()


def _complaint_form(world):
    return {"candidacy": world.abroad[0].pk, "channel": "visit",
            "received_on": timezone.localdate().isoformat(), "kind": "complaint",
            "category": "wages", "respondent_kind": "employer",
            "respondent_employer": "株式会社さくら", "summary": "拖欠工资"}


def _incident_form(world):
    now = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    return {"category": "injury", "grade": "4", "occurred_at": now, "learned_at": now,
            "country": "日本", "place": "大阪", "summary": "工伤",
            "workers": [world.abroad[0].pk]}


@pytest.mark.parametrize("page, form, model, label, refused", [
    ("complaints:complaint_create", _complaint_form, Complaint, "投诉纠纷", 200),
    ("incidents:incident_create", _incident_form, Incident, "突发事件", 400)])
def test_the_form_posted_again_after_it_succeeded_opens_nothing(world, plan, as_user, page,
                                                                form, model, label, refused):
    issue = _visit(world, plan)[0 if model is Complaint else 1]
    link = (reverse(page) + f"?followup_visit={issue.visit_id}"
            f"&followup_issue={issue.pk}&candidacy={world.abroad[0].pk}")
    client = as_user(world.agency_a1)
    data = form(world)
    first = client.post(link, data)
    assert first.status_code == 302, first.context["form"].errors
    again = client.post(link, data)
    assert again.status_code == refused
    assert "请勿重复提交" in html.unescape(again.content.decode())
    # Reworded on the old form: still the same issue, which opened its record already.
    reworded = client.post(link, {**data, "summary": data["summary"] + "（补充）"})
    assert f"已据此登记{label}" in html.unescape(reworded.content.decode())
    assert model.objects.count() == 1
    issue.refresh_from_db()
    assert issue.opened == model.objects.get()
