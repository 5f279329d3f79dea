"""A unit files the 出国 claim for a departed group; the city reviews it; the province
approves and records the payment; a second claim for the same people is refused."""
import pytest

from apps.subsidies.models import Claim
from tests.browser.test_pipeline_flow import go, login, logout
from tests.browser.test_standing_class import login_with_second_factor
from tests.subsidies.conftest import departed, standards  # noqa: F401 (fixtures)
from tests.subsidies.test_claims import BANK

pytestmark = pytest.mark.browser


def file_claim(page, base, cls):
    page.goto(f"{base}/subsidies/new/")
    page.select_option("#id_phase", "departure")
    page.select_option("#id_training_class", str(cls.pk))
    for name, value in BANK.items():
        page.fill(f"#id_{name}", value)
    page.click("button:has-text('保存')")


def test_a_departure_claim_goes_from_unit_to_payment(world, departed, live_server, page,  # noqa: F811
                                                     screenshot):
    cls, group = departed
    base = live_server.url
    login(page, base, "unit_u1")
    go(page, "任务与资金", "补助资金")
    file_claim(page, base, cls)
    page.wait_for_selector("text=已按记录生成申请：合计 12000.00 元")
    assert group[0].person.name in page.content()
    screenshot("claim-draft")
    page.click("button:has-text('提交市人社局审核')")
    page.wait_for_selector(".messages >> text=已提交")
    claim = Claim.objects.get(unit=world.u1, training_class=cls)
    logout(page)

    login_with_second_factor(page, base, "city_ty")
    page.goto(f"{base}/subsidies/{claim.pk}/")
    page.fill("input[aria-label=审核意见]", "名单与出境记录一致")
    page.click("button:has-text('审核通过')")
    page.wait_for_selector(".messages >> text=已审核通过")
    logout(page)

    login_with_second_factor(page, base, "province")
    page.goto(f"{base}/subsidies/{claim.pk}/")
    page.click("button:has-text('审批通过')")
    page.wait_for_selector(".messages >> text=已审批通过")
    page.fill("#id_voucher_no", "晋财2026-010")
    page.click("button:has-text('登记拨付')")
    page.wait_for_selector(".messages >> text=已登记拨付")
    assert "拨付 12000.00 元，凭证号 晋财2026-010" in page.content()
    screenshot("claim-paid")
    logout(page)

    login(page, base, "unit_u1")
    file_claim(page, base, cls)
    page.wait_for_selector("text=没有可以申请该阶段资金的人员（或均已申请过）")
    assert Claim.objects.filter(training_class=cls).count() == 1
