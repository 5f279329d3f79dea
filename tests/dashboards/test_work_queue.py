"""Home pages are each role's work queue (issue 16): every count is the rows behind its link."""
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.deadlines.services import stage_item_open
from apps.pipeline.models import Candidacy, CandidacyStatus, Result, Stage
from apps.pipeline.services import candidacy_record
from apps.projects.models import JobProject, ProjectStatus
from apps.subsidies.models import Claim, ClaimStatus
from tests.conftest import as_step


def _rows(response) -> int:
    """Rows the linked list shows (each list here has fewer than one page of them)."""
    context = response.context
    if "items" in context:                      # 我的待办
        return len(list(context["items"]))
    return len(context["page"].object_list)


def _queue(client, user):
    client.force_login(user)
    response = client.get(reverse("accounts:home"))
    assert response.status_code == 200
    return response


@pytest.fixture
def work(world):
    """Something waiting for every role, on the 太原 side and the 大同 side."""
    # 初试 of 张三 was held on 10 March: its results are long overdue; a future 体检 is due.
    as_step(stage_item_open, world.cand_ty, Stage.FIRST_INTERVIEW, date(2026, 3, 10))
    as_step(stage_item_open, world.cand_dt, Stage.FIRST_INTERVIEW, date(2026, 3, 10))
    future = timezone.localdate() + timedelta(days=20)
    as_step(stage_item_open, world.cand_ty, Stage.MEDICAL, future)
    JobProject.objects.filter(pk=world.project_a1_draft.pk).update(status=ProjectStatus.SUBMITTED)
    Claim.objects.filter(pk=world.claim_ty.pk).update(status=ClaimStatus.RETURNED)
    Claim.objects.filter(pk=world.claim_dt.pk).update(status=ClaimStatus.SUBMITTED)
    return world


EXPECTED = {  # role user -> {label: count} the test world makes
    "province": {"待审核岗位项目": 1, "待审批备案": 1, "全省逾期事项": 2},
    "city_ty": {"本市逾期事项": 1, "待确认的名册上传": 1, "待审核补助资金申请": 0},
    "city_dt": {"待审核补助资金申请": 1, "本市逾期事项": 1},
    "unit_u1": {"逾期事项": 1, "未到期待办": 1, "待录入下一环节的人员": 1,
                "被退回的补助资金申请": 1, "待确认的名册上传": 1},
    "agency_a1": {"待定合同（复试合格）": 0, "待登记输出（培训合格）": 0},
}


@pytest.mark.parametrize("username", sorted(EXPECTED))
def test_each_count_is_the_number_of_rows_on_the_list_it_links_to(work, client, username):
    queue = _queue(client, getattr(work, username)).context["queue"]
    counts = {e.label: e.count for e in queue}
    for label, count in EXPECTED[username].items():
        assert counts[label] == count, (username, label)
    for entry in queue:
        linked = client.get(entry.url)
        assert linked.status_code == 200, entry.url
        assert _rows(linked) == entry.count, (username, entry.label, entry.url)


def test_the_agency_sees_candidates_awaiting_its_contract_decision(work, client):
    Candidacy.objects.filter(pk=work.cand_ty.pk).update(stage=Stage.SECOND_INTERVIEW,
                                                         result=Result.PASS)
    queue = {e.label: e for e in _queue(client, work.agency_a1).context["queue"]}
    entry = queue["待定合同（复试合格）"]
    assert entry.count == 1 and entry.urgent
    linked = client.get(entry.url)
    assert [c.person.name for c in linked.context["page"]] == [work.person_ty.name]
    # The other agency's candidate is not in its queue, nor on its list.
    Candidacy.objects.filter(pk=work.cand_dt.pk).update(stage=Stage.SECOND_INTERVIEW,
                                                         status=CandidacyStatus.ACTIVE)
    queue = {e.label: e.count for e in _queue(client, work.agency_a1).context["queue"]}
    assert queue["待定合同（复试合格）"] == 1


def test_the_province_sees_overdue_items_by_city_each_linking_to_that_city(work, client):
    by_city = _queue(client, work.province).context["overdue_by_city"]
    assert {e.label: e.count for e in by_city} == {work.ty.name: 1, work.dt.name: 1}
    for entry in by_city:
        items = client.get(entry.url).context["items"]
        assert len(items) == entry.count
        assert {i.city.name for i in items} == {entry.label}


def test_overdue_is_read_from_the_due_date_not_the_last_scan(work, client):
    """No scan has run: the stored status of the March item is still 待办, yet it is overdue."""
    item = work.cand_ty.deadline_items.get(stage=Stage.FIRST_INTERVIEW)
    assert item.status == "open"
    counts = {e.label: e.count for e in _queue(client, work.unit_u1).context["queue"]}
    assert counts["逾期事项"] == 1
    page = client.get(reverse("deadlines:my_items") + "?state=overdue").content.decode()
    assert "已逾期" in page


def test_the_unit_queue_empties_as_it_works(work, client):
    counts = {e.label: e.count for e in _queue(client, work.unit_u1).context["queue"]}
    assert counts["逾期事项"] == 1 and counts["待录入下一环节的人员"] == 1
    candidacy_record(work.cand_ty, stage=Stage.FIRST_INTERVIEW, result=Result.PASS,
                     on=date(2026, 3, 10), actor=work.unit_u1)
    counts = {e.label: e.count for e in _queue(client, work.unit_u1).context["queue"]}
    assert counts["逾期事项"] == 0
    # Passed 初试: 体检 is again the unit's to record, so the person still waits for it.
    assert counts["待录入下一环节的人员"] == 1
    candidacy_record(work.cand_ty, stage=Stage.MEDICAL, result=Result.FAIL,
                     on=date(2026, 3, 12), actor=work.unit_u1)
    counts = {e.label: e.count for e in _queue(client, work.unit_u1).context["queue"]}
    assert counts["待录入下一环节的人员"] == 0 and counts["未到期待办"] == 0


def test_another_units_work_never_counts(work, client):
    counts = {e.label: e.count for e in _queue(client, work.unit_u3).context["queue"]}
    assert counts["被退回的补助资金申请"] == 0  # 山西大学's returned claim
    assert counts["逾期事项"] == 1              # its own March item only
    items = client.get(reverse("deadlines:my_items") + "?state=overdue").context["items"]
    assert {i.candidacy.person_id for i in items} == {work.person_dt.pk}


# Queries of each home page (session and user, the queue's one count per entry, the year's
# tasks, the organisation's partners): measured, and the same with much more work waiting.
# unit and agency: two register entries, each a count on the stored contract end date;
# province and agency: one count each of evaluation reward claims (an agency has no city).
HOME_QUERIES = {"province": 19, "city_ty": 15, "unit_u1": 22, "agency_a1": 15, "observer": 8}


@pytest.mark.parametrize("username", sorted(HOME_QUERIES))
def test_home_page_queries_do_not_grow_with_the_work(world, client, username,
                                                     django_assert_num_queries):
    client.force_login(getattr(world, username))
    client.get(reverse("accounts:home"))  # the session's first request loads more
    with django_assert_num_queries(HOME_QUERIES[username]):
        client.get(reverse("accounts:home"))
    # More of every kind of work, in more cities: the home page's queries stay the same.
    for stage, day in ((Stage.FIRST_INTERVIEW, date(2026, 3, 10)), (Stage.MEDICAL, date(2026, 4, 1))):
        as_step(stage_item_open, world.cand_ty, stage, day)
        as_step(stage_item_open, world.cand_dt, stage, day)
    JobProject.objects.update(status=ProjectStatus.SUBMITTED)
    Claim.objects.update(status=ClaimStatus.REVIEWED)
    with django_assert_num_queries(HOME_QUERIES[username]):
        client.get(reverse("accounts:home"))
