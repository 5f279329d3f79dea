"""Issue 20, done when: a year's evaluation runs in the browser from the draft to the
organisation's objection to publication. The province opens 2025's unit scheme from seed
002's example, locks it, computes the cards from the seeded records, drills into a figure,
scores an entered criterion with evidence and shows the draft to 山西大学; the unit objects and
closes its window; the province answers with a changed score, publishes and decides the
proposed withdrawal."""
import pytest

from apps.evaluations.models import CardStatus, Objection, Scorecard
from apps.orgs.models import FilingStatus
from tests.browser.test_admin_consoles import enter
from tests.evaluations.conftest import enter_all, year  # noqa: F401 (the seeded year)
from tests.pdfs import clean_pdf

pytestmark = pytest.mark.browser


def as_(page, live_server, user):
    page.context.clear_cookies()
    enter(page, live_server, user)


def submit(page):
    page.click("main form button[type=submit]")


def test_a_year_from_draft_to_objection_to_publication(world, year, live_server, page,
                                                       screenshot):
    base = live_server.url
    as_(page, live_server, world.province)
    page.goto(f"{base}/evaluations/schemes/")
    page.fill("#id_year", "2025")
    page.select_option("#id_kind", "unit")
    submit(page)
    assert "2025年度组织单位评估方案" in page.inner_text("h1")
    assert "分值合计" in page.inner_text("main") and "100" in page.inner_text("main")
    page.click("text=锁定方案")
    assert "方案已锁定" in page.inner_text(".messages")
    page.click("text=按记录计算评估表")
    assert "已按记录计算评估表" in page.inner_text(".messages")

    card = Scorecard.objects.get(scheme__year=2025, unit=world.u1)
    page.goto(f"{base}/evaluations/?year=2025")
    page.click("table.data >> text=山西大学")
    assert "草稿" in page.inner_text("h1")
    assert "输出 4 人 / 任务 5 人" in page.inner_text("table.scores")
    page.click("tr:has-text('任务完成率') >> text=查看记录")
    assert year.kept.person.name in page.inner_text("table.data")
    page.go_back()
    # Every entered criterion but one by the service; that one in the browser with its file.
    enter_all(card, world.province)
    page.reload()
    page.click("tr:has-text('人员及企业满意度') >> a:text-is('评分')")
    page.fill("#id_points", "6")
    page.fill("#id_reason", "问卷满意率70%")
    page.set_input_files("#id_evidence", files=[{"name": "问卷.pdf", "mimeType": "application/pdf",
                                                 "buffer": clean_pdf()}])
    submit(page)
    assert "已评分" in page.inner_text(".messages")
    page.click("text=发给被评估单位（开始异议期）")
    assert "异议期" in page.inner_text("h1")
    screenshot("evaluation-draft-shown")

    as_(page, live_server, world.unit_u1)
    page.goto(f"{base}{card.get_absolute_url()}")
    assert "异议期" in page.inner_text("main")
    page.click("a:text-is('提出异议')")
    page.select_option("#id_criterion", label="服务评价 · 人员及企业满意度")
    page.fill("#id_text", "问卷样本只有10份，满意率应为80%")
    submit(page)
    assert "异议已提出" in page.inner_text(".messages")
    page.click("text=确认无其他异议")
    assert "提出异议" not in page.inner_text("div.actions")

    as_(page, live_server, world.province)
    page.goto(f"{base}{card.get_absolute_url()}")
    page.click("a:text-is('答复')")
    page.fill("#id_answer", "复核问卷后调整为8分")
    page.fill("#id_points", "8")
    submit(page)
    page.click("text=结束异议期")
    page.click("text=公布评估结果")
    assert "已公布" in page.inner_text("h1")
    card.refresh_from_db()
    assert card.status == CardStatus.PUBLISHED and not card.passed  # the vetoes
    assert card.scores.get(criterion__code="satisfaction").points == 8
    page.click("tr:has-text('一票否决（取消资格）') >> a:text-is('决定')")
    page.check("input[name=decision][value=approve]")
    page.fill("#id_note", "取消资格两年")
    submit(page)
    world.u1.refresh_from_db()
    assert world.u1.filing_status == FilingStatus.REFUSED
    screenshot("evaluation-published")

    as_(page, live_server, world.unit_u1)
    page.goto(f"{base}{card.get_absolute_url()}")
    body = page.inner_text("main")
    assert "已公布" in body and "复核问卷后调整为8分" in body
    assert Objection.objects.get(scorecard=card).answered_by == world.province
