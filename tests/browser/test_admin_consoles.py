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


def test_a_password_reset_takes_two_administrators_and_is_changed_at_first_login(
        world, live_server, page, screenshot):
    from apps.accounts import services
    services.user_password_reset(world.unit_u1, password="Neues-Pass-2027", actor=world.sysadmin)
    enter(page, live_server, world.secadmin)
    page.goto(f"{live_server.url}/security/")
    page.locator("tr", has_text="unit_u1").locator("text=授权密码重置").click()
    body = page.locator("body").inner_text()
    assert "组织单位" in body and world.u1.name in body and "sysadmin" in body
    screenshot("admin-password-authorise")
    page.click("button:has-text('确认授权重置')")
    assert "已授权账号 unit_u1 的密码重置" in page.locator("body").inner_text()
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "unit_u1")
    page.fill("#id_password", "Neues-Pass-2027")
    page.click("button[type=submit]")
    page.wait_for_url("**/password/**")
    assert "仅可使用一次" in page.locator("body").inner_text()
    screenshot("password-one-time")
    page.fill("#id_old_password", "Neues-Pass-2027")
    page.fill("#id_new_password1", "Eigenes-Pass-2028")
    page.fill("#id_new_password2", "Eigenes-Pass-2028")
    page.click("button:has-text('保存新密码')")
    page.wait_for_url(f"{live_server.url}/")
    world.unit_u1.refresh_from_db()
    assert world.unit_u1.check_password("Eigenes-Pass-2028") and not world.unit_u1.must_change_password


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
