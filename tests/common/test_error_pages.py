"""Error pages with DEBUG=False, as a user meets them: Chinese, in the layout, the reason
where we wrote one, and a way back."""
import pytest
from django.test import Client

from apps.accounts.models import Role


def _layout(html):
    # The site's layout, not Django's bare page.
    assert "山西省对外劳务输出管理信息系统" in html
    assert 'href="/"' in html and "返回首页" in html


@pytest.fixture(autouse=True)
def _production_like(settings):
    settings.DEBUG = False


def test_404_is_chinese_in_the_layout_with_the_reason(world, client):
    client.force_login(world.by_role[Role.PROVINCE])
    response = client.get("/dashboards/1900/", HTTP_REFERER="http://testserver/orgs/")
    html = response.content.decode()
    assert response.status_code == 404
    _layout(html)
    assert "未找到该页面或记录" in html and "年度无效" in html
    assert 'href="http://testserver/orgs/"' in html and "返回上一页" in html
    assert "Not Found" not in html


def test_404_of_a_foreign_object_says_nothing_about_the_model(world, client):
    client.force_login(world.unit_u1)
    response = client.get(f"/registry/persons/{world.person_dt.pk}/")
    html = response.content.decode()
    assert response.status_code == 404
    _layout(html)
    # get_object_or_404's English message names the model: not for users.
    assert "matches" not in html and "Person" not in html


def test_unknown_url_is_chinese_for_anonymous_users_too(db, client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    _layout(response.content.decode())


def test_back_link_never_points_off_site(world, client):
    client.force_login(world.unit_u1)
    response = client.get("/no-such-page/", HTTP_REFERER="https://evil.example/phish")
    html = response.content.decode()
    assert "evil.example" not in html and "返回上一页" not in html


def test_403_shows_the_reason_in_the_layout(world, client):
    client.force_login(world.by_role[Role.AGENCY])
    response = client.get("/rosters/")
    html = response.content.decode()
    assert response.status_code == 403
    _layout(html)
    assert "无权访问" in html and "您的角色无权使用此功能。" in html
    assert "403 Forbidden" not in html


def test_admin_console_403_names_its_own_reason(world, client):
    admin = world.by_role[Role.SYSTEM_ADMIN]
    client.force_login(admin)
    response = client.get("/registry/persons/")
    assert response.status_code == 403
    assert "管理员账号仅可使用管理功能。" in response.content.decode()


@pytest.mark.urls("tests.common.error_urls")
def test_500_is_chinese_in_the_layout(world):
    client = Client(raise_request_exception=False)
    client.force_login(world.unit_u1)
    response = client.get("/boom/")
    html = response.content.decode()
    assert response.status_code == 500
    _layout(html)
    assert "系统暂时出现问题" in html
    assert "a bug" not in html and "Traceback" not in html


def test_400_is_chinese_in_the_layout(world, client):
    client.force_login(world.by_role[Role.PROVINCE])
    from django.core.exceptions import SuspiciousOperation
    from apps.common.views import bad_request
    from django.test import RequestFactory
    request = RequestFactory().get("/")
    request.user = world.by_role[Role.PROVINCE]
    response = bad_request(request, SuspiciousOperation("x"))
    assert response.status_code == 400
    _layout(response.content.decode())


def test_csrf_failure_is_chinese_with_a_way_back(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.unit_u1)
    form = "http://testserver/registry/persons/new/"
    response = client.post("/registry/persons/new/", {"name": "张三"}, HTTP_REFERER=form)
    html = response.content.decode()
    assert response.status_code == 403
    _layout(html)
    assert "页面已过期" in html and "刷新后重新填写" in html
    assert f'href="{form}"' in html
    assert "CSRF" not in html and "Forbidden" not in html


def test_csrf_failure_on_the_login_form_is_chinese(db):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/login/", {"username": "x", "password": "y"})
    assert response.status_code == 403
    assert "页面已过期" in response.content.decode()


def test_favicon_is_served_and_linked(world, client):
    response = client.get("/favicon.ico")
    assert response.status_code in (200, 301, 302)
    target = response["Location"] if response.status_code != 200 else "/favicon.ico"
    assert target.endswith("favicon.svg")
    # Served by WhiteNoise from the collected files; here: the file is among the static ones.
    from django.contrib.staticfiles import finders
    assert finders.find("favicon.svg")
    client.force_login(world.unit_u1)
    html = client.get("/").content.decode()
    assert 'rel="icon"' in html and "favicon.svg" in html
