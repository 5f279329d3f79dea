"""A school opens a 非建制班: plans it, uploads its 30-person roster (附件9), files it, opens
the class; the province then spot-checks it and the money stops."""
import base64

import pytest
from django_otp.oath import totp

from apps.training.models import TrainingClass
from tests.browser.test_pipeline_flow import login, logout
from tests.conftest import PASSWORD
from tests.rosters.files import xlsx
from tests.training.test_pages import FORM9, form9_row

pytestmark = pytest.mark.browser

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def login_with_second_factor(page, base, username):
    """A province or city account's first login: bind an authenticator and enter its code."""
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/otp/setup/**")
    secret = page.locator("#otp-secret").inner_text()
    page.fill("#id_code", f"{totp(base64.b32decode(secret + '=' * (-len(secret) % 8))):06d}")
    page.click("button:has-text('确认绑定')")
    page.wait_for_url(f"{base}/")


def test_a_school_opens_a_standing_class_with_a_30_person_roster(world, live_server, page,
                                                                  screenshot):
    base = live_server.url
    login(page, base, "unit_u1")
    page.click("nav >> text=培训班")
    page.click("text=新建非建制班")
    page.fill("#id_name", "日语非建制班（2026秋）")
    page.fill("#id_opens_on", "2026-03-02")
    page.fill("#id_course_starts_on", "2026-03-03")
    page.fill("#id_first_term_ends_on", "2026-07-10")
    page.fill("#id_second_term_starts_on", "2026-09-01")
    page.fill("#id_ends_on", "2027-01-15")
    page.fill("#id_language", "日语")
    page.fill("#id_hours_per_week", "1")
    page.fill("#id_place", "外语楼 201")
    page.fill("#id_courses", "日语入门、日本国情")
    page.fill("#id_timetable", "每周二、四晚 各2课时")
    page.click("button:has-text('保存')")
    # The rule is said on the field, and nothing is created.
    page.wait_for_selector("p.error:has-text('非建制班每周不少于2课时')")
    assert not TrainingClass.objects.filter(name="日语非建制班（2026秋）").exists()
    screenshot("standing-class-form-refused")
    page.fill("#id_hours_per_week", "4")
    page.click("button:has-text('保存')")
    page.wait_for_selector("text=已创建培训班")
    assert "花名表仅 0 人，每班不少于30人" in page.content()

    page.click("text=上传花名表")
    assert page.locator("#id_kind").input_value() == "standing_class"
    rows = [form9_row(i) for i in range(1, 31)]
    page.set_input_files("#id_file", files=[{"name": "附件9 非建制班人员花名表.xlsx", "mimeType": XLSX,
                                             "buffer": xlsx(rows, header=FORM9)}])
    page.click("button:has-text('上传并预览')")
    page.wait_for_selector("text=确认导入（新增 30 人")
    screenshot("standing-class-upload-preview")
    page.click("button:has-text('确认导入')")
    page.wait_for_selector("text=已导入：新增 30 人")
    page.click("text=日语非建制班（2026秋）")
    page.wait_for_selector("text=非建制班人员花名表（附件9）：30 人")
    assert "花名表仅" not in page.content()
    page.click("button:has-text('报送花名表（附件9）')")
    page.wait_for_selector(".messages >> text=已报送花名表")
    page.fill("form[action$='/do/open/'] input[name=on]", "2026-03-02")  # the date is asked
    page.click("button:has-text('开班')")
    page.wait_for_selector(".messages >> text=已于2026-03-02开班")
    screenshot("standing-class-open")
    cls = TrainingClass.objects.get(name="日语非建制班（2026秋）")
    assert cls.status == "open" and cls.members.count() == 30
    logout(page)

    login_with_second_factor(page, base, "province")
    page.goto(f"{base}/training/{cls.pk}/")
    page.click("text=录入抽查结果")
    page.fill("#id_inspector", "省专项办 王芳")
    page.fill("#id_findings", "现场点名到课12人，签到表显示30人，存在代签。")
    page.check("label:has-text('弄虚作假（停止拨付资金）') input")
    page.click("button:has-text('保存')")
    page.wait_for_selector("text=不能申请补助资金")
    assert "省人社厅抽查发现弄虚作假，已停止拨付该班资金" in page.content()
    screenshot("standing-class-spot-check")
    cls.refresh_from_db()
    assert cls.money_stopped
