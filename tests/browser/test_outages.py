"""Issue 22 in Chromium: the province declares afterwards a three-day lockdown of 太原; the
unit's overdue item is due three working days later, with the reason, and the interview held
on paper during the lockdown is entered as 补录, on time; the province reviews it."""
from datetime import date

import pytest

from apps.deadlines.models import DeadlineItem, ItemStatus
from apps.deadlines.services import stage_item_open
from apps.pipeline.models import Stage
from tests.browser.test_admin_consoles import enter
from tests.conftest import as_step

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_lockdown_declared_afterwards_extends_the_item_and_a_paper_interview_is_entered(
        world, live_server, page, screenshot):
    base = live_server.url
    # 张三's 初试 booked for Mon 9 Nov: its results were due Mon 16 Nov, overdue by now.
    as_step(stage_item_open, world.cand_ty, Stage.FIRST_INTERVIEW, date(2026, 11, 9))

    enter(page, live_server, world.province)
    page.goto(f"{base}/outages/")
    page.click("text=登记期间")
    page.select_option("#id_kind", "lockdown")
    page.fill("#id_reason", "太原市疫情封控，单位停工")
    page.fill("#id_starts_on", "2026-11-16")
    page.fill("#id_ends_on", "2026-11-18")
    page.check("input[name=scope][value=cities]")
    page.check(f"input[name=cities][value='{world.ty.pk}']")
    page.click("main form button[type=submit]")
    page.wait_for_selector(".messages >> text=已通知涉及的单位")
    assert "太原市" in page.locator("table.data").inner_text()
    screenshot("outage-declared")

    page.context.clear_cookies()
    enter(page, live_server, world.unit_u1)
    page.goto(f"{base}/todo/")
    row = page.locator("tr", has_text="张三")
    assert "2026-11-19" in row.inner_text() and "太原市疫情封控" in row.inner_text()
    assert "专项办登记了疫情封控期间" in page.locator("section", has_text="提醒").inner_text()
    page.goto(f"{base}/pipeline/candidacies/{world.cand_ty.pk}/record/")
    page.check("label:has-text('合格') input")
    page.fill("#id_happened_on", "2026-11-17")
    page.fill("#id_paper_form_no", "太原封控纸质-017")
    page.click("main form button[type=submit]")
    page.wait_for_selector(".messages >> text=已录入")
    assert "补录" in page.locator("ol.timeline").inner_text()
    screenshot("outage-late-entry")
    item = DeadlineItem.objects.get(candidacy=world.cand_ty, stage=Stage.FIRST_INTERVIEW)
    assert (item.due_on, item.status) == (date(2026, 11, 19), ItemStatus.DONE)

    page.context.clear_cookies()
    enter(page, live_server, world.province)
    page.goto(f"{base}/outages/late-entries/")
    table = page.locator("table.data").inner_text()
    assert "太原封控纸质-017" in table and "张三" in table and "按时" in table
