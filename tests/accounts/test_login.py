import pytest
from django.urls import reverse

from apps.accounts.models import Role
from tests.conftest import PASSWORD

LOGIN = "/login/"


def test_login_page_is_in_chinese(client, db):
    body = client.get(LOGIN).content.decode()
    assert "用户登录" in body and "密码" in body


def test_login_with_right_password_opens_the_home_page(client, world):
    response = client.post(LOGIN, {"username": "unit_u1", "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("accounts:home")
    assert "<h1>山西大学" in response.content.decode()


def test_wrong_password_says_so_in_chinese(client, world):
    response = client.post(LOGIN, {"username": "city_ty", "password": "wrong"})
    assert response.status_code == 200
    assert "请输入一个正确的" in response.content.decode()


def test_sixth_failure_locks_the_account_even_with_the_right_password(client, world):
    for _ in range(5):
        client.post(LOGIN, {"username": "unit_u1", "password": "wrong"})
    response = client.post(LOGIN, {"username": "unit_u1", "password": PASSWORD})
    assert response.status_code == 429
    assert "账号已锁定" in response.content.decode()
    # Another account is not affected.
    ok = client.post(LOGIN, {"username": "unit_u2", "password": PASSWORD})
    assert ok.status_code == 302


def test_four_failures_then_success_does_not_lock(client, world):
    for _ in range(4):
        client.post(LOGIN, {"username": "unit_u1", "password": "wrong"})
    assert client.post(LOGIN, {"username": "unit_u1", "password": PASSWORD}).status_code == 302


def test_logout_ends_the_session(client, world):
    client.post(LOGIN, {"username": "unit_u1", "password": PASSWORD})
    assert client.get("/").status_code == 200
    response = client.post("/logout/")
    assert response.status_code == 302
    assert client.get("/").status_code == 302  # back to the login page


def test_logout_by_get_is_refused(client, world):
    client.force_login(world.city_ty)
    assert client.get("/logout/").status_code == 405


@pytest.mark.parametrize("role, heading", [
    (Role.PROVINCE, "省专项办工作台"),
    (Role.CITY, "太原市人社局工作台"),
    (Role.UNIT, "山西大学"),
    (Role.AGENCY, "中国国际技术智力合作有限公司"),
    (Role.OBSERVER, "观察视图"),
])
def test_each_role_gets_its_own_home_page(world, as_user, role, heading):
    body = as_user(world.by_role[role]).get("/").content.decode()
    assert f"<h1>{heading}" in body


def test_user_with_unknown_role_gets_an_empty_home(world, rf):
    """The database forbids such a user (see test_scoping); the view still fails closed."""
    from apps.accounts.views import home
    request = rf.get("/")
    request.user = world.city_ty
    request.user.role = "mayor"
    request._messages = []
    body = home(request).content.decode()
    assert "账号未分配角色" in body and "山西大学" not in body


def test_navigation_marks_only_the_current_page(world, as_user):
    client = as_user(world.province)
    def active(path):
        nav = client.get(path).context["nav"]
        return ([g["label"] for g in nav if g["active"]],
                [i["label"] for g in nav for i in g["items"] if i["active"]])
    assert active("/todo/timeliness/") == (["统计"], ["报送及时率"])
    assert active("/") == (["工作台"], ["首页"])
