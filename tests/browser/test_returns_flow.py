"""Issue 19, done when: an agency records an early return for unpaid wages, a complaint opens,
the count abroad drops on that date, the unit adds the returnee's profile and a referral; the
certificate of work abroad prints on one A4 page in Chromium (kept in artifacts/print/)."""
import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.complaints.models import Complaint
from apps.returnees.models import Referral, ReturneeProfile
from tests.browser.test_admin_consoles import enter
from tests.returnees.conftest import abroad
from tests.rosters.printing import ARTIFACTS

pytestmark = pytest.mark.browser


def as_(page, live_server, user):
    page.context.clear_cookies()
    enter(page, live_server, user)


def abroad_total(page, base, day=None) -> int:
    page.goto(base + reverse("abroad:figures") + (f"?day={day.isoformat()}" if day else ""))
    return int(page.locator("#abroad-total > strong").inner_text())


def test_early_return_for_unpaid_wages_to_a_referral(world, live_server, page, screenshot):
    base = live_server.url
    today = timezone.localdate()
    c = abroad(world, "李归国", 121, departed_on=date(2025, 1, 6))
    abroad(world, "李在外", 122, departed_on=date(2025, 1, 6))

    # The agency sees two abroad today, then records the early return from the person's page.
    as_(page, live_server, world.agency_a1)
    assert abroad_total(page, base) == 2
    page.goto(base + reverse("registry:person_detail", args=[c.person_id]))
    page.click("a.button:has-text('录入归国')")
    page.check("#id_result_0")
    page.fill("#id_happened_on", today.isoformat())
    page.select_option("#id_return_kind", "early")
    page.select_option("#id_return_cause", "employer_breach")
    page.fill("#id_return_reason", "雇主拖欠三个月工资后停工")
    page.fill("#id_owed_wages", "30000")
    page.select_option("#id_return_reported_by", "worker")
    page.select_option("#id_return_verified_by", "in_person")
    page.click("main form button[type=submit]")
    page.wait_for_url(f"**{reverse('registry:person_detail', args=[c.person_id])}")
    complaint = Complaint.objects.get(candidacy=c)
    assert complaint.number in page.locator("body").inner_text()
    assert "提前回国（雇主欠薪或违反合同）" in page.locator(".return-summary").inner_text()
    screenshot("issue19-early-return")

    # The complaint is open, for the wages owed, with the worker's unit.
    page.click(".return-summary a:has-text('劳务纠纷')")
    page.wait_for_url(f"**{complaint.get_absolute_url()}")
    body = page.locator("main").inner_text()
    assert "30000" in body.replace(",", "") and "已登记" in body

    # The count abroad drops on the return's date, not the day before.
    assert abroad_total(page, base) == 1
    assert abroad_total(page, base, today - timedelta(days=1)) == 2
    page.goto(base + reverse("abroad:figures"))
    assert "雇主欠薪或违反合同" in page.locator("#early-by-cause").inner_text()

    # The unit adds the returnee's profile (suggested from the records) and a referral.
    as_(page, live_server, world.unit_u1)
    page.goto(base + reverse("registry:person_detail", args=[c.person_id]))
    page.click("a.button:has-text('归国人员信息与服务')")
    page.click("a.button:has-text('登记归国人员信息')")
    assert page.input_value("#id_occupation_abroad") == "介护"
    page.fill("#id_skills", "护理、日语会话")
    page.fill("#id_language", "日语 N3")
    page.check("#id_go_again_0")
    page.fill("#id_go_again_country", "日本")
    page.check("input[name=support_wanted][value=employment]")
    page.check("input[name=support_wanted][value=legal_aid]")
    page.check("#id_consent_contact")
    page.fill("#id_consent_on", today.isoformat())
    page.click("main form button[type=submit]")
    page.wait_for_url(f"**{reverse('returnees:profile', args=[c.person_id])}")
    assert "就业推荐、法律援助" in page.locator("#profile").inner_text()
    page.click("a.button:has-text('转介服务')")
    page.select_option("#id_service", "legal_aid")
    page.fill("#id_provider", "太原市法律援助中心")
    page.fill("#id_referred_on", today.isoformat())
    page.click("main form button[type=submit]")
    page.wait_for_url(f"**{reverse('returnees:profile', args=[c.person_id])}")
    assert "太原市法律援助中心" in page.locator("#referrals").inner_text()
    profile = ReturneeProfile.objects.get(person=c.person)
    assert profile.consent_contact and profile.support_wanted == ["employment", "legal_aid"]
    assert Referral.objects.get(profile=profile).status == "referred"
    screenshot("issue19-returnee-referral")

    # The certificate of work abroad: one A4 page, nothing past the margin.
    page.goto(base + reverse("returnees:certificate", args=[c.pk]))
    assert "境外工作证明" in page.locator("h1").inner_text()
    page.emulate_media(media="print")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pdf = page.pdf(path=str(ARTIFACTS / "certificate.pdf"), prefer_css_page_size=True)
    assert pdf.startswith(b"%PDF") and len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1
    overflow = page.evaluate("document.querySelector('table.certificate-table')"
                             ".getBoundingClientRect().right - document.body.getBoundingClientRect().right")
    assert overflow <= 1, overflow
