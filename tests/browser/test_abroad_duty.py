"""Issue 18, done when: an agency records a grade Ⅲ incident for two people abroad, its
first report is late and shown late, the city confirms the grade; a complaint from one of
them goes to the agency, is held with a reason (the clock stops), resumes, escalates when
overdue and is closed with an outcome."""
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.complaints.models import Complaint
from apps.complaints.services import complaints_escalate
from apps.deadlines.models import DeadlineItem
from apps.incidents.models import Incident
from tests.browser.test_admin_consoles import enter
from tests.incidents.conftest import abroad_person

pytestmark = pytest.mark.browser


def as_(page, live_server, user):
    page.context.clear_cookies()
    enter(page, live_server, user)


def act(page, label, **fields):
    """Click an action of the complaint page and submit its form."""
    page.click(f"div.actions >> text={label}")
    for name, value in fields.items():
        if name == "outcome":
            page.select_option(f"#id_{name}", value)
        else:
            page.fill(f"#id_{name}", value)
    page.click("main form button[type=submit]")


def test_duty_of_care_from_incident_to_closed_complaint(world, live_server, page, screenshot):
    base = live_server.url
    w1, w2 = abroad_person(world, "王一", 1), abroad_person(world, "王二", 2)
    now = timezone.localtime()
    moment = (lambda hours: (now - timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M"))

    # The agency records a grade Ⅲ incident for both, learned of 30 hours ago.
    as_(page, live_server, world.agency_a1)
    page.goto(base + reverse("incidents:incident_create"))
    page.select_option("#id_category", "injury")
    page.select_option("#id_grade", "3")
    page.fill("#id_occurred_at", moment(31))
    page.fill("#id_learned_at", moment(30))
    page.fill("#id_country", "日本")
    page.fill("#id_place", "大阪府堺市")
    page.fill("#id_summary", "工厂叉车事故，两人受伤送医")
    page.check("label:has-text('王一') input")
    page.check("label:has-text('王二') input")
    page.click("main form button[type=submit]")
    page.wait_for_url("**/incidents/*/")
    incident = Incident.objects.get()
    assert set(incident.workers.values_list("candidacy", flat=True)) == {w1.pk, w2.pk}
    # Its first report was due 24 hours after it was learned of: overdue already.
    owed = page.locator("table tr", has_text="首次报告").first
    assert "已逾期" in owed.inner_text()
    page.click("a.button:has-text('报送首次报告')")
    for name, value in (("place", "大阪府堺市"), ("nature", "安全生产事故"),
                        ("people_affected", "2"), ("dead", "0"), ("injured", "2"),
                        ("missing", "0"), ("losses", "12000"), ("measures", "已送医救治"),
                        ("requests", "请协调驻大阪总领馆"), ("signed_by", "李总经理")):
        page.fill(f"#id_{name}", value)
    page.fill("#id_event_time", moment(31))
    page.click("main form button[type=submit]")
    page.wait_for_url(f"**{incident.get_absolute_url()}")
    report = page.locator("table tr", has_text="李总经理")
    assert "逾期（迟报）" in report.inner_text()
    assert incident.reports.get().late is True
    screenshot("issue18-incident-late-report")

    # The city, which leads a grade Ⅲ incident, confirms the grade.
    as_(page, live_server, world.city_ty)
    page.goto(base + incident.get_absolute_url())
    assert "暂定，待" in page.locator("dl").inner_text()
    page.click("a.button:has-text('确认或调整等级')")
    page.select_option("#id_grade", "3")
    page.check("#id_confirm")
    page.click("main form button[type=submit]")
    page.wait_for_url(f"**{incident.get_absolute_url()}")
    assert "已确认" in page.locator("dl").inner_text()

    # A complaint for 王一: filed and accepted by his unit 60 days ago, sent to the agency.
    received = timezone.localdate() - timedelta(days=60)
    day = (lambda n: (received + timedelta(days=n)).isoformat())
    as_(page, live_server, world.unit_u1)
    page.goto(base + reverse("complaints:complaint_create"))
    page.select_option("#id_candidacy", str(w1.pk))
    page.select_option("#id_channel", "phone")
    page.fill("#id_received_on", day(0))
    page.select_option("#id_kind", "complaint")
    page.select_option("#id_category", "wages")
    page.select_option("#id_respondent_kind", "agency")
    page.select_option("#id_respondent_agency", str(world.a1.pk))
    page.fill("#id_summary", "雇主拖欠三个月工资")
    page.select_option("#id_claim1_kind", "wages")
    page.fill("#id_claim1_amount", "30000")
    page.click("main form button[type=submit]")
    page.wait_for_url("**/complaints/*/")
    c = Complaint.objects.get()
    act(page, "受理", on=day(0))
    act(page, "转输出机构办理", on=day(1))
    c.refresh_from_db()
    assert c.state == "with_agency" and c.transferred_to == world.a1
    # A hold needs its reason: refused without, then the clock stops.
    act(page, "暂停办理", on=day(5), reason="")
    assert page.locator(".error, .errorlist").count() > 0
    page.fill("#id_reason", "等待驻外使馆核实工资单")
    page.click("main form button[type=submit]")
    page.wait_for_url(f"**{c.get_absolute_url()}")
    assert "暂停中" in page.locator(".banner-hold").inner_text()
    assert "暂停计时" in page.locator("body").inner_text()
    resolve = DeadlineItem.objects.get(subject_id=c.pk, stage="resolve-1")
    due_before = resolve.due_on
    act(page, "恢复办理", on=day(12))
    resolve.refresh_from_db()
    assert resolve.extension_days > 0 and resolve.due_on > due_before
    assert "等待驻外使馆核实工资单" in resolve.extension_reason
    # The agency sees the case it must reply to.
    as_(page, live_server, world.agency_a1)
    page.goto(base + reverse("complaints:complaint_list"))
    assert c.number in page.locator("table").inner_text()

    # Still overdue after the extension: the escalation moves it to the city, who is told.
    assert complaints_escalate() == 1
    c.refresh_from_db()
    assert c.level == "city"
    as_(page, live_server, world.city_ty)
    page.goto(base + reverse("deadlines:my_items"))
    assert c.number in page.locator("body").inner_text()
    page.goto(base + c.get_absolute_url())
    assert "办理层级：市人社局" in page.locator("h1").inner_text()
    act(page, "办结", on=timezone.localdate().isoformat(), outcome="upheld",
        amount_recovered="30000")
    act(page, "结案", on=timezone.localdate().isoformat())
    c.refresh_from_db()
    assert (c.state, c.outcome, c.amount_recovered) == ("closed", "upheld", 30000)
    assert "已结案" in page.locator("h1").inner_text()
    screenshot("issue18-complaint-closed")

    # The city's figures: two abroad today, one incident with one late report, one case
    # closed, and the agency's colour.
    page.goto(base + reverse("abroad:figures"))
    assert "在外 2 人" in page.locator("#abroad-total").inner_text()
    assert "迟报 1 份" in page.locator("#incident-figures h2").inner_text()
    assert "中国国际技术智力合作有限公司" in page.locator("#complaint-figures").inner_text()
    screenshot("issue18-figures-city")
