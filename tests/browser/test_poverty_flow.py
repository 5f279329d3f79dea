"""Issue 21 in Chromium: the city verifies a person's 脱贫 status on the person page, a future
date is refused naming the field, and the page then shows who verified it and when it lapses."""
import pytest

from apps.registry.models import PovertyVerification
from tests.browser.test_admin_consoles import enter

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_city_verifies_a_person_on_the_person_page(world, live_server, page, screenshot):
    enter(page, live_server, world.city_ty)
    page.goto(f"{live_server.url}/registry/persons/{world.person_ty.pk}/")
    page.click("text=核实脱贫状态")
    page.select_option("#id_status", "脱贫劳动力")
    page.select_option("#id_source", "national")
    page.fill("#id_verified_on", "2099-01-01")
    page.click("main form button[type=submit]")
    assert "不能晚于今天" in page.locator("body").inner_text()
    assert not PovertyVerification.objects.exists()
    page.fill("#id_verified_on", "2026-03-02")
    page.fill("#id_note", "县扶贫办比对")
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/registry/persons/{world.person_ty.pk}/")
    section = page.locator("#poverty").inner_text()
    assert "全国扶贫开发信息系统" in section and "2027-03-02" in section and "city_ty" in section
    screenshot("poverty-verified")
