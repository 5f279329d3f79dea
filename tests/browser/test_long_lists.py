"""Issue 17, the long lists as their users work them in Chromium: the register filtered by a
country chosen from the list, the reserve pool in 脱贫劳动力优先 order followed page by page,
and the audit log searched by text within its month."""
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.audit.models import AuditAction
from apps.audit.services import audit_log
from apps.pipeline.models import Candidacy
from apps.registry.models import Person, poverty_current_since
from tests.audit.test_audit_log import aged
from tests.browser.test_returns_flow import as_
from tests.conftest import register
from tests.pipeline_walk import walk
from tests.rosters.files import person_row

pytestmark = pytest.mark.browser


def test_register_by_a_chosen_country(world, live_server, page, screenshot):
    walk(world.cand_ty, unit_user=world.unit_u1, agency_user=world.agency_a1, country="韩国")
    as_(page, live_server, world.province)
    page.goto(live_server.url + reverse("abroad:register"))
    options = page.locator("select[name=country] option").all_inner_texts()
    assert options[0] == "全部国家" and "韩国" in options and "日本" in options
    page.select_option("select[name=country]", "日本")
    submit(page)
    assert "没有符合条件的在外人员" in page.locator("table.data").inner_text()
    page.select_option("select[name=country]", "韩国")
    submit(page)
    table = page.locator("table.data").inner_text()
    assert "张三" in table and "韩国" in table
    assert page.locator("select[name=country]").input_value() == "韩国"  # kept on the page
    screenshot("register-by-country")


def test_reserve_pool_priority_order_page_by_page(world, live_server, page, screenshot,
                                                  monkeypatch):
    from apps.registry import views
    monkeypatch.setattr(views, "KeysetPage", _pages_of(2, views.KeysetPage))
    since = poverty_current_since(timezone.localdate())
    names = {}
    for n, (status, verified) in enumerate([("", None), ("脱贫劳动力", None),
                                            ("脱贫劳动力", since), ("监测对象", since),
                                            ("", None)]):
        p = register(world.unit_u1, name=f"储备{n}", sex="男", phone=f"1370000{n:04d}",
                     id_number=person_row(720 + n)[3])
        Person.objects.filter(pk=p.pk).update(poverty_status=status, poverty_verified_on=verified)
        names[p.name] = p
    Candidacy.objects.filter(person=world.person_ty).update(status="ended")  # 张三 is free too
    as_(page, live_server, world.unit_u1)
    page.goto(live_server.url + reverse("registry:reserve_pool"))
    page.select_option("select[name=order]", "priority")
    submit(page)
    seen = []
    for n in range(6):
        seen += page.locator("table.data tbody tr td:first-child a").all_inner_texts()
        if n == 0:
            screenshot("reserve-priority-first-page")
        if page.locator("a:has-text('下一页')").count() == 0:
            break
        with page.expect_navigation():
            page.click("a:has-text('下一页')")
    # Verified and current first (newest first), then the unverified, then everyone else.
    assert seen == ["储备3", "储备2", "储备1", "储备4", "储备0", "张三"]


def submit(page):
    with page.expect_navigation():
        page.locator("form.filters button[type=submit]").click()


def _pages_of(size, cls):
    def make(*args, **kwargs):
        kwargs["per_page"] = size
        return cls(*args, **kwargs)
    return make


def test_audit_log_searched_by_text_within_its_month(world, live_server, page, screenshot):
    audit_log(world.city_ty, AuditAction.EXPORT, detail="新事件：导出名册")
    aged(40, world.city_ty, AuditAction.EXPORT, "旧事件：导出名册")
    as_(page, live_server, world.auditor)
    page.goto(live_server.url + reverse("audit:event_list"))
    page.fill("input[name=text]", "导出名册")
    submit(page)
    body = page.locator("body").inner_text()
    today = timezone.localdate()
    assert f"查找的日期范围：{today - timedelta(days=30):%Y-%m-%d} 至 {today:%Y-%m-%d}" in body
    assert "新事件" in body and "旧事件" not in body
    screenshot("audit-text-last-month")
    page.fill("input[name=since]", f"{today - timedelta(days=90):%Y-%m-%d}")
    page.fill("input[name=until]", f"{today:%Y-%m-%d}")
    submit(page)
    assert "按内容查找时，日期范围最长31天（所选为91天），请缩小范围。" in page.locator(
        "body").inner_text()
    page.fill("input[name=since]", f"{today - timedelta(days=50):%Y-%m-%d}")
    page.fill("input[name=until]", f"{today - timedelta(days=30):%Y-%m-%d}")
    submit(page)
    body = page.locator("body").inner_text()
    assert "旧事件" in body and "新事件" not in body
    screenshot("audit-text-chosen-month")
