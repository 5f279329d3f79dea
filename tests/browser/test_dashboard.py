"""The province opens the 2020 dashboard: each city's and unit's progress, and the funnel."""
import base64

import pytest
from django_otp.oath import totp

from tests.conftest import PASSWORD
from tests.dashboards.records import dashboard_data

from tests.browser.test_pipeline_flow import go  # noqa: E402

pytestmark = pytest.mark.browser


def test_province_sees_2020_progress_and_funnel(world, live_server, page, screenshot):
    dashboard_data(world)
    base = live_server.url
    page.goto(f"{base}/login/")
    page.fill("#id_username", "province")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/otp/setup/**")
    secret = page.locator("#otp-secret").inner_text()
    page.fill("#id_code", f"{totp(base64.b32decode(secret + '=' * (-len(secret) % 8))):06d}")
    page.click("button:has-text('确认绑定')")
    page.wait_for_url(f"{base}/")
    go(page, "统计", "统计分析")
    page.click("nav.years >> text=2020")
    page.wait_for_url(f"{base}/dashboards/2020/")
    assert page.locator("h1").inner_text() == "2020年对外劳务输出统计分析"
    city = page.locator("#table-city tbody tr", has_text="太原")
    assert city.locator("td").nth(1).inner_text() == "160"  # task
    assert city.locator("td").nth(8).inner_text() == "10"   # departed
    assert city.locator("td").nth(9).inner_text() == "6.2"  # % of task
    unit = page.locator("#table-unit tbody tr", has_text="山西大学")
    assert unit.locator("td").nth(8).inner_text() == "7"
    medical = page.locator("#table-funnel tbody tr", has_text="体检")
    assert medical.locator("td").nth(3).inner_text() == "2"  # dropped out at the medical
    # ECharts drew the charts from the bundled file (no CDN, no inline script under the CSP).
    page.wait_for_selector("#chart-city canvas")
    page.wait_for_selector("#chart-funnel canvas")
    assert page.evaluate("typeof window.echarts") == "object"
    screenshot("dashboard-2020-province")
    page.locator("#table-funnel").scroll_into_view_if_needed()
    page.locator("#table-funnel").screenshot(path=str(_path("dashboard-2020-funnel")))
    with page.expect_download() as download:
        page.click("#table-city >> text=导出Excel")
    assert download.value.suggested_filename.endswith(".xlsx")


def _path(name):
    from tests.browser.conftest import SCREENSHOTS
    return SCREENSHOTS / f"{name}.png"


def test_anyone_reads_the_public_page_without_login(world, live_server, page, screenshot):
    from apps.publicity.models import Notice
    Notice.objects.filter(pk=world.notice.pk).update(published=True)
    page.goto(f"{live_server.url}/login/")
    page.click("text=信息公开")
    assert page.locator("h1").inner_text() == "对外劳务输出信息公开"
    row = page.locator("table.data tbody tr", has_text="日本介护项目")
    assert "晋商审〔2020〕1号" in row.inner_text()
    assert "越权哨兵" not in page.locator("body").inner_text()
    screenshot("public-page")
    page.click("text=关于做好2020年对外劳务输出工作的通知")
    assert page.locator("h1").inner_text() == "关于做好2020年对外劳务输出工作的通知"


def test_observer_charts_draw_the_hidden_cells_as_gaps(world, live_server, page, screenshot):
    """The observer's charts read the same hidden cells as its tables: null in the data, a
    gap in the chart, no script error; the table shows the mark."""
    from apps.dashboards.disclosure import SUPPRESSED
    dashboard_data(world)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "observer")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/dashboards/2020/")
    trade = page.locator("#table-trade tbody tr", has_text="建筑")
    assert trade.locator("td").nth(1).inner_text() == SUPPRESSED  # 3 people
    for key in ("city", "unit", "funnel", "trade", "poverty"):
        page.wait_for_selector(f"#chart-{key} canvas")
    option = chart_option(page, "trade")
    labels = option["yAxis"][0]["data"]
    assert option["series"][0]["data"][labels.index("建筑")] is None and not errors
    screenshot("dashboard-2020-observer")


def chart_option(page, key):
    return page.evaluate(f"""() => window.echarts.getInstanceByDom(
        document.getElementById('chart-{key}')).getOption()""")


def test_charts_read_with_ninety_units(world, live_server, page, screenshot):
    """Issue 17 item 4: the unit chart of a province with many units draws its first 15 as
    sorted horizontal bars, names beside them, the rest left to the table; count axes step by
    whole people; every legend names its column."""
    from apps.orgs.models import OrganisingUnit, UnitCategory
    from apps.quotas.models import Task
    from tests.browser.test_pipeline_flow import login
    dashboard_data(world)
    for i in range(88):
        unit = OrganisingUnit.objects.create(
            name=f"山西省第{i + 1}职业技术学院（测试用长名称）", category=UnitCategory.TECHNICAL,
            city=world.ty if i % 2 else world.dt, seq=100 + i)
        Task.objects.create(year=2020, unit=unit, number=5 + i % 7)
    login(page, live_server.url, "observer")
    page.goto(f"{live_server.url}/dashboards/2020/")
    page.wait_for_selector("#chart-unit canvas")
    unit = chart_option(page, "unit")
    names = unit["yAxis"][0]["data"]
    assert len(names) == 15 and unit["yAxis"][0]["inverse"] is True
    departed = unit["series"][0]["data"]
    shown = [n for n in departed if n is not None]
    assert shown == sorted(shown, reverse=True) and shown[0] >= 6
    # The first bar is the table's row of that name, with its number.
    row = page.locator("#table-unit tbody tr", has_text=names[0])
    assert row.locator("td").nth(8).inner_text() == str(departed[0])
    assert "其余见下表" in unit["title"][0]["text"]
    assert [s["name"] for s in unit["series"]] == ["输出", "任务数"]
    assert unit["xAxis"][0]["minInterval"] == 1
    # The bars have room: the chart grows with them instead of squeezing 15 names.
    height = page.evaluate("document.getElementById('chart-unit').clientHeight")
    assert height >= 15 * 26
    # Every unit is still in the table.
    assert page.locator("#table-unit tbody tr").count() == 91
    for key, legend in (("trade", "输出人数"), ("agency", "输出人数"), ("month", "输出人数")):
        option = chart_option(page, key)
        assert option["series"][0]["name"] == legend, key
        axis = option["xAxis" if key != "month" else "yAxis"][0]
        assert axis["minInterval"] == 1, key
    assert chart_option(page, "stage_time")["series"][0]["name"] == "平均天数"
    # The observer's country table is all under 5: the pie says so rather than stay blank.
    assert chart_option(page, "country")["title"][0]["text"].startswith("人数较少")
    page.locator("#table-unit").screenshot(path=str(_path("dashboard-90-units")))
    page.locator("#table-country").screenshot(path=str(_path("dashboard-country-pie")))
    screenshot("dashboard-charts-observer")
