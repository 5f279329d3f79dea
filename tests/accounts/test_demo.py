"""Demo accounts: one per role (the three administrators too), never in production."""
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command

from apps.accounts.demo import DEMO_PASSWORD, demo_accounts_create
from apps.accounts.models import ADMIN_ROLES, Role, User


def test_one_demo_account_per_role_with_the_demo_password(world, settings):
    settings.PRODUCTION = False
    demo_accounts_create()
    demo = {u.role: u for u in User.objects.filter(
        username__in=["province", "taiyuan", "sxu", "ciic", "observer", "sysadmin", "secadmin",
                      "auditor"])}
    assert set(demo) == set(Role.values)
    for user in demo.values():
        assert user.check_password(DEMO_PASSWORD)
    for role in ADMIN_ROLES:
        assert demo[role].organisation is None
    # No demo account is staff or superuser or holds Django permissions, the province's
    # included (it keeps reference data on its own pages, not in a Django admin).
    for user in demo.values():
        assert not (user.is_staff or user.is_superuser), user.username
        assert not user.user_permissions.exists() and not user.get_all_permissions()


def test_no_demo_account_when_production_is_on(world, settings):
    settings.PRODUCTION = True
    before = set(User.objects.values_list("username", "password"))
    with pytest.raises(ImproperlyConfigured, match="生产环境不得创建演示账号"):
        demo_accounts_create()
    with pytest.raises(ImproperlyConfigured):
        call_command("demo_accounts")
    assert set(User.objects.values_list("username", "password")) == before
    assert not User.objects.filter(username__in=["taiyuan", "sxu", "ciic"]).exists()
