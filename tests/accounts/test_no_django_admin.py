"""No Django admin, and no account that is staff or superuser (issue 13, item 4)."""
import pytest
from django.apps import apps as django_apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, connection, transaction

from apps.accounts.models import Role, User

ADMIN_PATHS = ["/admin/", "/admin/login/", "/admin/orgs/city/", "/admin/orgs/city/export/",
               "/admin/orgs/organisingunit/import/", "/admin/quotas/task/",
               "/admin/accounts/user/", "/admin/auth/group/", "/Admin/", "/admin"]


def test_the_django_admin_is_not_installed_or_mounted():
    assert "django.contrib.admin" not in settings.INSTALLED_APPS
    assert not django_apps.is_installed("django.contrib.admin")
    assert not django_apps.is_installed("import_export")


@pytest.mark.parametrize("path", ADMIN_PATHS)
def test_no_role_reaches_an_admin_page(world, client, path):
    assert client.get(path).status_code == 404  # anonymous: not even a login page
    for user in world.by_role.values():
        client.force_login(user)
        assert client.get(path).status_code in (403, 404), (user.role, path)
        assert client.post(path, {"username": "x"}).status_code in (403, 404)


@pytest.mark.parametrize("flags", [{"is_staff": True}, {"is_superuser": True},
                                   {"is_staff": True, "is_superuser": True}])
def test_no_account_can_be_made_staff_or_superuser(world, flags):
    # The ORM, a queryset update and raw SQL all meet the database CHECK.
    province = world.province
    for key, value in flags.items():
        setattr(province, key, value)
    with pytest.raises(IntegrityError), transaction.atomic():
        province.save()
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.filter(pk=world.sysadmin.pk).update(**flags)
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        sets = ", ".join(f"{key} = true" for key in flags)
        cursor.execute(f"UPDATE accounts_user SET {sets} WHERE role = %s", [Role.UNIT])
    assert not User.objects.filter(is_staff=True).exists()
    assert not User.objects.filter(is_superuser=True).exists()


def test_no_superuser_through_the_manager_or_createsuperuser(db):
    from django.core.management import call_command
    with pytest.raises(ImproperlyConfigured, match="不设超级用户"):
        User.objects.create_superuser("root", password="Xx-123456789", role=Role.PROVINCE)
    with pytest.raises(ImproperlyConfigured):
        call_command("createsuperuser", username="root2", role=Role.PROVINCE,
                     interactive=False, verbosity=0)
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create_user("staffer", password="Xx-123456789", role=Role.PROVINCE,
                                 is_staff=True)
    assert not User.objects.filter(username__in=["root", "root2", "staffer"]).exists()


def test_the_migration_clears_flags_left_on_existing_accounts(world):
    """The rows a pre-migration database may hold (the province demo account was staff with
    permissions): the migration's data step clears them, then the CHECK can be added."""
    import importlib

    from django.contrib.auth.models import Permission

    migration = importlib.import_module("apps.accounts.migrations.0007_no_staff_or_superuser")
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the fixture's deferred FK checks
        cursor.execute("ALTER TABLE accounts_user DROP CONSTRAINT user_no_staff_or_superuser")
    User.objects.filter(pk=world.province.pk).update(is_staff=True)
    User.objects.filter(pk=world.city_ty.pk).update(is_superuser=True, is_staff=True)
    world.province.user_permissions.set(Permission.objects.filter(
        content_type__app_label__in=["orgs", "quotas"]))
    migration.clear_admin_flags(django_apps, None)
    assert not User.objects.filter(is_staff=True).exists()
    assert not User.objects.filter(is_superuser=True).exists()
    assert not world.province.user_permissions.exists()
