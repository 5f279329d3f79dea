"""A unit asks for the full-number 花名表 of its people: the file it gets at once is masked,
a request for more than the threshold waits for the province, which approves it; the unit
downloads it once."""
import io

import pytest
from openpyxl import load_workbook

from apps.disclosures.models import Disclosure
from tests.browser.test_pipeline_flow import go, login, logout
from tests.browser.test_standing_class import login_with_second_factor
from tests.conftest import OWN_ID
from tests.disclosures.test_disclosures import second_person

pytestmark = pytest.mark.browser


def cells(download) -> str:
    wb = load_workbook(io.BytesIO(open(download.path(), "rb").read()))
    return "\n".join(str(c.value) for ws in wb for row in ws.iter_rows() for c in row if c.value)


def test_a_bulk_full_number_roster_needs_the_provinces_approval(world, live_server, page,
                                                                settings, screenshot):
    settings.DISCLOSURE_AUTO_MAX_PEOPLE = 1
    other = second_person(world)
    base = live_server.url
    login(page, base, "unit_u1")
    page.goto(f"{base}/pipeline/roster/?unit={world.u1.pk}")
    with page.expect_download() as masked:
        page.click("text=导出 Excel")
    assert OWN_ID not in cells(masked.value)
    page.click("text=申请完整号码版")
    page.select_option("#id_purpose", "passport_visa")
    page.fill("#id_purpose_text", "办理日本签证")
    assert page.locator("input[name=people]:checked").count() == 2
    page.click("button:has-text('提交申请')")
    page.wait_for_selector("text=等待省专项办审批")
    assert page.locator("button:has-text('下载完整号码版')").count() == 0
    screenshot("disclosure-pending")
    logout(page)

    login_with_second_factor(page, base, "province")
    page.goto(f"{base}/disclosures/review/")
    page.click("td a")
    page.check("label:has-text('批准') input")
    page.fill("#id_reason", "签证批次")
    page.click("button:has-text('提交审批')")
    page.wait_for_selector("text=审批完成")
    logout(page)

    login(page, base, "unit_u1")
    go(page, "人员与筛选", "完整号码申请")
    page.click("td a")
    with page.expect_download() as full:
        page.click("button:has-text('下载完整号码版')")
    body = cells(full.value)
    assert OWN_ID in body and other.id_number in body
    page.wait_for_load_state()
    page.goto(f"{base}/disclosures/{Disclosure.objects.get().pk}/")
    assert page.locator("button:has-text('下载完整号码版')").count() == 0
    assert "已下载" in page.content()
