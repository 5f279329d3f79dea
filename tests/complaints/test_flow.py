"""A complaint of a worker abroad through its whole life, as its users do it on the pages
(issue 18 item 3, "done when"): filed → accepted → with the agency → held with a reason (the
clock stops, the due date moves by the working days held, across the National Day holiday) →
resumed → overdue → escalated unit → city with a notice → resolved with an outcome and the
amount recovered → closed; reopened within the window, refused after it; a second reopening
escalates."""
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.complaints import services
from apps.complaints.models import Complaint, Level, State
from apps.deadlines.models import DeadlineItem, ItemStatus
from apps.deadlines.selectors import my_notices
from apps.workdays.calendar import add_working_days
from tests.complaints.conftest import act, file_case


def items(c, prefix=""):
    return {i.stage: i for i in DeadlineItem.objects.filter(subject_id=c.pk,
                                                             stage__startswith=prefix)}


def test_the_whole_flow_through_the_pages(abroad, client):
    w = abroad
    client.force_login(w.unit_u1)
    response = client.post(reverse("complaints:complaint_create"), {
        "candidacy": w.cand_ty.pk, "channel": "embassy", "received_on": "2026-09-01",
        "kind": "dispute", "category": "wages", "respondent_kind": "agency",
        "respondent_agency": w.a1.pk, "summary": "雇主拖欠工资三个月。",
        "claim1_kind": "wages", "claim1_amount": "30000", "claim2_kind": "deposit",
        "claim2_amount": "5000"})
    assert response.status_code == 302, response.context["form"].errors
    c = Complaint.objects.get()
    assert (c.state, c.level, c.unit, c.city, c.agency) == (State.RECEIVED, Level.UNIT, w.u1,
                                                            w.ty, w.a1)
    assert str(c) == f"TS2026-{c.pk:06d} 张三（劳务纠纷）"
    assert services.claimed_total(c) == Decimal("35000")

    assert act(client, c, "accept", on=date(2026, 9, 1)).status_code == 302
    resolve = items(c)["resolve-1"]
    assert resolve.owner_role == "unit" and resolve.unit == w.u1
    assert resolve.due_on == add_working_days(date(2026, 9, 1), 20).day

    assert resolve.due_on == date(2026, 9, 29)
    assert act(client, c, "transfer", on=date(2026, 9, 21)).status_code == 302
    c.refresh_from_db()
    assert c.state == State.WITH_AGENCY and c.transferred_to == w.a1
    reply = items(c)["reply-1"]
    assert (reply.owner_role, reply.agency, reply.due_on) == (
        "agency", w.a1, date(2026, 9, 29))
    assert any("请于" in n.text for n in my_notices(w.agency_a1))

    # A hold needs a reason.
    response = act(client, c, "hold", on=date(2026, 9, 22), reason="")
    assert response.status_code == 200 and "请填写原因" in response.content.decode()
    c.refresh_from_db()
    assert c.state == State.WITH_AGENCY
    assert act(client, c, "hold", on=date(2026, 9, 22),
               reason="等待使馆核实雇主情况").status_code == 302
    c.refresh_from_db()
    assert (c.state, c.held_from_state, c.held_since) == (State.ON_HOLD, State.WITH_AGENCY,
                                                          date(2026, 9, 22))
    page = client.get(c.get_absolute_url()).content.decode()
    assert "暂停中：自 2026-09-22 起暂停" in page and "等待使馆核实雇主情况" in page
    # While on hold the case is never escalated, however late it is.
    assert services.complaints_escalate(now=timezone.now() + timedelta(days=400)) == 0

    before = items(c)
    assert act(client, c, "resume", on=date(2026, 10, 12)).status_code == 302
    c.refresh_from_db()
    assert c.state == State.WITH_AGENCY and c.held_since is None
    after = items(c)
    # 22 Sep → 12 Oct: 20 calendar days but 9 working days (the Mid-Autumn Friday and the
    # National Day week are off, Saturday 10 Oct is a make-up working day): the resolution
    # and the agency's reply both move from 29 Sep to 16 Oct (not 19 Oct).
    assert (after["resolve-1"].due_on, after["reply-1"].due_on) == (date(2026, 10, 16),
                                                                    date(2026, 10, 16))
    for stage in ("resolve-1", "reply-1"):
        assert after[stage].extension_days == 9
        assert "等待使馆核实雇主情况" in after[stage].extension_reason
        assert after[stage].due_on == add_working_days(
            before[stage].event_on, before[stage].rule.offset + 9).day
    step = c.steps.get(action="resume")
    assert (step.days_paused, step.due_on, step.by) == (9, date(2026, 10, 16), w.unit_u1)

    # The agency replies on its page: the case goes to mediation.
    client.force_login(w.agency_a1)
    assert act(client, c, "reply", on=date(2026, 10, 13), text="已联系雇主，同意补发工资。").status_code == 302
    c.refresh_from_db()
    assert c.state == State.MEDIATION
    assert items(c)["reply-1"].status in (ItemStatus.DONE, ItemStatus.DONE_LATE)

    # Overdue: the task moves the case to the city, which is told and gets a fresh due date.
    due_at = items(c)["resolve-1"].due_at
    assert services.complaints_escalate(now=due_at - timedelta(seconds=1)) == 0
    assert services.complaints_escalate(now=due_at + timedelta(seconds=1)) == 1
    c.refresh_from_db()
    assert c.level == Level.CITY
    escalation = c.steps.get(action="escalate")
    assert (escalation.from_level, escalation.to_level, escalation.by) == (Level.UNIT, Level.CITY,
                                                                             None)
    new = items(c)["resolve-2"]
    assert new.owner_role == "city" and new.unit is None
    assert new.due_on == escalation.due_on
    assert [n.text for n in my_notices(w.city_ty) if "升级" in n.text]
    assert not [n for n in my_notices(w.city_dt) if "升级" in n.text]

    # The unit no longer handles it; the city does.
    client.force_login(w.unit_u1)
    assert act(client, c, "resolve", on=date(2026, 11, 2), outcome="upheld",
               amount_recovered="30000").status_code == 403
    client.force_login(w.city_ty)
    response = act(client, c, "resolve", on=date(2026, 11, 2), outcome="partly",
                   amount_recovered="40000")
    assert "不能超过诉求金额合计（35000.00元）" in response.content.decode()
    response = act(client, c, "resolve", on=date(2026, 11, 2), outcome="",
                   amount_recovered="1000")
    assert response.status_code == 200
    assert act(client, c, "resolve", on=date(2026, 11, 2), outcome="partly",
               amount_recovered="30000").status_code == 302
    c.refresh_from_db()
    assert (c.state, c.outcome, c.amount_recovered, c.resolved_on) == (
        State.RESOLVED, "partly", Decimal("30000.00"), date(2026, 11, 2))
    assert not DeadlineItem.objects.filter(subject_id=c.pk, status=ItemStatus.OPEN).exists()
    assert act(client, c, "close", on=date(2026, 11, 3)).status_code == 302
    c.refresh_from_db()
    assert c.state == State.CLOSED and c.closed_at is not None

    page = client.get(c.get_absolute_url()).content.decode()
    for text in ("登记", "受理", "转输出机构办理", "暂停", "恢复办理", "输出机构答复", "逾期升级",
                 "办结", "结案", "等待使馆核实雇主情况", "暂停9个工作日", "系统"):
        assert text in page, text
    assert list(c.steps.values_list("action", flat=True)) == [
        "file", "accept", "transfer", "hold", "resume", "reply", "escalate", "resolve", "close"]


def _resolved(w, on=date(2026, 9, 10)):
    c = file_case(w)
    services.complaint_accept(c, actor=w.unit_u1, on=date(2026, 9, 1))
    services.mediation_start(c, actor=w.unit_u1, on=date(2026, 9, 2))
    return services.complaint_resolve(c, actor=w.unit_u1, on=on, outcome="upheld",
                                      amount_recovered=Decimal("1000"))


def test_reopen_within_the_window_gets_a_due_date_from_the_reopening(abroad, client):
    w = abroad
    c = _resolved(w)
    services.complaint_close(c, actor=w.unit_u1, on=date(2026, 9, 11))
    last = services.reopen_deadline(c)
    assert last == add_working_days(date(2026, 9, 10), 10).day
    client.force_login(w.unit_u1)
    assert act(client, c, "reopen", on=last, reason="雇主未按调解协议付款").status_code == 302
    c.refresh_from_db()
    assert (c.state, c.reopen_count, c.level, c.outcome, c.resolved_on) == (
        State.MEDIATION, 1, Level.UNIT, "", None)
    item = items(c)["resolve-2"]
    # Unlike openIMIS: the new due date counts from the reopening, not from the first receipt.
    assert item.event_on == last and item.due_on == add_working_days(last, 20).day
    assert item.status == ItemStatus.OPEN


def test_reopen_after_the_window_is_refused(abroad, client):
    w = abroad
    c = _resolved(w)
    late = services.reopen_deadline(c) + timedelta(days=1)
    client.force_login(w.unit_u1)
    response = act(client, c, "reopen", on=late, reason="再次投诉")
    assert response.status_code == 200 and "已超过重新办理期限" in response.content.decode()
    c.refresh_from_db()
    assert c.state == State.RESOLVED and c.reopen_count == 0


def test_a_second_reopening_escalates_one_level_and_tells_the_city(abroad):
    w = abroad
    c = _resolved(w)
    services.complaint_reopen(c, actor=w.unit_u1, on=date(2026, 9, 14), reason="未付款")
    services.complaint_resolve(c, actor=w.unit_u1, on=date(2026, 9, 15), outcome="upheld",
                               amount_recovered=Decimal("1000"))
    c = services.complaint_reopen(c, actor=w.unit_u1, on=date(2026, 9, 16), reason="仍未付款")
    assert (c.reopen_count, c.level) == (2, Level.CITY)
    step = c.steps.filter(action="reopen").last()
    assert (step.from_level, step.to_level) == (Level.UNIT, Level.CITY)
    item = items(c)["resolve-3"]
    assert item.owner_role == "city" and item.event_on == date(2026, 9, 16)
    assert [n for n in my_notices(w.city_ty) if "第2次重新办理" in n.text]


def test_the_pause_is_kept_when_category_and_respondent_change(abroad, client):
    w = abroad
    c = file_case(w)
    services.complaint_accept(c, actor=w.unit_u1, on=date(2026, 9, 1))
    services.complaint_transfer(c, actor=w.unit_u1, on=date(2026, 9, 2))
    services.complaint_hold(c, actor=w.unit_u1, on=date(2026, 9, 29), reason="等待核实")
    services.complaint_resume(c, actor=w.unit_u1, on=date(2026, 10, 12))
    kept = {s: (i.extension_days, i.due_on) for s, i in items(c).items()}
    client.force_login(w.unit_u1)
    response = client.post(reverse("complaints:complaint_edit", args=[c.pk]), {
        "category": "contract", "respondent_kind": "employer", "respondent_employer": "株式会社X",
        "reason": "核实后系雇主违约"})
    assert response.status_code == 302
    c.refresh_from_db()
    assert (c.category, c.respondent_kind, c.respondent_agency) == ("contract", "employer", None)
    assert {s: (i.extension_days, i.due_on) for s, i in items(c).items()} == kept
    step = c.steps.get(action="edit")
    assert "工资报酬" in step.note and "合同履行" in step.note and step.reason == "核实后系雇主违约"
    # Held again, edited while on hold: still on hold, resumed to where it was.
    services.complaint_hold(c, actor=w.unit_u1, on=date(2026, 10, 12), reason="当事人住院")
    services.complaint_edit(c, actor=w.unit_u1, category="injury", respondent_kind="employer",
                            respondent_employer="株式会社X", reason="改为工伤")
    c.refresh_from_db()
    assert (c.state, c.held_since, c.hold_reason) == (State.ON_HOLD, date(2026, 10, 12),
                                                      "当事人住院")
    services.complaint_resume(c, actor=w.unit_u1, on=date(2026, 10, 15))
    # 13, 14 and 15 Oct added to the 5 days of the first hold, both reasons kept.
    resolve = items(c)["resolve-1"]
    assert resolve.extension_days == 8
    assert "等待核实" in resolve.extension_reason and "当事人住院" in resolve.extension_reason
    # The agency's reply (due 9 Sep) had lapsed before the first hold: no pause excuses it.
    assert items(c)["reply-1"].extension_days == 0


@pytest.mark.parametrize("action, data", [
    ("transfer", {}), ("resolve", {"outcome": "upheld", "amount_recovered": "0"}),
    ("resume", {}), ("close", {}), ("reopen", {"reason": "x"}), ("reply", {"text": "x"}),
])
def test_illegal_transitions_are_refused_with_a_message(abroad, client, action, data):
    w = abroad
    c = file_case(w)  # received, not accepted
    client.force_login(w.unit_u1 if action != "reply" else w.agency_a1)
    response = act(client, c, action, on=date(2026, 9, 2), **data)
    if action == "reply":  # nothing transferred to the agency: not its to answer
        assert response.status_code == 403
    else:
        assert response.status_code == 200
        assert "当前状态为“已登记”，不能" in response.content.decode()
    c.refresh_from_db()
    assert c.state == State.RECEIVED and list(c.steps.values_list("action", flat=True)) == ["file"]


def test_a_replayed_accept_is_refused(abroad, client):
    w = abroad
    c = file_case(w)
    client.force_login(w.unit_u1)
    assert act(client, c, "accept", on=date(2026, 9, 1)).status_code == 302
    response = act(client, c, "accept", on=date(2026, 9, 1))
    assert "当前状态为“已受理”，不能“受理”" in response.content.decode()
    assert DeadlineItem.objects.filter(subject_id=c.pk).count() == 1


def test_out_of_scope_needs_a_reason_then_closes_and_cannot_be_reopened(abroad, client):
    w = abroad
    c = file_case(w)
    client.force_login(w.unit_u1)
    assert act(client, c, "refuse", on=date(2026, 9, 2), reason="").status_code == 200
    assert act(client, c, "refuse", on=date(2026, 9, 2), reason="不属于劳务输出事项").status_code == 302
    assert act(client, c, "close", on=date(2026, 9, 2)).status_code == 302
    response = act(client, c, "reopen", on=date(2026, 9, 3), reason="再次")
    assert "不予受理的案件不能重新办理" in response.content.decode()
    c.refresh_from_db()
    assert c.state == State.CLOSED


def test_a_new_respondent_agency_takes_the_reply_with_its_pause(abroad, client):
    w = abroad
    c = file_case(w)
    services.complaint_accept(c, actor=w.unit_u1, on=date(2026, 9, 21))
    services.complaint_transfer(c, actor=w.unit_u1, on=date(2026, 9, 21))
    services.complaint_hold(c, actor=w.unit_u1, on=date(2026, 9, 22), reason="等待核实")
    services.complaint_resume(c, actor=w.unit_u1, on=date(2026, 10, 12))
    reply = items(c, "reply")["reply-1"]
    assert (reply.agency, reply.extension_days, reply.due_on) == (w.a1, 9, date(2026, 10, 16))
    services.complaint_edit(c, actor=w.city_ty, category="fees", respondent_kind="agency",
                            respondent_agency=w.a2, reason="实际收费方为另一机构")
    c.refresh_from_db()
    reply.refresh_from_db()
    assert c.transferred_to == w.a2
    assert (reply.agency, reply.extension_days, reply.due_on) == (w.a2, 9, date(2026, 10, 16))
    client.force_login(w.agency_a1)
    assert act(client, c, "reply", on=date(2026, 10, 13), text="x").status_code == 403
    client.force_login(w.agency_a2)
    assert act(client, c, "reply", on=date(2026, 10, 13), text="已退费").status_code == 302
