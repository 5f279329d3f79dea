"""境外突发事件 (issue 18, item 2), through the pages as the users would: an agency records a
grade Ⅲ incident for two people abroad, its first report is late and shown late, the city
confirms the grade; raising it to Ⅱ moves it to the province under the Ⅰ–Ⅱ rule; follow-ups
while responding, the final report 10 working days after the response ends."""
from datetime import datetime, timedelta

from django.urls import reverse
from django.utils import timezone

from apps.deadlines.models import DeadlineItem, ItemStatus
from apps.deadlines.selectors import my_notices
from apps.incidents import services
from apps.incidents.models import (
    GradeChange, Incident, IncidentReport, IncidentStatus, ReportKind,
)
from apps.incidents.rules import FINAL_RULE, FIRST_RULE, FOLLOWUP_RULE
from apps.workdays.calendar import add_working_days
from tests.incidents.conftest import file, hours_ago, record, report_post


def _local(moment):
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def items(incident, code=None):
    qs = DeadlineItem.objects.filter(subject_id=incident.pk, subject_type__model="incident")
    return qs.filter(rule__code=code) if code else qs


def notices_text(user):
    return " ".join(n.message for n in my_notices(user))


def test_agency_records_grade_iii_for_two_abroad_first_report_late_city_confirms(abroad, client):
    w = abroad
    learned = hours_ago(30).replace(second=0, microsecond=0)
    client.force_login(w.agency_a1)
    page = client.get(reverse("incidents:incident_create")).content.decode()
    assert "王一" in page and "王二" in page
    assert "张三" not in page  # not abroad: not offered
    response = client.post(reverse("incidents:incident_create"), {
        "workers": [w.w1.pk, w.w2.pk], "category": "injury", "grade": "3",
        "occurred_at": _local(learned - timedelta(hours=1)), "learned_at": _local(learned),
        "country": "日本", "place": "大阪府堺市", "summary": "工厂叉车事故，两人受伤送医"})
    incident = Incident.objects.get()
    assert response.status_code == 302 and response["Location"] == incident.get_absolute_url()
    assert (incident.grade, incident.grade_confirmed, incident.city, incident.agency,
            incident.reported_by_role) == (3, False, w.ty, w.a1, "agency")
    assert sorted(incident.workers.values_list("candidacy__person__name", flat=True)) == [
        "王一", "王二"]

    # The first report is owed 24 hours after it was learned of; the agency owes it.
    first = items(incident, FIRST_RULE).get()
    assert first.due_at == learned + timedelta(hours=24)
    assert (first.owner_role, first.agency_id, first.city_id) == ("agency", w.a1.pk, w.ty.pk)
    todo = client.get(reverse("deadlines:my_items")).content.decode()
    assert "突发事件首次报告" in todo and incident.get_absolute_url() in todo
    # The city leads a grade Ⅲ: told at once; the province is not.
    assert "请确认事件等级" in notices_text(w.city_ty)
    assert str(incident.pk) not in notices_text(w.province)

    # Filed now: 6 hours past its due time. Shown late before and after.
    form = client.get(reverse("incidents:report_file", args=[incident.pk, "first"]))
    assert "已逾期，报送后记为迟报" in form.content.decode()
    response = client.post(reverse("incidents:report_file", args=[incident.pk, "first"]),
                           {**report_post(), "expected": "first", "late": "", "due_at": "2099-01-01"})
    assert response.status_code == 302
    report = IncidentReport.objects.get()
    assert report.late and report.due_at == first.due_at and report.signed_by == "李总经理"
    first.refresh_from_db()
    assert first.status == ItemStatus.DONE_LATE
    detail = client.get(incident.get_absolute_url()).content.decode()
    assert "逾期（迟报）" in detail
    assert "迟报" in notices_text(w.city_ty)

    # The city confirms grade Ⅲ: kept in the history, the agency is told.
    client.force_login(w.city_ty)
    assert "确认或调整等级" in client.get(incident.get_absolute_url()).content.decode()
    response = client.post(reverse("incidents:grade_change", args=[incident.pk]),
                           {"grade": "3", "confirm": "on", "reason": ""})
    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.grade == 3 and incident.grade_confirmed
    change = GradeChange.objects.filter(incident=incident).last()
    assert (change.old_grade, change.new_grade, change.confirmed, change.changed_by) == (
        3, 3, True, w.city_ty)
    assert "已由太原市人社局确认" in notices_text(w.agency_a1)
    assert "已确认" in client.get(incident.get_absolute_url()).content.decode()


def test_raising_to_ii_notifies_the_province_and_the_two_hour_rule_applies(abroad, client):
    w = abroad
    incident = record(w, learned=3, occurred=4)  # Ⅲ: first report due in 21 hours
    first = items(incident, FIRST_RULE).get()
    assert first.due_at == incident.learned_at + timedelta(hours=24)
    client.force_login(w.agency_a1)
    # A raise needs a reason.
    response = client.post(reverse("incidents:grade_change", args=[incident.pk]),
                           {"grade": "2", "reason": ""})
    assert response.status_code == 400 and "须填写理由" in response.content.decode()
    response = client.post(reverse("incidents:grade_change", args=[incident.pk]),
                           {"grade": "2", "reason": "又有三人受伤，当地媒体报道"})
    assert response.status_code == 302
    incident.refresh_from_db()
    assert (incident.grade, incident.grade_confirmed, incident.owner_role) == (2, False, "province")
    first.refresh_from_db()
    # The Ⅰ–Ⅱ rule: 2 hours after it was learned of, already passed: overdue now.
    assert first.due_at == incident.learned_at + timedelta(hours=2)
    assert first.state == ItemStatus.OVERDUE
    assert "提升为Ⅱ级（重大）（暂定）" in notices_text(w.province)
    assert "已移交省专项办牵头" in notices_text(w.city_ty)

    # The city cannot confirm a Ⅱ; the province can.
    client.force_login(w.city_ty)
    response = client.post(reverse("incidents:grade_change", args=[incident.pk]),
                           {"grade": "2", "confirm": "on"})
    assert response.status_code == 400 and "由省专项办确认" in response.content.decode()
    incident.refresh_from_db()
    assert not incident.grade_confirmed
    client.force_login(w.province)
    assert client.post(reverse("incidents:grade_change", args=[incident.pk]),
                       {"grade": "2", "confirm": "on"}).status_code == 302
    incident.refresh_from_db()
    assert incident.grade_confirmed
    # Filed now, after the 2-hour deadline: late.
    assert file(incident, "first", w.agency_a1).late
    history = list(GradeChange.objects.filter(incident=incident).values_list(
        "old_grade", "new_grade", "confirmed"))
    assert history == [(None, 3, False), (3, 2, False), (2, 2, True)]


def test_a_grade_change_never_gives_more_time(abroad):
    w = abroad
    incident = record(w, grade=2, learned=1, occurred=2)
    first = items(incident, FIRST_RULE).get()
    assert first.due_at == incident.learned_at + timedelta(hours=2)
    services.grade_change(incident, actor=w.province, grade=3, reason="核实后伤情较轻")
    first.refresh_from_db()
    assert first.due_at == incident.learned_at + timedelta(hours=2)


def test_lowering_is_the_owners_and_needs_a_reason(abroad, client):
    w = abroad
    incident = record(w, grade=3)
    client.force_login(w.agency_a1)
    response = client.post(reverse("incidents:grade_change", args=[incident.pk]),
                           {"grade": "4", "reason": "伤情较轻"})
    assert response.status_code == 400 and "只有太原市人社局可以降低" in response.content.decode()
    client.force_login(w.city_ty)
    response = client.post(reverse("incidents:grade_change", args=[incident.pk]),
                           {"grade": "4", "reason": ""})
    assert response.status_code == 400
    assert client.post(reverse("incidents:grade_change", args=[incident.pk]),
                       {"grade": "4", "reason": "伤情较轻", "confirm": "on"}).status_code == 302
    incident.refresh_from_db()
    assert (incident.grade, incident.grade_confirmed) == (4, True)
    # A Ⅱ is the province's: the city cannot take it down.
    services.grade_change(incident, actor=w.agency_a1, grade=2, reason="事态扩大")
    response = client.post(reverse("incidents:grade_change", args=[incident.pk]),
                           {"grade": "3", "reason": "已控制"})
    assert response.status_code == 400
    incident.refresh_from_db()
    assert incident.grade == 2
    # Nothing changed, nothing to confirm twice.
    response = client.post(reverse("incidents:grade_change", args=[incident.pk]), {"grade": "2"})
    assert response.status_code == 400 and "等级未变化" in response.content.decode()


def test_followups_daily_while_responding_then_the_final_report(abroad, client):
    w = abroad
    incident = record(w, learned=1, occurred=2)
    first = file(incident, "first", w.agency_a1)
    assert not first.late
    f1 = items(incident, FOLLOWUP_RULE).get()
    assert (f1.stage, f1.due_at) == ("followup-1", first.filed_at + timedelta(hours=24))
    client.force_login(w.agency_a1)
    assert "报送续报1" in client.get(incident.get_absolute_url()).content.decode()
    # No final while responding; no second first report.
    response = client.get(reverse("incidents:report_file", args=[incident.pk, "final"]),
                          follow=True)
    assert "处置结束后才能报送终报" in response.content.decode()
    response = client.post(reverse("incidents:report_file", args=[incident.pk, "followup"]),
                           {**report_post(), "expected": "followup-1"})
    assert response.status_code == 302
    report = IncidentReport.objects.get(kind=ReportKind.FOLLOWUP)
    assert (report.seq, report.late) == (1, False)
    f2 = items(incident, FOLLOWUP_RULE).get(stage="followup-2")
    assert f2.due_at == report.filed_at + timedelta(hours=24)

    # The response ends: follow-up 2 is no longer owed, the final is.
    ended = timezone.now() - timedelta(minutes=5)
    response = client.post(reverse("incidents:response_end", args=[incident.pk]),
                           {"ended_at": _local(ended)})
    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.ENDED
    assert not items(incident, FOLLOWUP_RULE).filter(stage="followup-2").exists()
    final = items(incident, FINAL_RULE).get()
    assert final.due_at == add_working_days(timezone.localtime(incident.response_ended_at).date(),
                                            10).ends_at
    response = client.get(reverse("incidents:report_file", args=[incident.pk, "followup"]),
                          follow=True)
    assert "无需再续报" in response.content.decode()
    assert client.post(reverse("incidents:report_file", args=[incident.pk, "final"]),
                       {**report_post(), "expected": "final"}).status_code == 302
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.CLOSED
    final.refresh_from_db()
    assert final.status == ItemStatus.DONE
    assert services.next_report(incident) is None


def test_the_final_report_is_due_ten_working_days_after_the_response_ends(abroad):
    """30 Sep 2026 + 10 working days, over the National Day holiday = 20 Oct 2026."""
    w = abroad
    tz = timezone.get_default_timezone()
    incident = record(w, occurred_at=datetime(2026, 9, 28, 8, tzinfo=tz),
                      learned_at=datetime(2026, 9, 28, 9, tzinfo=tz))
    file(incident, "first", w.agency_a1)
    services.response_end(incident, actor=w.agency_a1,
                          ended_at=datetime(2026, 9, 30, 12, tzinfo=tz))
    final = items(incident, FINAL_RULE).get()
    assert timezone.localtime(final.due_at).date().isoformat() == "2026-10-20"
    assert file(incident, "final", w.agency_a1).late  # filed in December


def test_an_overdue_followup_stays_owed_after_the_response_ends(abroad):
    w = abroad
    incident = record(w, learned=60, occurred=61)
    file(incident, "first", w.agency_a1, now=hours_ago(50), event_time=hours_ago(61))
    # follow-up 1 was due 26 hours ago
    incident = services.response_end(incident, actor=w.agency_a1, ended_at=hours_ago(1))
    assert items(incident, FOLLOWUP_RULE).get().stage == "followup-1"
    assert services.next_report(incident) == ("followup", 1)
    assert file(incident, "followup", w.agency_a1).late
    assert services.next_report(incident) == ("final", 0)


def test_the_first_report_comes_before_the_response_ends(abroad):
    import pytest
    from django.core.exceptions import ValidationError
    w = abroad
    incident = record(w)
    with pytest.raises(ValidationError, match="首次报告尚未报送"):
        services.response_end(incident, actor=w.agency_a1, ended_at=hours_ago(1))


def test_workers_are_added_from_the_register_once(abroad, client):
    w = abroad
    from tests.incidents.conftest import abroad_person
    w3 = abroad_person(w, "王三", 3)
    incident = record(w)
    client.force_login(w.agency_a1)
    page = client.get(reverse("incidents:workers_add", args=[incident.pk])).content.decode()
    assert "王三" in page and "王一" not in page  # those already listed are not offered
    assert client.post(reverse("incidents:workers_add", args=[incident.pk]),
                       {"workers": [w3.pk]}).status_code == 302
    assert incident.workers.count() == 3
    import pytest
    from django.core.exceptions import ValidationError
    with pytest.raises(ValidationError, match="已在涉事人员中：王一"):
        services.incident_workers_add(incident, actor=w.agency_a1, candidacies=[w.w1])


def test_the_navigation_shows_incidents_to_the_organisations_not_the_observer(abroad, client):
    url = reverse("incidents:incident_list")
    for user in (abroad.province, abroad.city_ty, abroad.unit_u1, abroad.agency_a1):
        client.force_login(user)
        assert f'href="{url}"' in client.get(reverse("accounts:home")).content.decode()
    client.force_login(abroad.observer)
    assert f'href="{url}"' not in client.get(reverse("accounts:home")).content.decode()
