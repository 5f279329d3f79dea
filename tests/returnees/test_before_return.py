"""Issue 19 item 2: as a contract's end approaches the agency is reminded (about three months
and two weeks before), and the return is owed (待办) from the contract's end — deadline items
whose subject is the candidacy abroad, the rules as data."""
from datetime import date, datetime, time, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from apps.deadlines.models import DeadlineItem, DeadlineRule, ItemStatus, Notice
from apps.deadlines.selectors import my_items, my_notices
from apps.deadlines.services import (
    candidacy_items, deadlines_scan, return_items_ensure, return_items_open, return_prep_done,
)
from apps.pipeline.models import Candidacy
from apps.workdays.calendar import add_working_days
from tests.conftest import as_step
from tests.pipeline_walk import walk
from tests.returnees.conftest import abroad, come_back, unpaid


def _items(c) -> dict:
    return {i.stage: i for i in candidacy_items(c).select_related("rule")}


def test_the_items_join_my_items_when_their_time_comes(world):
    """Nothing years ahead: each reminder a month before its day, the return on the end."""
    c = walk(world.cand_ty, unit_user=world.unit_u1, agency_user=world.agency_a1)
    end = date(2029, 5, 1)  # departed 2026-05-01 on a 3-year contract
    assert c.contract_ends_on == end and not candidacy_items(c).exists()
    guide, call, back = (add_working_days(end, n).day for n in (-60, -10, 5))
    assert return_items_ensure(today=guide - timedelta(days=31)) == 0
    assert return_items_ensure(today=guide - timedelta(days=30)) == 1
    assert set(_items(c)) == {"contract-end-3m"}
    assert return_items_ensure(today=end - timedelta(days=1)) == 1
    assert return_items_ensure(today=end) == 1
    items = _items(c)
    assert {k: i.due_on for k, i in items.items()} == {
        "contract-end-3m": guide, "contract-end-2w": call, "return": back}
    for item in items.values():
        assert (item.owner_role, item.agency_id, item.event_on) == ("agency", world.a1.pk, end)
        assert item.provisional  # 2029's holidays are not published yet: said, not guessed
    assert return_items_ensure(today=end) == 0


def test_an_unreadable_term_opens_nothing(world):
    c = abroad(world, "未知甲", 31, term="按雇主安排")
    assert c.contract_ends_on is None and not candidacy_items(c).exists()


def test_the_offsets_are_the_provinces_data(world):
    rule = DeadlineRule.objects.get(code="return_guide")
    assert (rule.event, rule.offset, rule.owner) == ("contract_end", -60, "输出机构")
    from apps.deadlines.services import rule_set_offset
    rule_set_offset(rule, offset=-40, actor=world.province)
    c = abroad(world, "规则甲", 32)
    as_step(return_items_open, c, today=c.contract_ends_on)
    assert _items(c)["contract-end-3m"].due_on == add_working_days(c.contract_ends_on, -40).day


def _ending_in(w, name, seq, days, side="own"):
    """Abroad on a one-year contract ending ``days`` from today."""
    from apps.abroad.terms import add_months
    end = timezone.localdate() + timedelta(days=days)
    return abroad(w, name, seq, side=side, term="1年", departed_on=add_months(end, -12))


def test_the_scan_reminds_the_agency_as_the_call_comes_due_and_only_that_agency(world):
    c = _ending_in(world, "提醒甲", 33, 16)
    foreign = _ending_in(world, "提醒乙", 34, 16, side="foreign")
    call = _items(c)["contract-end-2w"]
    now = timezone.make_aware(datetime.combine(call.due_on - timedelta(days=1), time(9)))
    deadlines_scan(now=now)
    assert Notice.objects.filter(item=call, kind="due_soon").exists()
    mine = [n.message for n in my_notices(world.agency_a1)]
    assert any("两周电话联系" in m and "提醒甲" in m for m in mine), mine
    assert not any("提醒乙" in m for m in mine)
    assert not any("提醒甲" in n.message for n in my_notices(world.agency_a2))
    assert _items(foreign)["contract-end-2w"].agency_id == world.a2.pk


def test_the_return_is_owed_from_the_contract_end_and_overdue_after(world):
    c = _ending_in(world, "逾期甲", 35, -20)
    item = _items(c)["return"]
    assert item.due_on < timezone.localdate()
    overdue = list(my_items(world.agency_a1, state="overdue"))
    assert item in overdue
    assert item not in list(my_items(world.agency_a2, state="overdue"))
    # The 待办 link opens the person's page, where the return is recorded.
    assert item.link_for(world.agency_a1) == (
        "去填报", reverse("registry:person_detail", args=[c.person_id]))
    come_back(c, world.agency_a1)
    item.refresh_from_db()
    assert item.status == ItemStatus.DONE_LATE


def test_an_early_return_ends_the_reminders_not_yet_due(world):
    c = _ending_in(world, "提前甲", 36, 40)  # the guide was due already, the call not yet
    before = _items(c)
    assert set(before) == {"contract-end-3m", "contract-end-2w"}
    assert before["contract-end-3m"].due_on < timezone.localdate() < before["contract-end-2w"].due_on
    unpaid(c, world.agency_a1)
    items = _items(c)
    assert set(items) == {"contract-end-3m"} and items["contract-end-3m"].status == ItemStatus.DONE_LATE


def test_the_agency_marks_a_reminder_done_once_not_years_ahead(world):
    c = _ending_in(world, "办理甲", 37, 16)
    far = abroad(world, "办理乙", 38, departed_on=date(2026, 6, 1))
    with pytest.raises(ValidationError, match="最早"):
        return_prep_done(far, step="2w", actor=world.agency_a1)
    with pytest.raises(PermissionDenied):
        return_prep_done(c, step="2w", actor=world.agency_a2)
    with pytest.raises(PermissionDenied):
        return_prep_done(c, step="2w", actor=world.unit_u1)
    item = return_prep_done(c, step="2w", actor=world.agency_a1)
    assert item.status == ItemStatus.DONE
    with pytest.raises(ValidationError, match="已于"):
        return_prep_done(c, step="2w", actor=world.agency_a1)


def test_the_register_page_marks_a_reminder_done_and_counts_queries(
        world, client, django_assert_max_num_queries):
    people = [_ending_in(world, f"名册{n}", 40 + n, 16) for n in range(3)]
    client.force_login(world.agency_a1)
    with django_assert_max_num_queries(25) as few:
        page = client.get(reverse("abroad:register")).content.decode()
    assert "归国准备" in page and page.count("已办理") >= 3
    more = [_ending_in(world, f"名册{n}", 50 + n, 16) for n in range(5)]
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("abroad:register"))
    response = client.post(reverse("abroad:return_prep", args=[people[0].pk, "2w"]), follow=True)
    assert "已登记" in response.content.decode()
    assert _items(people[0])["contract-end-2w"].status == ItemStatus.DONE
    # Another agency's person: 404, nothing changed; a made-up step: 404.
    client.force_login(world.agency_a2)
    assert client.post(reverse("abroad:return_prep", args=[more[0].pk, "2w"])).status_code == 404
    client.force_login(world.agency_a1)
    assert client.post(reverse("abroad:return_prep", args=[more[0].pk, "9y"])).status_code == 404
    assert _items(more[0])["contract-end-2w"].status == ItemStatus.OPEN


def test_people_abroad_before_issue_19_get_their_items_once(world):
    c = _ending_in(world, "补建甲", 39, -5)  # the contract ended five days ago
    candidacy_items(c).delete()
    assert return_items_ensure() == 3
    assert set(_items(c)) == {"contract-end-3m", "contract-end-2w", "return"}
    assert return_items_ensure() == 0
    assert DeadlineItem.objects.filter(subject_id=c.pk).count() == 3
    assert Candidacy.objects.filter(pk=c.pk, status="abroad").exists()
