"""The three administrators' consoles in Chromium, as each administrator uses them."""
import pytest
from django.test import Client

from apps.audit.models import AuditAction
from apps.audit.services import audit_log
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def enter(page, live_server, user):
    """Logged in with the second factor done (the login itself is proven elsewhere)."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies["sessionid"]
    page.context.add_cookies([{"name": "sessionid", "value": cookie.value,
                               "url": live_server.url}])


def test_system_admin_creates_an_account(world, live_server, page, screenshot):
    enter(page, live_server, world.sysadmin)
    page.goto(f"{live_server.url}/accounts/")
    assert "unit_u1" in page.locator("table.data").inner_text()
    screenshot("admin-accounts")
    page.click("text=新建账号")
    page.fill("#id_username", "wang_u2")
    page.fill("#id_first_name", "王老师")
    page.select_option("#id_role", "unit")
    page.fill("#id_password1", "short")
    page.fill("#id_password2", "short")
    page.click("button:has-text('保存')")
    body = page.locator("body").inner_text()
    assert "必须选择所属组织单位" in body and "密码太短" in body
    screenshot("admin-account-errors")
    page.select_option("#id_unit", label="太原学院")
    page.fill("#id_password1", "Neues-Pass-2027")
    page.fill("#id_password2", "Neues-Pass-2027")
    page.click("button:has-text('保存')")
    page.wait_for_url(f"{live_server.url}/accounts/")
    assert "已新建账号 wang_u2" in page.locator("body").inner_text()


def test_security_admin_lifts_a_lockout(world, live_server, page, screenshot, settings):
    anonymous = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        anonymous.post("/login/", {"username": "unit_u1", "password": "Wrong-guess-1"})
    enter(page, live_server, world.secadmin)
    page.goto(f"{live_server.url}/security/")
    assert "已锁定" in page.locator("body").inner_text()
    screenshot("admin-security")
    page.locator("tr", has_text="unit_u1").locator("button:has-text('解除锁定')").click()
    assert "已解除账号 unit_u1 的锁定" in page.locator("body").inner_text()
    assert anonymous.post("/login/", {"username": "unit_u1", "password": PASSWORD}).status_code == 302


def test_audit_admin_filters_the_log(world, live_server, page, screenshot):
    audit_log(world.unit_u1, AuditAction.REVEAL, world.person_ty, detail="查看完整身份证号")
    audit_log(world.city_ty, AuditAction.EXPORT, detail="附件1 2020年")
    enter(page, live_server, world.auditor)
    page.goto(f"{live_server.url}/audit/")
    page.select_option("#id_action", "reveal")
    page.click("button:has-text('查询')")
    table = page.locator("table.data").inner_text()
    assert "查看完整身份证号" in table and "附件1" not in table
    screenshot("admin-audit")
