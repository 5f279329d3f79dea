"""Issue 22: outage periods extend (or pause) the deadlines of the organisations they stop, and
what was done on paper meanwhile enters with its true date as 补录.

November 2026 has no public holiday: Mon 16 – Wed 18 is a three-working-day lockdown."""
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.audit.models import AuditAction, AuditEvent
from apps.deadlines.models import DeadlineItem, ItemStatus, Notice
from apps.deadlines.services import deadlines_scan, stage_item_open
from apps.outages.models import LateEntry, OutagePeriod
from apps.outages.services import items_extend, outage_close, outage_declare, outage_update
from apps.pipeline.models import Stage, StageEvent
from tests.conftest import as_step

LOCKDOWN = {"kind": "lockdown", "reason": "太原市疫情封控", "starts_on": date(2026, 11, 16),
            "ends_on": date(2026, 11, 18), "scope": "cities"}


def lockdown_of_taiyuan(w, **changes):
    return outage_declare(actor=w.province, **{**LOCKDOWN, "cities": [w.ty], **changes})


def item(w, candidacy, event_on):
    """The 初试 data item of a candidacy: five working days after ``event_on``."""
    return as_step(stage_item_open, candidacy, Stage.FIRST_INTERVIEW, event_on)


def fresh(obj):
    obj.refresh_from_db()
    return obj


def test_a_five_day_item_due_in_a_three_day_lockdown_of_one_city_is_due_three_days_later_there_only(world):
    w = world
    # Event Mon 9 Nov: due the fifth working day after, Mon 16 Nov, the lockdown's first day.
    ty, dt = item(w, w.cand_ty, date(2026, 11, 9)), item(w, w.cand_dt, date(2026, 11, 9))
    assert ty.due_on == dt.due_on == date(2026, 11, 16)

    lockdown_of_taiyuan(w)

    ty, dt = fresh(ty), fresh(dt)
    assert (ty.due_on, ty.outage_days) == (date(2026, 11, 19), 3)  # Thu 19: 3 working days on
    assert ty.due_at == datetime.combine(date(2026, 11, 19), time.max,
                                         ZoneInfo("Asia/Shanghai"))
    assert "疫情封控 2026-11-16至2026-11-18（3个工作日）：太原市疫情封控" in ty.outage_reason
    assert (dt.due_on, dt.outage_days, dt.outage_reason) == (date(2026, 11, 16), 0, "")
    # The item shows it, with its reason, on the city's 我的待办.
    client_page = _page(w, w.city_ty, reverse("deadlines:my_items"))
    assert "2026-11-19" in client_page and "太原市疫情封控" in client_page


def _page(w, user, url):
    from django.test import Client
    client = Client()
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_declaring_twice_recomputing_twice_and_overlapping_periods_never_double_count(world):
    w = world
    ty = item(w, w.cand_ty, date(2026, 11, 9))
    lockdown_of_taiyuan(w)
    # The same declaration again (a replayed form) is refused: one period.
    with pytest.raises(ValidationError) as refused:
        lockdown_of_taiyuan(w)
    assert "已登记过相同的期间" in str(refused.value)
    assert OutagePeriod.objects.count() == 1
    # Recomputing twice changes nothing the second time, and keeps three days.
    as_step(items_extend, DeadlineItem.objects.all())
    assert as_step(items_extend, DeadlineItem.objects.all()) == 0
    assert (fresh(ty).due_on, ty.outage_days) == (date(2026, 11, 19), 3)
    # A province-wide network outage on 17–19 Nov overlaps two of the lockdown's days: the
    # item loses 16, 17, 18 and 19 (four days), not six.
    outage_declare(actor=w.province, kind="network", reason="省政务外网中断",
                   starts_on=date(2026, 11, 17), ends_on=date(2026, 11, 19), scope="all")
    ty = fresh(ty)
    assert (ty.due_on, ty.outage_days) == (date(2026, 11, 20), 4)
    assert "省政务外网中断" in ty.outage_reason and "太原市疫情封控" in ty.outage_reason
    # 大同's item was due on the 16th, before the network went down: not moved.
    dt = item(w, w.cand_dt, date(2026, 11, 9))
    assert (dt.due_on, dt.outage_days) == (date(2026, 11, 16), 0)


def test_editing_a_period_recomputes_and_narrowing_gives_the_days_back(world):
    w = world
    ty, dt = item(w, w.cand_ty, date(2026, 11, 9)), item(w, w.cand_dt, date(2026, 11, 9))
    period = lockdown_of_taiyuan(w)
    outage_update(period, actor=w.province, **{**LOCKDOWN, "ends_on": date(2026, 11, 17),
                                               "cities": [w.ty]})
    assert (fresh(ty).due_on, ty.outage_days) == (date(2026, 11, 18), 2)
    # Moved to 大同: 太原's item is back on its rule's date, 大同's is extended.
    outage_update(period, actor=w.province, **{**LOCKDOWN, "cities": [w.dt]})
    assert (fresh(ty).due_on, ty.outage_days, ty.outage_reason) == (date(2026, 11, 16), 0, "")
    assert (fresh(dt).due_on, dt.outage_days) == (date(2026, 11, 19), 3)


def test_a_late_entry_dated_inside_the_period_counts_on_time(world, client):
    w = world
    lockdown_of_taiyuan(w)
    client.force_login(w.unit_u1)
    url = reverse("pipeline:candidacy_record", args=[w.cand_ty.pk])
    # The interview took place on paper on Tue 17 Nov, inside the lockdown; entered today.
    response = client.post(url, {"result": "pass", "happened_on": "2026-11-17",
                                 "paper_form_no": "太原封控纸质-017"})
    assert response.status_code == 302, response.content.decode()
    event = StageEvent.objects.get(candidacy=w.cand_ty, stage=Stage.FIRST_INTERVIEW)
    assert event.happened_on == date(2026, 11, 17)
    assert event.details["paper_form_no"] == "太原封控纸质-017"
    owed = DeadlineItem.objects.get(candidacy=w.cand_ty, stage=Stage.FIRST_INTERVIEW)
    # Due 5 working days after the 17th, plus the 18th lost: Wed 25 Nov; filed on the 17th.
    assert (owed.due_on, owed.outage_days, owed.status) == (date(2026, 11, 25), 1,
                                                            ItemStatus.DONE)
    entry = LateEntry.objects.get()
    assert (entry.subject, entry.paper_on, entry.form_no, entry.on_time, entry.entered_by,
            entry.unit) == (event, date(2026, 11, 17), "太原封控纸质-017", True, w.unit_u1, w.u1)
    assert timezone.localtime(entry.entered_at).date() == timezone.localdate()
    assert AuditEvent.objects.filter(action=AuditAction.LATE_ENTRY, actor=w.unit_u1,
                                     object_id=str(entry.pk)).exists()
    # The person's timeline says 补录, with the number; the province's list shows it.
    person = _page(w, w.unit_u1, reverse("registry:person_detail", args=[w.person_ty.pk]))
    assert "补录：纸质表单编号：太原封控纸质-017" in person
    review = _page(w, w.province, reverse("outages:late_entry_list"))
    assert "太原封控纸质-017" in review and "张三" in review and "按时" in review

    # The same stage of 大同's person, entered today without a paper record: late.
    client.force_login(w.unit_u3)
    client.post(reverse("pipeline:candidacy_record", args=[w.cand_dt.pk]),
                {"result": "pass", "happened_on": "2026-11-17"})
    assert DeadlineItem.objects.get(candidacy=w.cand_dt, stage=Stage.FIRST_INTERVIEW).status \
        == ItemStatus.DONE_LATE
    assert LateEntry.objects.count() == 1


@pytest.mark.parametrize("posted, field, message", [
    ({"happened_on": "2026-11-20", "paper_form_no": "纸-1"}, "happened_on", "不在已登记的"),
    ({"happened_on": "2099-11-17", "paper_form_no": "纸-1"}, "happened_on", "不能晚于今天"),
    ({"happened_on": "2026-11-17", "paper_form_no": "纸" * 51}, "paper_form_no", "不能超过50个字符"),
])
def test_a_late_entry_outside_a_period_in_the_future_or_oversized_is_refused(world, client,
                                                                           posted, field,
                                                                           message):
    w = world
    lockdown_of_taiyuan(w)
    client.force_login(w.unit_u1)
    response = client.post(reverse("pipeline:candidacy_record", args=[w.cand_ty.pk]),
                           {"result": "pass", **posted})
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert not StageEvent.objects.filter(candidacy=w.cand_ty, stage=Stage.FIRST_INTERVIEW).exists()
    assert not LateEntry.objects.exists()


def test_a_late_entry_needs_a_period_of_its_own_organisation_and_is_kept_once(world, client):
    w = world
    # A lockdown of 大同 does not let 太原 enter paper records from those days.
    outage_declare(actor=w.province, **{**LOCKDOWN, "reason": "大同市疫情封控", "cities": [w.dt]})
    client.force_login(w.unit_u1)
    url = reverse("pipeline:candidacy_record", args=[w.cand_ty.pk])
    data = {"result": "pass", "happened_on": "2026-11-17", "paper_form_no": "纸-9",
            "expected": Stage.FIRST_INTERVIEW}
    response = client.post(url, data)
    assert "不在已登记的、涉及本单位" in " ".join(response.context["form"].errors["happened_on"])
    # 太原's own lockdown: accepted once; the replayed form is refused, one entry.
    lockdown_of_taiyuan(w)
    assert client.post(url, data).status_code == 302
    replay = client.post(url, data)  # the page now offers 体检: the replay is not taken for it
    assert "已经录入（可能是重复提交）" in replay.content.decode()
    assert LateEntry.objects.count() == 1
    assert StageEvent.objects.filter(candidacy=w.cand_ty, stage=Stage.FIRST_INTERVIEW).count() == 1


def test_an_open_period_pauses_the_clock_and_closing_it_extends(world, monkeypatch):
    w = world
    today = date(2026, 12, 2)  # a Wednesday
    now = datetime(2026, 12, 2, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: today)
    monkeypatch.setattr(timezone, "now", lambda: now)
    # Event Tue 24 Nov: due Tue 1 Dec, already past on the 2nd.
    owed = item(w, w.cand_ty, date(2026, 11, 24))
    assert DeadlineItem.objects.overdue(now).filter(pk=owed.pk).exists()
    period = lockdown_of_taiyuan(w, starts_on=date(2026, 11, 30), ends_on=None,
                                 reason="太原市封控（持续中）")
    owed = fresh(owed)
    assert owed.outage_paused and owed.state == ItemStatus.PAUSED
    assert not DeadlineItem.objects.overdue(now).filter(pk=owed.pk).exists()
    deadlines_scan(now=now)
    assert not Notice.objects.filter(item=owed).exists()  # never noticed while paused
    assert "暂停计时" in _page(w, w.unit_u1, reverse("deadlines:my_items"))
    # Closed on 1 Dec: two working days lost (30 Nov, 1 Dec): due Thu 3 Dec, running again.
    outage_close(period, actor=w.province, ends_on=date(2026, 12, 1))
    owed = fresh(owed)
    assert (owed.due_on, owed.outage_days, owed.outage_paused) == (date(2026, 12, 3), 2, False)
    # A second close is refused (a correction goes through 修改).
    with pytest.raises(ValidationError, match="已于2026-12-01结束"):
        outage_close(period, actor=w.province, ends_on=date(2026, 12, 2))


def test_the_organisations_concerned_are_told_when_a_period_opens_and_closes(world):
    w = world
    period = lockdown_of_taiyuan(w, ends_on=None)
    told = Notice.objects.filter(item__isnull=True, text__contains="太原市疫情封控")
    assert set(told.values_list("owner_role", "city_id", "unit_id")) == {
        ("city", w.ty.pk, None), ("unit", w.ty.pk, w.u1.pk), ("unit", w.ty.pk, w.u2.pk)}
    assert all("太原市疫情封控" in n.text and "补录" in n.text for n in told)
    outage_close(period, actor=w.province, ends_on=date(2026, 11, 18))
    assert told.filter(text__contains="已结束").count() == 3
    # 大同 is not told, and sees nothing of it on its 我的待办.
    assert not told.filter(city=w.dt).exists()
    assert "太原市疫情封控" not in _page(w, w.unit_u3, reverse("deadlines:my_items"))
    assert "太原市疫情封控" in _page(w, w.unit_u1, reverse("deadlines:my_items"))


@pytest.mark.parametrize("changes, field, message", [
    ({"starts_on": date(2099, 1, 1), "ends_on": None}, "starts_on", "不能晚于今天"),
    ({"ends_on": date(2026, 11, 15)}, "ends_on", "不能早于开始日期"),
    ({"ends_on": date(2099, 1, 1)}, "ends_on", "不能晚于今天"),
    ({"starts_on": date(2020, 1, 1)}, "starts_on", "早于一年前"),
    ({"cities": []}, "cities", "请选择至少一个地市"),
    ({"reason": "封" * 201}, "reason", "不能超过200个字"),
    ({"reason": "  "}, "reason", "请填写原因说明"),
])
def test_a_period_must_have_happened_and_say_whom_it_stopped(world, changes, field, message):
    with pytest.raises(ValidationError) as refused:
        lockdown_of_taiyuan(world, **changes)
    assert message in " ".join(refused.value.message_dict[field])
    assert not OutagePeriod.objects.exists() and not Notice.objects.exists()


def test_only_the_province_declares_and_the_page_says_why_a_date_is_refused(world, client):
    w = world
    with pytest.raises(PermissionDenied):
        outage_declare(actor=w.city_ty, **{**LOCKDOWN, "cities": [w.ty]})
    client.force_login(w.city_ty)
    assert client.get(reverse("outages:period_create")).status_code == 403
    assert client.post(reverse("outages:period_create"),
                       {**LOCKDOWN, "cities": [w.ty.pk]}).status_code == 403
    client.force_login(w.province)
    response = client.post(reverse("outages:period_create"),
                           {**LOCKDOWN, "starts_on": "2026-11-16", "ends_on": "2099-01-01",
                            "cities": [w.ty.pk]})
    assert response.status_code == 200 and "不能晚于今天" in response.content.decode()
    assert not OutagePeriod.objects.exists()
    response = client.post(reverse("outages:period_create"),
                           {**LOCKDOWN, "starts_on": "2026-11-16", "ends_on": "2026-11-18",
                            "cities": [w.ty.pk]})
    assert response.status_code == 302
    period = OutagePeriod.objects.get()
    assert list(period.cities.all()) == [w.ty] and period.declared_by == w.province
    assert AuditEvent.objects.filter(action=AuditAction.OUTAGE, actor=w.province,
                                     object_id=str(period.pk)).exists()


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_lists_take_the_same_queries_for_one_row_or_many(world, client):
    from apps.pipeline.services import candidacy_record
    w = world
    lockdown_of_taiyuan(w)
    candidacy_record(w.cand_ty, stage=Stage.FIRST_INTERVIEW, result="pass",
                     on=date(2026, 11, 17), actor=w.unit_u1, paper_form_no="纸-1")
    client.force_login(w.province)
    client.get(reverse("outages:period_list"))  # the login's first request saves the session
    periods_one = _queries(client, reverse("outages:period_list"))
    entries_one = _queries(client, reverse("outages:late_entry_list"))
    outage_declare(actor=w.province, **{**LOCKDOWN, "reason": "大同市疫情封控", "cities": [w.dt]})
    for day in (2, 3, 4):
        outage_declare(actor=w.province, kind="power", reason=f"停电{day}",
                       starts_on=date(2026, 11, day), ends_on=date(2026, 11, day),
                       scope="orgs", units=[w.u1], agencies=[w.a1])
    candidacy_record(w.cand_dt, stage=Stage.FIRST_INTERVIEW, result="pass",
                     on=date(2026, 11, 17), actor=w.unit_u3, paper_form_no="纸-2")
    assert LateEntry.objects.count() == 2 and OutagePeriod.objects.count() == 5
    assert _queries(client, reverse("outages:period_list")) == periods_one
    assert _queries(client, reverse("outages:late_entry_list")) == entries_one


def test_a_rule_change_keeps_the_days_an_outage_took(world):
    from apps.deadlines.services import rule_set_offset
    w = world
    ty = item(w, w.cand_ty, date(2026, 11, 9))
    lockdown_of_taiyuan(w)
    # Six working days instead of five: Tue 17 Nov by the rule, Fri 20 Nov with the lockdown.
    rule_set_offset(w.stage_rule, offset=6, actor=w.province)
    assert (fresh(ty).due_on, ty.outage_days) == (date(2026, 11, 20), 3)
    assert "太原市疫情封控" in ty.outage_reason
