"""Visits: what they may record, the items they close and open, the one-step seam."""
from datetime import datetime, time, timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from apps.deadlines.models import ItemStatus
from apps.followups import selectors, services
from apps.followups.models import FollowUpVisit, IssueKind, VisitIssue
from apps.followups.selectors import plan_items
from apps.pipeline.models import Candidacy, CandidacyStatus
from tests.conftest import as_step
from tests.followups.helpers import issues_data, send_abroad

pytestmark = pytest.mark.django_db


def visit_data(world, *, number=1, on=None, workers=None, issues=(), **extra):
    return {"number": str(number), "visited_on": (on or timezone.localdate()).isoformat(),
            "mode": "phone", "officer": "", "officer_name": "李明", "note": "情况正常",
            "workers": [c.pk for c in (workers if workers is not None else world.abroad[:3])],
            **issues_data(issues), **extra}


def test_a_visit_closes_its_item_and_opens_the_next(world, as_user, plan):
    client = as_user(world.agency_a1)
    today = timezone.localdate()
    response = client.post(reverse("followups:visit_create", args=[plan.pk]), visit_data(
        world, on=today - timedelta(days=2),
        issues=[("宿舍漏水", IssueKind.COMPLAINT, "已联系雇主维修"), ("", "none", "")]))
    assert response.status_code == 302
    visit = FollowUpVisit.objects.get()
    assert (visit.number, visit.mode, visit.officer_name, visit.recorded_by) == (
        1, "phone", "李明", world.agency_a1)
    assert set(visit.workers.all()) == set(world.abroad[:3])
    assert list(visit.issues.values_list("description", "kind", "action_taken")) == [
        ("宿舍漏水", "complaint", "已联系雇主维修")]
    first, second = plan_items(plan).order_by("stage")
    assert (first.stage, first.status) == ("visit-1", ItemStatus.DONE)
    # The next one: 30 calendar days after this visit, by the end of that day.
    assert (second.stage, second.status) == ("visit-2", ItemStatus.OPEN)
    assert second.due_on == today - timedelta(days=2) + timedelta(days=30)
    assert second.due_at == timezone.make_aware(datetime.combine(second.due_on, time.max))
    page = client.get(reverse("followups:plan_detail", args=[plan.pk])).content.decode()
    assert "宿舍漏水" in page and "第1次" in page


def test_a_late_visit_closes_its_item_late_whatever_date_it_claims(world):
    send_abroad(world, 100)
    services.plans_ensure(today=timezone.localdate() - timedelta(days=45))
    plan = selectors.FollowUpPlan.objects.get()
    abroad = list(Candidacy.objects.filter(project=world.project_a1)[:1])
    # Backdated to a day before the first visit was due: still recorded after the due time.
    services.visit_record(plan, actor=world.agency_a1, number=1, mode="video",
                          visited_on=timezone.localdate() - timedelta(days=20),
                          officer_name="李明", workers=abroad)
    item = plan_items(plan).get(stage="visit-1")
    assert item.status == ItemStatus.DONE_LATE


def test_a_visit_in_the_future_or_before_the_plan_or_the_last_visit_is_refused(
        world, as_user, plan):
    client = as_user(world.agency_a1)
    url = reverse("followups:visit_create", args=[plan.pk])
    today = timezone.localdate()
    for day, message in ((today + timedelta(days=1), "不能晚于今天"),
                         (plan.started_on - timedelta(days=1), "不能早于随访计划开始日期")):
        response = client.post(url, visit_data(world, on=day))
        assert response.status_code == 400 and message in response.content.decode()
    assert not FollowUpVisit.objects.exists()
    assert client.post(url, visit_data(world, on=today - timedelta(days=1))).status_code == 302
    response = client.post(url, visit_data(world, number=2, on=today - timedelta(days=3)))
    assert response.status_code == 400 and "不能早于上次随访日期" in response.content.decode()
    assert FollowUpVisit.objects.count() == 1


def test_workers_not_abroad_on_the_project_are_refused_by_name(world, as_user, plan):
    client = as_user(world.province)
    url = reverse("followups:visit_create", args=[plan.pk])
    returned = send_abroad(world, 1, status=CandidacyStatus.RETURNED)[0]
    other_project = send_abroad(world, 1, project=world.project_a1_draft)[0]
    # 张三 is on the project but not abroad; the others came home or are on another project.
    response = client.post(url, visit_data(
        world, workers=[world.abroad[0], world.cand_ty, returned, other_project]))
    body = response.content.decode()
    assert response.status_code == 400 and "以下人员不是本项目的在外人员" in body
    for name in ("张三", returned.person.name, other_project.person.name):
        assert name in body
    assert not FollowUpVisit.objects.exists()


def test_an_agency_cannot_name_a_person_it_may_not_see(world, as_user, plan):
    client = as_user(world.agency_a1)
    response = client.post(reverse("followups:visit_create", args=[plan.pk]),
                           visit_data(world, workers=[world.cand_dt]))
    body = response.content.decode()
    assert response.status_code == 400
    assert f"所选人员（编号 {world.cand_dt.pk}）不是本项目的在外人员" in body
    assert "越权哨兵" not in body
    assert not FollowUpVisit.objects.exists()


def test_a_replayed_or_doubled_visit_is_recorded_once(world, as_user, plan):
    client = as_user(world.agency_a1)
    url = reverse("followups:visit_create", args=[plan.pk])
    data = visit_data(world)
    assert client.post(url, data).status_code == 302
    response = client.post(url, data)
    assert response.status_code == 400 and "请勿重复提交" in response.content.decode()
    assert FollowUpVisit.objects.count() == 1
    assert plan_items(plan).count() == 2  # visit-1 closed, visit-2 open: no visit-3


def test_only_the_projects_agency_and_the_province_record_visits(world, as_user, plan):
    url = reverse("followups:visit_create", args=[plan.pk])
    for user, status in ((world.city_ty, 403), (world.unit_u1, 403), (world.agency_a2, 404)):
        assert as_user(user).post(url, visit_data(world)).status_code == status
    from django.core.exceptions import PermissionDenied
    with pytest.raises(PermissionDenied):
        services.visit_record(plan, actor=world.agency_a2, number=1,
                              visited_on=timezone.localdate(), mode="phone",
                              officer_name="王五", workers=world.abroad[:1])
    assert not FollowUpVisit.objects.exists()
    assert as_user(world.province).post(url, visit_data(world)).status_code == 302


def test_an_overdue_visit_is_on_the_agencys_my_items(world, as_user):
    send_abroad(world, 100)
    services.plans_ensure(today=timezone.localdate() - timedelta(days=31))
    plan = selectors.FollowUpPlan.objects.get()
    client = as_user(world.agency_a1)
    page = client.get(reverse("deadlines:my_items") + "?state=overdue").content.decode()
    assert "跟踪随访：日本介护项目" in page and plan.get_absolute_url() in page
    assert selectors.followup_figures(world.agency_a1)["overdue"] == 1
    listed = client.get(reverse("followups:plan_list") + "?overdue=on").content.decode()
    assert "已逾期" in listed and "日本介护项目" in listed
    # Not another agency's, nor counted for it.
    other = as_user(world.agency_a2).get(reverse("deadlines:my_items")).content.decode()
    assert "跟踪随访：" not in other
    assert selectors.followup_figures(world.agency_a2)["overdue"] == 0


def test_an_issue_opens_a_complaint_and_an_incident_in_one_step(world, as_user, plan):
    """The visit's issue links to the create page with its workers; the record made there is
    linked back in the same service call, and the button is gone."""
    import html
    import re

    from apps.complaints.models import Complaint
    from apps.incidents.models import Incident
    services.visit_record(plan, actor=world.agency_a1, number=1,
                          visited_on=timezone.localdate(), mode="on_site", officer_name="李明",
                          workers=world.abroad[:2],
                          issues=[{"description": "拖欠工资", "kind": IssueKind.COMPLAINT},
                                  {"description": "工伤", "kind": IssueKind.INCIDENT},
                                  {"description": "想家", "kind": IssueKind.NONE}])
    url = reverse("followups:plan_detail", args=[plan.pk])
    client = as_user(world.agency_a1)
    page = client.get(url).content.decode()
    links = {label: html.unescape(href) for href, label in re.findall(
        r'href="([^"]+)">(登记投诉或纠纷|报告突发事件)</a>', page)}
    assert set(links) == {"登记投诉或纠纷", "报告突发事件"}
    assert "登记投诉或纠纷" not in as_user(world.city_ty).get(url).content.decode()
    client = as_user(world.agency_a1)

    form = client.get(links["登记投诉或纠纷"]).context["form"]
    issue = VisitIssue.objects.get(kind=IssueKind.COMPLAINT)
    assert form.initial["summary"] == "拖欠工资"
    worker = form.initial["candidacy"]
    assert worker in [c.pk for c in world.abroad[:2]]
    response = client.post(links["登记投诉或纠纷"], {
        "candidacy": worker, "channel": "visit", "received_on": timezone.localdate().isoformat(),
        "kind": "complaint", "category": "wages", "respondent_kind": "employer",
        "respondent_employer": "株式会社さくら", "summary": "拖欠工资", "claim1_kind": "wages",
        "claim1_amount": "8000"})
    assert response.status_code == 302, response.context["form"].errors
    issue.refresh_from_db()
    assert issue.opened == Complaint.objects.get()

    form = client.get(links["报告突发事件"]).context["form"]
    assert sorted(form.initial["workers"]) == sorted(c.pk for c in world.abroad[:2])
    now = timezone.localtime()
    response = client.post(links["报告突发事件"], {
        "category": "injury", "grade": "4", "occurred_at": now.strftime("%Y-%m-%dT%H:%M"),
        "learned_at": now.strftime("%Y-%m-%dT%H:%M"), "country": "日本", "place": "大阪",
        "summary": "工伤", "workers": form.initial["workers"]})
    assert response.status_code == 302, response.context["form"].errors
    assert VisitIssue.objects.get(kind=IssueKind.INCIDENT).opened == Incident.objects.get()
    # Both opened: no buttons any more, and a replayed link opens nothing twice.
    page = client.get(url).content.decode()
    assert "登记投诉或纠纷" not in page and "报告突发事件" not in page
    again = client.get(links["登记投诉或纠纷"]).context["form"]
    assert "summary" not in again.initial


def test_another_agency_cannot_open_from_a_foreign_issue(world, as_user, plan):
    services.visit_record(plan, actor=world.agency_a1, number=1,
                          visited_on=timezone.localdate(), mode="phone", officer_name="李明",
                          workers=world.abroad[:1],
                          issues=[{"description": "拖欠工资", "kind": IssueKind.COMPLAINT}])
    issue = VisitIssue.objects.get()
    link = (reverse("complaints:complaint_create") + f"?followup_issue={issue.pk}"
            f"&candidacy={world.abroad[0].pk}")
    form = as_user(world.agency_a2).get(link).context["form"]
    assert "summary" not in form.initial and "拖欠工资" not in str(form.initial)
    # The city sees the plan but does not record visits: nothing prefilled either.
    assert "summary" not in as_user(world.city_ty).get(link).context["form"].initial
def test_the_opened_record_is_linked_back_once(world, plan, monkeypatch):
    visit = services.visit_record(plan, actor=world.agency_a1, number=1,
                                  visited_on=timezone.localdate(), mode="phone",
                                  officer_name="李明", workers=world.abroad[:1],
                                  issues=[{"description": "拖欠工资", "kind": "complaint"},
                                          {"description": "想家", "kind": "none"}])
    complaint, general = visit.issues.order_by("id")
    # Until apps.complaints exists, a registry row stands in for the complaint record.
    monkeypatch.setitem(services.OPENED_APPS, IssueKind.COMPLAINT, "registry")
    with pytest.raises(ValueError):
        as_step(services.issue_link_opened, general, world.person_ty)
    as_step(services.issue_link_opened, complaint, world.person_ty)
    complaint.refresh_from_db()
    assert (complaint.opened_type, complaint.opened_id) == (
        ContentType.objects.get_for_model(world.person_ty), world.person_ty.pk)
    with pytest.raises(ValidationError, match="已据此登记投诉纠纷"):
        as_step(services.issue_link_opened, complaint, world.person_dt)
    assert selectors.issue_open_link(complaint, []) == ""
