"""An API client in Chromium, as the two administrators make one (issue 23): the system
administrator creates it and sees its key once, the security administrator authorises it,
and the key then works from the allowed address."""
import pytest
from django.test import Client

from apps.api.models import ApiClient
from tests.api.clients import call
from tests.browser.test_admin_consoles import enter

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_two_administrators_issue_a_key_that_then_works(world, live_server, page, screenshot):
    enter(page, live_server, world.sysadmin)
    page.goto(f"{live_server.url}/api-clients/new/")
    page.fill("#id_name", "中智后台系统")
    page.fill("#id_purpose", "同步本机构的输出人员")
    page.select_option("#id_role", "agency")
    page.check("input[name=grants][value=pipeline_read]")
    page.fill("#id_ip_allowlist", "0.0.0.0/0")
    page.click("main form button[type=submit]")
    body = page.locator("body").inner_text()
    assert "必须选择所属输出机构" in body and "范围过大" in body
    page.select_option("#id_agency", label="中国国际技术智力合作有限公司")
    page.fill("#id_ip_allowlist", "127.0.0.1")
    page.click("main form button[type=submit]")
    body = page.locator("body").inner_text()
    assert "只显示这一次" in body
    key = page.locator("main code").first.inner_text().strip()
    screenshot("api-client-key")
    client = ApiClient.objects.get(name="中智后台系统")
    assert key.startswith(f"lx_{client.prefix}_")
    http = Client()
    assert call(http, "get", "/api/v1/candidacies/", key).status_code == 401  # not yet
    page.goto(f"{live_server.url}/api-clients/{client.pk}/")
    assert key not in page.content()
    enter(page, live_server, world.secadmin)
    page.goto(f"{live_server.url}/api-clients/{client.pk}/")
    page.click("button:has-text('确认授权')")
    assert "其密钥现在可以使用" in page.locator("body").inner_text()
    response = call(http, "get", "/api/v1/candidacies/", key)
    assert response.status_code == 200
    assert [row["person_name"] for row in response.json()["results"]] == ["张三"]
