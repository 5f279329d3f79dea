"""A person of each role logs in through the real login form in Chromium."""
import base64

import pytest
from django_otp.oath import totp

from apps.accounts.models import TWO_FACTOR_ROLES, Role
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

HOMES = {
    Role.PROVINCE: ("province", "省专项办工作台"),
    Role.CITY: ("city_ty", "太原市人社局工作台"),
    Role.UNIT: ("unit_u1", "山西大学"),
    Role.AGENCY: ("agency_a1", "中国国际技术智力合作有限公司"),
    Role.OBSERVER: ("observer", "观察视图"),
    Role.SYSTEM_ADMIN: ("sysadmin", "系统管理员工作台"),
    Role.SECURITY_ADMIN: ("secadmin", "安全管理员工作台"),
    Role.AUDIT_ADMIN: ("auditor", "审计管理员工作台"),
}


@pytest.mark.parametrize("role", list(HOMES))
def test_each_role_logs_in_and_sees_its_own_home(role, world, live_server, page, screenshot):
    username, heading = HOMES[role]
    page.goto(f"{live_server.url}/")
    assert page.locator("h1").inner_text() == "用户登录"
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    if role in TWO_FACTOR_ROLES:
        # First login of a province, city or administrator account: bind an authenticator, enter a code.
        page.wait_for_url("**/otp/setup/**")
        assert page.locator("h1").inner_text() == "设置双因素登录"
        secret = page.locator("#otp-secret").inner_text()
        key = base64.b32decode(secret + "=" * (-len(secret) % 8))
        page.fill("#id_code", f"{totp(key):06d}")
        page.click("button:has-text('确认绑定')")
    page.wait_for_url(f"{live_server.url}/")
    assert page.locator("h1").inner_text() == heading
    assert page.locator(".role-badge").inner_text() == Role(role).label
    if role in (Role.CITY, Role.UNIT, Role.AGENCY):
        assert "越权哨兵" not in page.locator("body").inner_text()  # nothing of 大同
    screenshot(f"home-{role}")
    page.click("text=退出登录")
    page.wait_for_url("**/login/")


def test_a_wrong_password_shows_a_chinese_message(world, live_server, page, screenshot):
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "city_ty")
    page.fill("#id_password", "not-the-password")
    page.click("button[type=submit]")
    assert "请输入一个正确的" in page.locator(".error").first.inner_text()
    screenshot("login-error")
