"""The clock of a case: escalation is idempotent and safe with two workers; two moves at
once never both apply; dates follow the time rules (docs/TIME-RULES.md, rule 13); the
figures and the per-agency colour."""
import threading
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from apps.complaints import services
from apps.complaints.models import Complaint, ComplaintStep, Level, State
from apps.complaints.selectors import agency_rag, complaint_figures
from apps.deadlines.models import DeadlineItem, Notice
from tests.complaints.conftest import act, file_case
from tests.concurrency import at_once


def accepted(w, **kw):
    c = file_case(w, **kw)
    return services.complaint_accept(c, actor=w.unit_u1 if c.unit_id == w.u1.pk else w.province,
                                     on=date(2026, 9, 1))


def test_escalation_runs_twice_escalates_once_then_climbs_to_the_province(abroad):
    w = abroad
    c = accepted(w)
    late = timezone.now() + timedelta(days=1)
    assert services.complaints_escalate(now=late) == 1
    assert services.complaints_escalate(now=late) == 0  # the new item is not yet due
    c.refresh_from_db()
    assert c.level == Level.CITY
    item = DeadlineItem.objects.get(subject_id=c.pk, stage="resolve-2")
    assert services.complaints_escalate(now=item.due_at + timedelta(seconds=1)) == 1
    c.refresh_from_db()
    assert c.level == Level.PROVINCE
    # The province is the top: nothing further, and it was told.
    final = DeadlineItem.objects.get(subject_id=c.pk, stage="resolve-3")
    assert services.complaints_escalate(now=final.due_at + timedelta(days=1)) == 0
    assert Notice.objects.filter(owner_role="province", text__contains="升级").count() == 1
    assert list(c.steps.filter(action="escalate").values_list("from_level", "to_level")) == [
        (Level.UNIT, Level.CITY), (Level.CITY, Level.PROVINCE)]


def test_the_beat_task_escalates_as_the_system(abroad, settings):
    from apps.complaints.tasks import complaints_escalate
    assert settings.CELERY_BEAT_SCHEDULE["complaints-escalate"]["task"] == \
        "apps.complaints.tasks.complaints_escalate"
    c = accepted(abroad)  # due 29 Sep 2026, long past
    assert complaints_escalate() == 1
    assert ComplaintStep.objects.get(complaint=c, action="escalate").by is None


@pytest.mark.django_db(transaction=True)
def test_two_moves_at_once_only_one_applies(abroad):
    w = abroad
    c = file_case(w)
    moves = iter([
        lambda: services.complaint_accept(c, actor=w.unit_u1, on=date(2026, 9, 1)),
        lambda: services.complaint_refuse(c, actor=w.city_ty, on=date(2026, 9, 1),
                                          reason="不属于受理范围")])
    lock = threading.Lock()

    def one():
        with lock:
            move = next(moves)
        return move()

    outcomes = at_once(2, one)
    assert sorted(o[0] for o in outcomes) == ["InvalidTransition", "ok"]
    c.refresh_from_db()
    assert c.state in (State.ACCEPTED, State.OUT_OF_SCOPE)
    assert c.steps.exclude(action="file").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_escalation_workers_at_once_escalate_once(abroad):
    w = abroad
    c = accepted(w)
    outcomes = at_once(2, lambda: services.complaints_escalate(
        now=timezone.now() + timedelta(days=1)))
    assert sorted(o[1] for o in outcomes) == [0, 1]
    c.refresh_from_db()
    assert c.level == Level.CITY and c.steps.filter(action="escalate").count() == 1
    assert DeadlineItem.objects.filter(subject_id=c.pk, stage__startswith="resolve").count() == 2


def test_dates_follow_the_time_rules_on_service_and_page(abroad, client):
    w = abroad
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(ValidationError, match="不能晚于今天"):
        file_case(w, on=tomorrow)
    with pytest.raises(ValidationError, match="不能早于出境日期"):
        file_case(w, on=date(2026, 4, 30))  # departed 1 May
    client.force_login(w.unit_u1)
    response = client.post(reverse("complaints:complaint_create"), {
        "candidacy": w.cand_ty.pk, "channel": "phone", "received_on": tomorrow.isoformat(),
        "kind": "complaint", "category": "wages", "respondent_kind": "employer",
        "respondent_employer": "X", "summary": "x"})
    assert "不能晚于今天" in response.content.decode()
    c = file_case(w, on=date(2026, 9, 10))
    # Accepted before it was received; resolved before it was accepted; forged future date.
    assert "不能早于" in act(client, c, "accept", on=date(2026, 9, 9)).content.decode()
    assert act(client, c, "accept", on=date(2026, 9, 10)).status_code == 302
    response = act(client, c, "resolve", on=date(2026, 9, 9), outcome="upheld",
                   amount_recovered="0")
    assert "不能早于上一办理环节的日期（2026-09-10）" in response.content.decode()
    assert "不能晚于今天" in act(client, c, "hold", on=tomorrow, reason="x").content.decode()
    services.complaint_hold(c, actor=w.unit_u1, on=date(2026, 9, 14), reason="等待")
    assert "不能早于" in act(client, c, "resume", on=date(2026, 9, 11)).content.decode()
    c.refresh_from_db()
    assert c.state == State.ON_HOLD


def test_amounts_are_not_negative(abroad, client):
    w = abroad
    with pytest.raises(ValidationError):
        file_case(w, claims=[("wages", Decimal("-1"), "")])
    client.force_login(w.unit_u1)
    response = client.post(reverse("complaints:complaint_create"), {
        "candidacy": w.cand_ty.pk, "channel": "phone", "received_on": "2026-09-01",
        "kind": "complaint", "category": "wages", "respondent_kind": "employer",
        "respondent_employer": "X", "summary": "x", "claim1_kind": "wages",
        "claim1_amount": "-5"})
    assert "诉求金额不能为负数" in response.content.decode()
    c = accepted(w)
    response = act(client, c, "resolve", on=date(2026, 9, 2), outcome="upheld",
                   amount_recovered="-1")
    assert "挽回金额不能为负数" in response.content.decode()
    assert not Complaint.objects.filter(state=State.RESOLVED).exists()


def test_figures_and_agency_colours(abroad):
    w = abroad
    overdue = accepted(w)  # due 29 Sep
    resolved = accepted(w)
    services.mediation_start(resolved, actor=w.unit_u1, on=date(2026, 9, 5))
    services.complaint_resolve(resolved, actor=w.unit_u1, on=date(2026, 9, 11),
                               outcome="upheld", amount_recovered=Decimal("100"))
    held = accepted(w)
    services.complaint_hold(held, actor=w.unit_u1, on=date(2026, 9, 2), reason="等待")
    file_case(w, actor=w.unit_u3, candidacy=w.cand_dt, respondent_agency=w.a2)
    figures = complaint_figures(w.city_ty)
    assert {k: figures[k] for k in ("received", "open", "overdue", "closed")} == {
        "received": 3, "open": 2, "overdue": 1, "closed": 1}
    assert figures["median_days"] == 10 and figures["days_are"] == "calendar"
    assert complaint_figures(w.province)["received"] == 4
    assert complaint_figures(w.city_ty, departures=type(w.cand_dt).objects.filter(
        pk=w.cand_dt.pk))["received"] == 0
    rows = {r["agency"]: r for r in agency_rag(w.province)}
    assert rows[w.a1.name]["rag"] == "red" and rows[w.a1.name]["overdue"] == 1
    # 大同's case: open more than 15 days (received 1 Sep), none overdue: amber.
    assert rows[w.a2.name]["rag"] == "amber"
    assert [r["agency"] for r in agency_rag(w.city_ty)] == [w.a1.name]
    assert overdue.pk


def test_while_on_hold_the_items_are_paused_on_my_items_and_never_noticed(abroad, client):
    """The hold stops every clock that shows it, not only the case's own: the agency's reply
    item is 暂停计时 on 我的待办 (not 已逾期) and the scan sends no overdue notice, however
    long ago it was due; on resumption the days are added and the item runs again."""
    from apps.deadlines.services import deadlines_scan
    w = abroad
    c = services.complaint_transfer(accepted(w), actor=w.unit_u1, on=date(2026, 9, 2))
    reply = DeadlineItem.objects.get(subject_id=c.pk, stage__startswith="reply")
    services.complaint_hold(c, actor=w.unit_u1, on=date(2026, 9, 3), reason="等待使馆核实")
    reply.refresh_from_db()
    assert reply.paused_since == date(2026, 9, 3) and reply.due_at < timezone.now()
    client.force_login(w.agency_a1)
    page = client.get(reverse("deadlines:my_items")).content.decode()
    row = next(r for r in page.split("<tr") if c.number in r)
    assert "暂停计时" in row and "已逾期" not in row
    overdue = client.get(reverse("deadlines:my_items") + "?state=overdue").context["items"]
    assert reply.pk not in [i.pk for i in overdue]
    deadlines_scan()
    assert not Notice.objects.filter(item=reply).exists()
    services.complaint_resume(Complaint.objects.get(pk=c.pk), actor=w.unit_u1,
                              on=date(2026, 9, 10), note="")
    reply.refresh_from_db()
    assert reply.paused_since is None and reply.extension_days == 5
    # Running again, and long overdue by now: the scan notices it once.
    deadlines_scan()
    assert Notice.objects.filter(item=reply, kind="overdue").count() == 1
