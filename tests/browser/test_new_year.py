"""Issue 16 in Chromium: the province opens next year from this one, sets a task and publishes;
the unit sees its task on its home page and its queue empties as it works. Every role's home
is photographed at 1366×768 (artifacts/screens/), and the navigation stays on one line."""
from datetime import date
from pathlib import Path

import pytest
from django.utils import timezone

from apps.deadlines.services import stage_item_open
from apps.pipeline.models import Stage
from apps.quotas import services
from tests.browser.test_pipeline_flow import go, login, logout, record
from tests.browser.test_standing_class import login_with_second_factor
from tests.conftest import as_step

pytestmark = pytest.mark.browser
SCREENS = Path(__file__).resolve().parents[2] / "artifacts" / "screens"


@pytest.fixture
def wide(browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 768})
    page = context.new_page()
    yield page
    context.close()


def shoot(page, name):
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENS / f"{name}.png"))


def nav_is_one_line(page) -> bool:
    tops = page.eval_on_selector_all("nav.mainnav > *", "els => els.map(e => e.offsetTop)")
    return len(set(tops)) == 1


def test_a_new_year_from_opening_to_a_unit_at_work(world, live_server, wide):
    page, base = wide, live_server.url
    this_year = timezone.localdate().year
    following = this_year + 1
    # This year's plan, published (the world has only 2020's).
    plan = services.task_plan_open(year=this_year, actor=world.province, copy_from=2020)
    services.task_plan_publish(plan, actor=world.province)
    # 张三's 初试 on 10 March: its results are overdue for 山西大学.
    as_step(stage_item_open, world.cand_ty, Stage.FIRST_INTERVIEW, date(2026, 3, 10))

    login_with_second_factor(page, base, "province")
    assert nav_is_one_line(page)
    shoot(page, "home-province")
    go(page, "任务与资金", "任务分解")
    page.wait_for_url(f"{base}/tasks/{this_year}/")
    page.click(f"text=开设{following}年度任务")
    assert page.locator(f"input[value='{this_year}']").is_checked()  # copy from this year
    page.click(f"button:has-text('开设{following}年度任务')")
    page.wait_for_selector(".messages >> text=草稿，仅省专项办可见")
    page.locator("tr", has_text="山西大学").locator("a:has-text('修改')").click()
    page.fill("#id_number", "55")
    page.click("button:has-text('保存')")
    page.wait_for_selector(".messages >> text=已更新")
    page.click(f"button:has-text('发布{following}年度任务')")
    page.wait_for_selector(f".messages >> text=已发布{following}年度任务")
    shoot(page, "tasks-published")
    logout(page)

    login_with_second_factor(page, base, "city_ty")
    assert nav_is_one_line(page)
    shoot(page, "home-city")
    logout(page)

    login(page, base, "unit_u1")
    assert nav_is_one_line(page)
    task = page.locator(".unit-task .next-task")
    assert task.locator(".num").inner_text() == "55"
    assert f"{following}年任务数" in task.inner_text()
    overdue = page.locator(".work-queue a.stat", has_text="逾期事项")
    assert overdue.locator(".num").inner_text() == "1"
    shoot(page, "home-unit")
    overdue.click()
    page.wait_for_selector("text=共 1 项")
    page.click("text=去填报")
    record(page, "初试", "合格", {"#id_happened_on": "2026-03-10"})
    page.goto(f"{base}/")
    assert page.locator(".work-queue a.stat", has_text="逾期事项").locator(".num").inner_text() == "0"
    shoot(page, "home-unit-after")
    logout(page)

    login(page, base, "agency_a1")
    assert nav_is_one_line(page)
    shoot(page, "home-agency")
    logout(page)
    login(page, base, "observer")
    assert nav_is_one_line(page)
    shoot(page, "home-observer")
