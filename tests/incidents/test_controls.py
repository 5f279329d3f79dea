"""Each control of 境外突发事件 attacked: who is picked (only people abroad the user sees),
dates (nothing before it happened), the late flag (never from the form), replays, scope
(another city or agency: 404 on every page and action), the rules page (the province's),
the list's query count, the export's masking and the figures' scope."""
import io
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from apps.deadlines.models import DeadlineItem
from apps.incidents import services
from apps.incidents.models import GradeChange, Incident, IncidentReport, IncidentReportRule
from apps.incidents.selectors import incident_figures
from apps.registry.idnumber import mask_id
from tests.conftest import SENTINEL_ID, SENTINEL_PERSON
from tests.incidents.conftest import abroad_person, file, hours_ago, record, report_post


def _local(moment):
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def create_post(w, **changes):
    return {"workers": [w.w1.pk], "category": "accident", "grade": "4",
            "occurred_at": _local(hours_ago(5)), "learned_at": _local(hours_ago(4)),
            "country": "日本", "place": "东京都", "summary": "交通事故", **changes}


# --- the people concerned ---------------------------------------------------------------------

def test_a_person_not_abroad_is_refused_by_name(abroad):
    w = abroad
    with pytest.raises(ValidationError, match="张三（不在外）"):
        record(w, workers=[w.w1, w.cand_ty])
    assert not Incident.objects.exists()


def test_a_person_the_user_cannot_see_is_refused_without_naming_them(abroad):
    w = abroad
    with pytest.raises(ValidationError) as error:
        record(w, workers=[w.w1, w.w_dt])
    message = str(error.value)
    assert f"编号{w.w_dt.pk}（不在您的在外人员名册中）" in message
    assert SENTINEL_PERSON not in message
    assert not Incident.objects.exists()


def test_a_forged_worker_on_the_page_is_refused(abroad, client):
    w = abroad
    client.force_login(w.agency_a1)
    for forged in (w.w_dt.pk, w.cand_ty.pk):
        response = client.post(reverse("incidents:incident_create"),
                               create_post(w, workers=[w.w1.pk, forged]))
        assert response.status_code == 400
        html = response.content.decode()
        assert f"编号 {forged}）不在您可见的在外人员名册中" in html
        assert SENTINEL_PERSON not in html
    assert not Incident.objects.exists()
    response = client.post(reverse("incidents:incident_create"), create_post(w, workers=[]))
    assert response.status_code == 400 and "请至少选择一名" in response.content.decode()


def test_an_observer_cannot_record(abroad, client):
    client.force_login(abroad.observer)
    assert client.post(reverse("incidents:incident_create"),
                       create_post(abroad)).status_code == 403
    with pytest.raises(Exception):
        record(abroad, abroad.observer)
    assert not Incident.objects.exists()


# --- dates --------------------------------------------------------------------------------------

@pytest.mark.parametrize("changes, field, message", [
    ({"occurred_at": 1, "learned_at": 2}, "occurred_at", "发生时间不能晚于当前时间"),
    ({"occurred_at": -5, "learned_at": 1}, "learned_at", "获知时间不能晚于当前时间"),
    ({"occurred_at": -3, "learned_at": -5}, "learned_at", "获知时间不能早于发生时间"),
])
def test_incident_dates_in_the_future_or_out_of_order_are_refused(abroad, client, changes,
                                                                  field, message):
    w = abroad
    at = {k: timezone.now() + timedelta(hours=v) for k, v in changes.items()}
    with pytest.raises(ValidationError, match=message):
        record(w, occurred_at=at["occurred_at"], learned_at=at["learned_at"])
    client.force_login(w.agency_a1)
    response = client.post(reverse("incidents:incident_create"),
                           create_post(w, **{k: _local(v) for k, v in at.items()}))
    assert response.status_code == 400 and message in response.content.decode()
    assert not Incident.objects.exists()


def test_a_report_dated_in_the_future_is_refused(abroad, client):
    w = abroad
    incident = record(w)
    client.force_login(w.agency_a1)
    response = client.post(reverse("incidents:report_file", args=[incident.pk, "first"]),
                           {**report_post(event_time=timezone.now() + timedelta(hours=2)),
                            "expected": "first"})
    assert response.status_code == 400 and "事发时间不能晚于当前时间" in response.content.decode()
    with pytest.raises(ValidationError, match="事发时间不能晚于当前时间"):
        file(incident, "first", w.agency_a1, event_time=timezone.now() + timedelta(hours=2))
    assert not IncidentReport.objects.exists()


def test_the_response_cannot_end_in_the_future_or_before_it_was_learned_of(abroad, client):
    w = abroad
    incident = record(w, learned=10, occurred=11)
    file(incident, "first", w.agency_a1)
    client.force_login(w.agency_a1)
    for moment, message in ((timezone.now() + timedelta(hours=1), "处置结束时间不能晚于当前时间"),
                            (hours_ago(12), "处置结束时间不能早于获知时间")):
        response = client.post(reverse("incidents:response_end", args=[incident.pk]),
                               {"ended_at": _local(moment)})
        assert response.status_code == 400 and message in response.content.decode()
    incident.refresh_from_db()
    assert incident.status == "responding" and incident.response_ended_at is None


# --- the late flag and replays -------------------------------------------------------------

def test_the_late_flag_is_not_taken_from_the_form(abroad, client):
    w = abroad
    on_time, late = record(w, learned=1, occurred=2), record(w, learned=30, occurred=31)
    client.force_login(w.agency_a1)
    for incident, forged in ((on_time, "on"), (late, "")):
        client.post(reverse("incidents:report_file", args=[incident.pk, "first"]),
                    {**report_post(), "expected": "first", "late": forged,
                     "due_at": "2000-01-01T00:00", "filed_at": "2000-01-01T00:00"})
    assert not IncidentReport.objects.get(incident=on_time).late
    report = IncidentReport.objects.get(incident=late)
    assert report.late and report.filed_at > hours_ago(1)


def test_a_doubled_submit_files_one_report(abroad, client):
    w = abroad
    incident = record(w, learned=1, occurred=2)
    client.force_login(w.agency_a1)
    url = reverse("incidents:report_file", args=[incident.pk, "first"])
    data = {**report_post(), "expected": "first"}
    assert client.post(url, data).status_code == 302
    # The same first-report form again: the follow-up is now owed, not filed by the replay.
    response = client.post(url, data, follow=True)
    assert "首次报告已报送" in response.content.decode()
    followup = reverse("incidents:report_file", args=[incident.pk, "followup"])
    assert client.post(followup, {**report_post(), "expected": "followup-1"}).status_code == 302
    response = client.post(followup, {**report_post(), "expected": "followup-1"})
    assert response.status_code == 400 and "重复提交" in response.content.decode()
    assert list(IncidentReport.objects.values_list("kind", "seq")) == [("first", 0),
                                                                       ("followup", 1)]


def test_a_report_needs_the_heads_sign_off(abroad, client):
    w = abroad
    incident = record(w)
    client.force_login(w.agency_a1)
    response = client.post(reverse("incidents:report_file", args=[incident.pk, "first"]),
                           {**report_post(signed_by="  "), "expected": "first"})
    assert response.status_code == 400 and "签发人" in response.content.decode()
    with pytest.raises(ValidationError, match="负责人签发"):
        file(incident, "first", w.agency_a1, signed_by="")
    assert not IncidentReport.objects.exists()


def test_only_the_reporting_organisation_files(abroad, client):
    w = abroad
    incident = record(w)
    for user in (w.city_ty, w.province, w.unit_u1):
        client.force_login(user)
        assert client.post(reverse("incidents:report_file", args=[incident.pk, "first"]),
                           {**report_post(), "expected": "first"}).status_code == 403
    assert not IncidentReport.objects.exists()


# --- scope ------------------------------------------------------------------------------------

def test_another_city_or_agency_gets_404_on_every_page_and_action(abroad, client):
    w = abroad
    incident = record(w)
    pages = [("incidents:incident_detail", {}), ("incidents:workers_add", {}),
             ("incidents:grade_change", {}), ("incidents:response_end", {})]
    posts = [("incidents:grade_change", {"grade": "1", "reason": "越权"}),
             ("incidents:response_end", {"ended_at": _local(hours_ago(1))}),
             ("incidents:workers_add", {"workers": [w.w_dt.pk]})]
    for user in (w.agency_a2, w.city_dt, w.unit_u3, w.unit_u2):
        client.force_login(user)
        for name, _ in pages:
            assert client.get(reverse(name, args=[incident.pk])).status_code == 404, (user, name)
        assert client.get(reverse("incidents:report_file",
                                  args=[incident.pk, "first"])).status_code == 404
        for name, data in posts:
            assert client.post(reverse(name, args=[incident.pk]), data).status_code == 404
        assert client.post(reverse("incidents:report_file", args=[incident.pk, "first"]),
                           {**report_post(), "expected": "first"}).status_code == 404
    incident.refresh_from_db()
    assert (incident.grade, incident.status, incident.workers.count()) == (3, "responding", 2)
    assert not IncidentReport.objects.exists()
    assert GradeChange.objects.filter(incident=incident).count() == 1
    # Those it concerns see it: the city, the unit of its people, the agency; not the observer.
    for user, status in ((w.city_ty, 200), (w.unit_u1, 200), (w.agency_a1, 200),
                         (w.province, 200), (w.observer, 403)):
        client.force_login(user)
        assert client.get(incident.get_absolute_url()).status_code == status


def test_the_list_shows_only_ones_own(abroad, client):
    w = abroad
    mine = record(w)
    theirs = record(w, w.agency_a2, workers=[w.w_dt], place="新加坡裕廊")
    for user, expected in ((w.agency_a1, [mine]), (w.city_ty, [mine]), (w.unit_u1, [mine]),
                           (w.agency_a2, [theirs]), (w.city_dt, [theirs]),
                           (w.province, [theirs, mine])):
        client.force_login(user)
        response = client.get(reverse("incidents:incident_list"))
        assert list(response.context["page"]) == expected, user
        if user != w.province and theirs not in expected:
            assert "新加坡裕廊" not in response.content.decode()
    assert visible_items(w.agency_a2) == 1 and visible_items(w.agency_a1) == 1


def visible_items(user):
    from apps.accounts.scoping import visible
    return visible(DeadlineItem.objects.filter(subject_type__model="incident"), user).count()


def test_the_list_filters(abroad, client):
    w = abroad
    late = record(w, learned=30, occurred=31)
    file(late, "first", w.agency_a1)
    record(w, grade=1, learned=1, occurred=2, category="war_terror")
    client.force_login(w.province)

    def listed(**query):
        response = client.get(reverse("incidents:incident_list"), query)
        return [i.grade for i in response.context["page"]]
    assert listed(late="1") == [3]
    assert listed(grade="1") == [1]
    assert listed(category="war_terror") == [1]
    assert listed(status="closed") == []


def test_the_list_query_count_does_not_grow_with_rows(abroad, client):
    w = abroad
    client.force_login(w.province)

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("incidents:incident_list")).status_code == 200
        return len(ctx)
    record(w)
    queries()  # the first request after login also touches the session
    few = queries()
    for n in range(6):
        file(record(w, workers=[abroad_person(w, f"批量{n}", 20 + n)]), "first", w.agency_a1)
    assert queries() == few


def test_the_list_stays_within_its_queries(abroad, client, django_assert_max_num_queries):
    w = abroad
    for n in range(4):
        record(w, workers=[abroad_person(w, f"批量{n}", 40 + n)])
    client.force_login(w.city_ty)
    with django_assert_max_num_queries(14):
        client.get(reverse("incidents:incident_list"))
    with django_assert_max_num_queries(18):
        client.get(reverse("incidents:incident_export"))


def test_the_export_masks_id_numbers(abroad, client):
    w = abroad
    record(w)
    record(w, w.agency_a2, workers=[w.w_dt])
    client.force_login(w.agency_a1)
    response = client.get(reverse("incidents:incident_export"))
    book = load_workbook(io.BytesIO(response.content))
    text = " ".join(str(c.value) for ws in book for row in ws.iter_rows() for c in row
                    if c.value is not None)
    assert "王一" in text and mask_id(w.w1.person.id_number) in text
    assert w.w1.person.id_number not in text
    assert SENTINEL_PERSON not in text and mask_id(SENTINEL_ID) not in text


def test_figures_are_scoped(abroad):
    w = abroad
    late = record(w, learned=30, occurred=31)
    file(late, "first", w.agency_a1)
    record(w, w.agency_a2, workers=[w.w_dt], grade=1)
    mine = incident_figures(w.agency_a1)
    assert mine["total"] == 1 and mine["late_reports"] == 1 and mine["reports"] == 1
    assert {g["key"]: g["count"] for g in mine["by_grade"]} == {1: 0, 2: 0, 3: 1, 4: 0}
    assert {s["label"]: s["count"] for s in mine["by_status"]}["处置中"] == 1
    everything = incident_figures(w.province)
    assert everything["total"] == 2 and everything["late_reports"] == 1
    assert {c["key"]: c["count"] for c in everything["by_category"]}["injury"] == 2
    assert incident_figures(w.observer)["total"] == 0


# --- rules ------------------------------------------------------------------------------------

def test_the_province_edits_a_rule_and_what_is_owed_follows(abroad, client):
    w = abroad
    incident = record(w, learned=3, occurred=4)
    item = DeadlineItem.objects.get(subject_id=incident.pk, rule__code="incident_first")
    rule = IncidentReportRule.objects.get(grade_group="low", kind="first")
    client.force_login(w.province)
    page = client.get(reverse("incidents:rule_list")).content.decode()
    assert "获知事件后24小时内" in page and "获知事件后2小时内" in page
    assert "处置结束后10个工作日内" in page
    assert client.post(reverse("incidents:rule_edit", args=[rule.pk]),
                       {"amount": "0"}).status_code == 400
    assert client.post(reverse("incidents:rule_edit", args=[rule.pk]),
                       {"amount": "12"}).status_code == 302
    rule.refresh_from_db()
    item.refresh_from_db()
    assert (rule.amount, rule.updated_by) == (12, w.province)
    assert item.due_at == incident.learned_at + timedelta(hours=12)
    final = IncidentReportRule.objects.get(grade_group="low", kind="final")
    assert client.post(reverse("incidents:rule_edit", args=[final.pk]),
                       {"amount": "61"}).status_code == 400


def test_others_read_the_rules_and_cannot_edit_them(abroad, client):
    w = abroad
    rule = IncidentReportRule.objects.get(grade_group="high", kind="first")
    for user in (w.city_ty, w.unit_u1, w.agency_a1):
        client.force_login(user)
        page = client.get(reverse("incidents:rule_list"))
        assert page.status_code == 200 and "修改</a>" not in page.content.decode()
        assert client.post(reverse("incidents:rule_edit", args=[rule.pk]),
                           {"amount": "48"}).status_code == 403
        with pytest.raises(Exception):
            services.report_rule_set(rule, actor=user, amount=48)
    rule.refresh_from_db()
    assert rule.amount == 2


def test_the_deadline_rules_page_sends_incident_rules_to_their_own_page(abroad, client):
    """Their length is in hours, per grade: the working-day offset form would be ignored."""
    from apps.deadlines.models import DeadlineRule
    rule = DeadlineRule.objects.get(code="incident_first")
    client.force_login(abroad.province)
    page = client.get(reverse("deadlines:rule_list")).content.decode()
    assert "突发事件首次报告" in page and reverse("incidents:rule_list") in page
    assert reverse("deadlines:rule_edit", args=[rule.pk]) not in page
    assert client.get(reverse("deadlines:rule_edit", args=[rule.pk])).status_code == 404
