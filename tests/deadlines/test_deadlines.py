"""Owed items: opened by a session, closed by the record, marked by the scan, noticed once."""
import threading
from datetime import date, datetime

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from apps.deadlines.models import DeadlineItem, ItemStatus, Notice
from apps.deadlines.services import deadlines_scan, rule_set_offset
from apps.pipeline.models import Result, Stage
from apps.pipeline.services import candidacy_record, session_create
from apps.workdays.seed import calendar_seed
from apps.workdays.services import calendar_year_enter, parse_arrangement

BJ = timezone.get_default_timezone()


def at(y, m, d, h=12):
    return timezone.make_aware(datetime(y, m, d, h), BJ)


@pytest.fixture
def session(world):
    calendar_seed()
    return session_create(actor=world.unit_u1, stage=Stage.FIRST_INTERVIEW,
                          project=world.project_a1, held_on=date(2026, 9, 30), place="视频",
                          hospital="", unit=world.u1, city=world.ty)


def test_a_scheduled_session_owes_results_five_working_days_later(session, world):
    item = DeadlineItem.objects.get(candidacy=world.cand_ty, stage=Stage.FIRST_INTERVIEW)
    assert (item.due_on, item.status, item.owner_role, item.unit) == (
        date(2026, 10, 13), ItemStatus.OPEN, "unit", world.u1)  # over National Day
    assert timezone.localtime(item.due_at).isoformat() == "2026-10-13T23:59:59.999999+08:00"


def test_recording_on_time_closes_the_item(session, world, monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: at(2026, 10, 12))
    candidacy_record(world.cand_ty, stage=Stage.FIRST_INTERVIEW, result=Result.PASS,
                     on=date(2026, 9, 30), actor=world.unit_u1, session=session)
    item = DeadlineItem.objects.get(candidacy=world.cand_ty, stage=Stage.FIRST_INTERVIEW)
    assert item.status == ItemStatus.DONE


def test_a_late_record_turns_overdue_gets_one_notice_and_is_kept_as_late(session, world):
    # Friday 9 Oct: two working days ahead is Monday 12 Oct (Saturday 10 Oct is worked).
    assert deadlines_scan(now=at(2026, 10, 9)) == {"overdue": 0, "due_soon": 0, "notices": 0}
    assert deadlines_scan(now=at(2026, 10, 10)) == {"overdue": 0, "due_soon": 1, "notices": 1}
    assert deadlines_scan(now=at(2026, 10, 14)) == {"overdue": 1, "due_soon": 0, "notices": 1}
    # Running it again changes nothing and notices nobody twice.
    assert deadlines_scan(now=at(2026, 10, 15)) == {"overdue": 0, "due_soon": 0, "notices": 0}
    assert list(Notice.objects.values_list("kind", flat=True).order_by("kind")) == [
        "due_soon", "overdue"]
    candidacy_record(world.cand_ty, stage=Stage.FIRST_INTERVIEW, result=Result.PASS,
                     on=date(2026, 9, 30), actor=world.unit_u1, session=session)
    item = DeadlineItem.objects.get(candidacy=world.cand_ty, stage=Stage.FIRST_INTERVIEW)
    assert item.status == ItemStatus.DONE_LATE and item.done_at is not None


def test_an_unscheduled_stage_still_counts_for_timeliness(world):
    calendar_seed()
    candidacy_record(world.cand_ty, stage=Stage.FIRST_INTERVIEW, result=Result.PASS,
                     on=date(2026, 3, 3), actor=world.unit_u1)  # recorded months later
    item = DeadlineItem.objects.get(candidacy=world.cand_ty, stage=Stage.FIRST_INTERVIEW)
    assert item.status == ItemStatus.DONE_LATE and item.due_on == date(2026, 3, 10)


def test_changing_a_rules_offset_moves_open_items(session, world):
    rule_set_offset(world.stage_rule, offset=10, actor=world.province)
    item = DeadlineItem.objects.get(candidacy=world.cand_ty, stage=Stage.FIRST_INTERVIEW)
    assert item.due_on == date(2026, 10, 20)


def test_a_provisional_due_date_becomes_final_when_the_year_is_entered(world):
    calendar_seed()
    late = session_create(actor=world.unit_u1, stage=Stage.FIRST_INTERVIEW,
                          project=world.project_a1, held_on=date(2026, 12, 18), place="",
                          hospital="", unit=world.u1, city=world.ty)
    item = DeadlineItem.objects.get(candidacy=world.cand_ty, stage=late.stage)
    assert (item.due_on, item.provisional) == (date(2026, 12, 25), False)
    rule_set_offset(world.stage_rule, offset=10, actor=world.province)
    item.refresh_from_db()
    assert (item.due_on, item.provisional) == (date(2027, 1, 1), True)
    calendar_year_enter(year=2027, days=parse_arrangement(2027, "2027-01-01 放假 元旦"),
                        actor=world.province)
    item.refresh_from_db()
    assert (item.due_on, item.provisional) == (date(2027, 1, 4), False)


def test_todo_page_shows_each_organisation_its_own_items(session, world, client):
    deadlines_scan(now=at(2026, 10, 14))
    client.force_login(world.unit_u1)
    body = client.get(reverse("deadlines:my_items")).content.decode()
    assert "张三" in body and "已逾期" in body and "2026-10-13" in body
    client.force_login(world.agency_a1)  # the agency does not owe the interview results
    assert "张三" not in client.get(reverse("deadlines:my_items")).content.decode()
    client.force_login(world.unit_u3)
    assert "张三" not in client.get(reverse("deadlines:my_items")).content.decode()


@pytest.mark.django_db(transaction=True)
def test_two_scans_at_once_notice_each_item_once(world):
    calendar_seed()
    session_create(actor=world.unit_u1, stage=Stage.FIRST_INTERVIEW, project=world.project_a1,
                   held_on=date(2026, 9, 30), place="", hospital="", unit=world.u1, city=world.ty)
    barrier, results = threading.Barrier(2), []

    def run():
        try:
            barrier.wait()
            results.append(deadlines_scan(now=at(2026, 10, 14)))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(r["notices"] for r in results) == 1
    assert Notice.objects.count() == 1


def test_each_notice_is_emailed_once_to_the_owing_unit(session, world, mailoutbox):
    from apps.deadlines.services import notices_email
    world.unit_u1.email = "sxu@example.cn"
    world.unit_u1.save()
    world.unit_u2.email = "other@example.cn"
    world.unit_u2.save()
    deadlines_scan(now=at(2026, 10, 14))
    assert notices_email() == 1 and notices_email() == 0
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["sxu@example.cn"] and "已逾期" in mail.subject and "张三" in mail.body


def test_timeliness_counts_on_time_late_and_missing(session, world, client):
    from apps.pipeline.services import candidacy_open
    from apps.registry.idnumber import make_id
    from tests.conftest import register
    late_one = register(world.unit_u1, name="李四", sex="女", phone="13800002222",
                        id_number=make_id(birth=date(1999, 1, 1), seq="222"))
    candidacy_open(person=late_one, project=world.project_a1, actor=world.unit_u1,
                   on=date(2026, 9, 1))
    session_create(actor=world.unit_u1, stage=Stage.FIRST_INTERVIEW, project=world.project_a1,
                   held_on=date(2026, 9, 29), place="", hospital="", unit=world.u1,
                   city=world.ty)  # 李四's results never come: missing
    candidacy_record(DeadlineItem.objects.get(candidacy=world.cand_ty).candidacy,
                     stage=Stage.FIRST_INTERVIEW, result=Result.PASS, on=date(2026, 9, 30),
                     actor=world.unit_u1, session=session)  # today: after 13 Oct, so late
    deadlines_scan(now=at(2026, 10, 14))
    client.force_login(world.province)
    rows = client.get(reverse("deadlines:timeliness"), {"by": "unit"}).context["rows"]
    sxu = next(r for r in rows if r["label"] == "山西大学")
    assert (sxu["on_time"], sxu["late"], sxu["missing"]) == (0, 1, 1)
    assert sxu["rate"] == 0
    client.force_login(world.city_dt)
    assert all(r["label"] != "山西大学" for r in
               client.get(reverse("deadlines:timeliness"), {"by": "unit"}).context["rows"])


def test_todo_and_timeliness_pages_do_not_grow_queries(session, world, client,
                                                      django_assert_max_num_queries):
    from apps.pipeline.services import candidacy_open
    from apps.registry.idnumber import make_id
    from tests.conftest import register
    for i in range(20):
        p = register(world.unit_u1, name=f"人员{i}", sex="男", phone=f"1380000{i:04d}",
                     id_number=make_id(birth=date(1990, 1, 1 + i), seq=f"{101 + 2 * i}"))
        candidacy_open(person=p, project=world.project_a1, actor=world.unit_u1,
                       on=date(2026, 9, 1))
    session_create(actor=world.unit_u1, stage=Stage.FIRST_INTERVIEW, project=world.project_a1,
                   held_on=date(2026, 9, 29), place="", hospital="", unit=world.u1, city=world.ty)
    deadlines_scan(now=at(2026, 10, 14))
    client.force_login(world.unit_u1)
    with django_assert_max_num_queries(11):
        client.get(reverse("deadlines:my_items"))
    client.force_login(world.province)
    with django_assert_max_num_queries(10):
        client.get(reverse("deadlines:timeliness"), {"by": "month"})


def _due_a_minute_ago(world):
    """An item whose due time passed one minute ago, and no scan has run since."""
    from datetime import timedelta
    item = DeadlineItem.objects.get(candidacy=world.cand_ty, stage=Stage.FIRST_INTERVIEW)
    now = timezone.now()
    DeadlineItem.objects.filter(pk=item.pk).update(
        due_at=now - timedelta(minutes=1), due_on=timezone.localtime(now).date(),
        event_on=timezone.localtime(now).date())
    assert not Notice.objects.exists()
    return item


def test_an_item_due_a_minute_ago_is_overdue_on_every_page_without_a_scan(session, world,
                                                                         client):
    item = _due_a_minute_ago(world)
    client.force_login(world.unit_u1)
    body = client.get(reverse("deadlines:my_items")).content.decode()
    row = body[body.index("张三") - 600:body.index("张三")]
    assert "已逾期" in row and "待办</span>" not in row
    client.force_login(world.province)
    rows = client.get(reverse("deadlines:timeliness"), {"by": "unit"}).context["rows"]
    sxu = next(r for r in rows if r["label"] == "山西大学")
    assert (sxu["missing"], sxu["pending"]) == (1, 0)
    assert DeadlineItem.objects.with_state().get(pk=item.pk).current_state == ItemStatus.OVERDUE
    assert DeadlineItem.objects.get(pk=item.pk).state == ItemStatus.OVERDUE
    # The scan then sends the notice, and changes no item.
    assert deadlines_scan()["notices"] == 1
    assert DeadlineItem.objects.get(pk=item.pk).status == ItemStatus.OPEN


def test_a_class_items_state_is_read_at_time_on_the_class_page(world, client):
    from datetime import timedelta

    from apps.training.services import class_plan_move
    calendar_seed()
    cls = world.class_ty
    class_plan_move(cls, actor=world.unit_u1, reason="延长一周",  # its items open again
                    ends_on=date(2026, 5, 28))
    items = list(cls.deadline_items.order_by("pk"))
    assert len(items) == 2
    DeadlineItem.objects.filter(pk=items[0].pk).update(
        due_at=timezone.now() - timedelta(minutes=1), due_on=timezone.localdate())
    DeadlineItem.objects.filter(pk=items[1].pk).update(
        due_at=timezone.now() + timedelta(days=60), due_on=timezone.localdate() + timedelta(60))
    client.force_login(world.unit_u1)
    body = client.get(reverse("training:class_detail", args=[cls.pk])).content.decode()
    assert "已逾期" in body and "<td>待办</td>" in body


def test_a_moved_rule_makes_an_overdue_item_pending_again_without_a_scan(session, world):
    item = _due_a_minute_ago(world)
    rule_set_offset(item.rule, offset=5, actor=world.province)  # due 5 days after today
    assert DeadlineItem.objects.get(pk=item.pk).state == ItemStatus.OPEN
