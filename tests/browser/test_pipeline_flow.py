"""A unit registers a person and records the screening; the agency signs and sends them."""
import pytest

from apps.pipeline.models import Candidacy, CandidacyStatus
from apps.registry.idnumber import make_id, mask_id
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

NEW_ID = make_id(region="140105", birth=__import__("datetime").date(1997, 4, 9), seq="358")


def login(page, base, username):
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def go(page, group, entry):
    """Through the grouped navigation: open the group's menu, click the entry."""
    page.hover(f"nav.mainnav .group > button:has-text('{group}')")
    page.click(f'nav.mainnav .menu >> text="{entry}"')


def logout(page):
    page.click("text=退出登录")
    page.wait_for_url("**/login/")


def record(page, stage_label, result_label, fields=None):
    page.click(f"text=录入{stage_label}")
    page.check(f"label:has-text('{result_label}') input")
    for selector, value in (fields or {}).items():
        page.fill(selector, value)
    page.click("button:has-text('保存')")
    page.wait_for_selector(".messages >> text=已录入")


def _in_an_opened_class_with_hours(world, candidacy):
    """The person page records a 培训 result through the class's rule: she is in a class that
    opened three days ago, with her hours attended recorded."""
    from datetime import timedelta
    from decimal import Decimal

    from django.utils import timezone

    from apps.training import services as training
    today = timezone.localdate()
    cls = training.class_create(
        actor=world.unit_u1, kind="intensive", name="介护强化班", mode="alone",
        opens_on=today - timedelta(days=3), course_starts_on=today - timedelta(days=3),
        ends_on=today, place="实训楼", courses="日语、介护", timetable="每天8课时",
        hours_per_week=Decimal(40))
    (enrolment,) = training.enrol(cls, actor=world.unit_u1, candidacies=[candidacy])
    training.roster_file(cls, actor=world.unit_u1)
    cls = training.class_open(cls, actor=world.unit_u1, on=cls.opens_on)
    training.results_record(cls, actor=world.unit_u1, on=today,
                            rows=[(enrolment, Decimal(24), "", "")])


def test_unit_and_agency_carry_a_person_to_departure(world, live_server, page, screenshot):
    base = live_server.url
    login(page, base, "unit_u1")
    go(page, "人员与筛选", "人员")
    page.click("text=登记报名（附件5）")
    page.fill("#id_name", "刘晓梅")
    page.select_option("#id_sex", "女")
    page.fill("#id_id_number", NEW_ID)
    page.locator("#id_id_number").blur()
    assert "出生日期 1997年4月9日，性别 女" in page.locator("#id-preview").inner_text()
    page.fill("#id_phone", "13912345678")
    page.select_option("#id_category", "学生")
    page.select_option("#id_education", "大专")
    page.fill("#id_intended_trade", "介护")
    screenshot("register-form")
    page.click("button:has-text('提交报名')")
    page.wait_for_selector("text=已登记刘晓梅")
    assert mask_id(NEW_ID) in page.content() and NEW_ID not in page.content()

    page.click("text=报名岗位项目")
    page.select_option("#id_project", label="日本介护项目（日本·介护）")
    page.click("button:has-text('保存')")
    page.wait_for_selector("text=已报名")
    record(page, "初试", "合格")
    record(page, "体检", "合格", {"#id_hospital": "山西省人民医院"})
    record(page, "复试", "合格")
    screenshot("person-after-screening")
    logout(page)

    login(page, base, "agency_a1")
    page.goto(f"{base}/pipeline/candidacies/")
    page.click("text=刘晓梅")
    record(page, "合同", "签订", {"#id_contract_term": "3年", "#id_service_fee": "12000"})
    logout(page)

    _in_an_opened_class_with_hours(world, Candidacy.objects.get(person__name="刘晓梅"))
    login(page, base, "unit_u1")
    page.goto(f"{base}/registry/persons/?q=刘晓梅")
    page.click("table >> text=刘晓梅")
    record(page, "培训", "合格", {"#id_certificate_no": "SX-2026-088"})
    logout(page)

    login(page, base, "agency_a1")
    page.goto(f"{base}/pipeline/candidacies/")
    page.click("text=刘晓梅")
    record(page, "输出", "已输出", {"#id_passport_no": "EA1234567",
                                   "#id_residence_status_no": "RC20260001"})
    assert "在外就业" in page.locator("body").inner_text()
    screenshot("person-departed")

    candidacy = Candidacy.objects.get(person__name="刘晓梅")
    assert candidacy.status == CandidacyStatus.ABROAD and candidacy.events.count() == 7

    page.goto(f"{base}/pipeline/roster/?project={world.project_a1.pk}")
    row = page.locator("table.roster tbody tr", has_text="刘晓梅")
    cells = row.locator("td").all_inner_texts()
    assert cells[3] == "√" and cells[12] == "√" and cells[13] == "介护" and cells[14] == "3年"
    assert cells[19] == "EA****567" and cells[21] == "日本"
    screenshot("roster")
