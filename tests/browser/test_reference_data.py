"""The province keeps its reference data on its own page: upload, preview, commit; a name
that looks like a formula or markup is refused at its cell and shown as text."""
import pytest

from apps.orgs.models import OrganisingUnit
from tests.browser.test_standing_class import XLSX, login_with_second_factor
from tests.orgs.test_reference_data import UNIT_HEADER
from tests.rosters.files import xlsx

pytestmark = pytest.mark.browser


def test_province_imports_units_after_a_preview(world, live_server, page, screenshot):
    base = live_server.url
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    login_with_second_factor(page, base, "province")
    page.click("text=基础数据导入导出")
    page.select_option("#id_kind", "ref_units")
    bad = [["<img src=x onerror=alert(1)>学校", "技工院校", "太原"],
           ['=HYPERLINK("http://evil.example/","点我")', "技工院校", "太原"]]
    page.set_input_files("#id_file", files=[{"name": "单位.xlsx", "mimeType": XLSX,
                                             "buffer": xlsx(bad, header=UNIT_HEADER[:3])}])
    page.click("button:has-text('上传并预览')")
    page.wait_for_selector("text=第3行“单位名称”列（A列）是公式")
    assert "不能导入" in page.content() and not dialogs
    screenshot("reference-preview-refused")
    page.goto(f"{base}/orgs/reference/")
    page.select_option("#id_kind", "ref_units")
    page.set_input_files("#id_file", files=[{"name": "单位.xlsx", "mimeType": XLSX,
                                             "buffer": xlsx([bad[0]], header=UNIT_HEADER[:3])}])
    page.click("button:has-text('上传并预览')")
    page.click("button:has-text('确认导入（新增 1 条')")
    page.wait_for_selector("text=已导入：新增 1 条")
    assert OrganisingUnit.objects.filter(name="<img src=x onerror=alert(1)>学校").exists()
    assert not dialogs
