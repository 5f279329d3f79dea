"""Idle and absolute session limits, and logins in the audit log."""
import time

from apps.accounts.middleware import LOGIN_AT, SEEN_AT
from apps.audit.models import AuditAction, AuditEvent
from tests.conftest import PASSWORD


def _age(client, **seconds_ago):
    session = client.session
    now = time.time()
    for key, ago in seconds_ago.items():
        session[{"login": LOGIN_AT, "seen": SEEN_AT}[key]] = now - ago
    session.save()


def test_thirty_minutes_idle_logs_out(world, client):
    client.force_login(world.city_ty)
    assert client.get("/").status_code == 200
    _age(client, seen=29 * 60)
    assert client.get("/").status_code == 200
    _age(client, seen=31 * 60)
    response = client.get("/orgs/units/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert client.get("/").status_code == 302  # the session is gone


def test_twelve_hours_after_login_logs_out_even_when_active(world, client):
    client.force_login(world.unit_u1)
    client.get("/")
    _age(client, login=12 * 3600 + 5, seen=10)
    assert client.get("/").status_code == 302


def test_logins_and_failures_are_audited_without_passwords(world, client):
    client.post("/login/", {"username": "city_ty", "password": "wrong"})
    client.post("/login/", {"username": "city_ty", "password": PASSWORD})
    failed = AuditEvent.objects.get(action=AuditAction.LOGIN_FAILED)
    assert failed.detail == "用户名：city_ty" and "wrong" not in failed.detail
    assert AuditEvent.objects.get(action=AuditAction.LOGIN).actor == world.city_ty


def test_logout_everywhere_ends_the_other_sessions(world, client):
    from django.test import Client
    other = Client()
    other.force_login(world.city_ty)
    assert other.get("/").status_code == 200
    client.force_login(world.city_ty)
    client.get("/")
    assert client.post("/logout/everywhere/").status_code == 302
    assert other.get("/").status_code == 302  # the other device is logged out too
    assert client.get("/").status_code == 302


def test_passwords_need_ten_characters_of_three_classes(world):
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError
    import pytest
    for weak in ("short1A!", "alllowercaseletters", "lowercase1234567", "password123"):
        with pytest.raises(ValidationError):
            validate_password(weak, world.city_ty)
    validate_password("Taiyuan-2026-hr", world.city_ty)
