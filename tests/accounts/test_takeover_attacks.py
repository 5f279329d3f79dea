"""Second round against the login: what a session holding the password alone can still do,
sessions that outlive the event meant to end them, and accounts made to look like another.
Every attacked account logs in through the real form (no force_login); the administrators
acting on it use their console pages."""
from urllib.parse import urljoin, urlsplit

import pytest
from django.test import Client

from apps.accounts.models import TotpDevice, User
from apps.audit.models import AuditAction, AuditEvent
from tests.accounts.test_second_factor_attacks import code_for, password_login
from tests.conftest import PASSWORD


@pytest.fixture
def owner_device(world):
    return TotpDevice.objects.create(user=world.city_ty, name="本人手机", confirmed=True,
                                     key="ab" * 20)


def owner_session(device):
    session = password_login(device.user.username)
    assert session.post("/otp/verify/", {"code": code_for(device)}).status_code == 302
    assert session.get("/orgs/units/").status_code == 200
    return session


# --- A session with the password alone ---------------------------------------------------------

def test_a_password_alone_cannot_end_the_owners_sessions(world, owner_device):
    """/logout/everywhere/ sat under the open /logout/ prefix: the intruder's half-logged-in
    session could end the owner's verified sessions (an audited write without the factor)."""
    owner = owner_session(owner_device)
    intruder = password_login("city_ty")
    response = intruder.post("/logout/everywhere/")
    assert response.status_code == 302 and response["Location"].startswith("/otp/verify/")
    assert owner.get("/orgs/units/").status_code == 200  # the owner is still logged in
    assert not AuditEvent.objects.filter(action=AuditAction.FORCE_LOGOUT).exists()
    # Plain logout stays open to it, and ends only its own session.
    assert intruder.post("/logout/").status_code == 302
    assert "_auth_user_id" not in intruder.session
    assert owner.get("/orgs/units/").status_code == 200


@pytest.mark.parametrize("target", [
    "//evil.example/", "///evil.example/", "\\\\evil.example/", "/\\evil.example/",
    "https://evil.example/", "%2F%2Fevil.example/", "/\t/evil.example/", "http:evil.example",
    "javascript:alert(1)",
])
def test_next_never_leads_to_another_host(world, owner_device, target):
    """The login, the code and the password change each redirect to ``next``: never off-site
    (the Location resolved as a browser does: backslashes are slashes, tabs dropped)."""
    def lands_here(response, page):
        assert response.status_code == 302
        location = response["Location"].replace("\\", "/").replace("\t", "")
        resolved = urlsplit(urljoin(f"http://testserver{page}", location))
        assert (resolved.scheme, resolved.netloc) == ("http", "testserver"), location

    session = Client()
    lands_here(session.post(f"/login/?next={target}",
                            {"username": "city_ty", "password": PASSWORD, "next": target}),
               "/login/")
    lands_here(session.post(f"/otp/verify/?next={target}",
                            {"code": code_for(owner_device), "next": target}), "/otp/verify/")
    lands_here(session.post(f"/password/?next={target}", {
        "old_password": PASSWORD, "new_password1": "Eigenes-Pass-2028",
        "new_password2": "Eigenes-Pass-2028", "next": target}), "/password/")


# --- Sessions that must end --------------------------------------------------------------------

def test_a_session_ended_before_its_first_page_stays_ended(world, client):
    """The session's epoch was noted at its first page, not at the login: a session whose
    account was logged out everywhere between the two took the new epoch and lived on."""
    intruder = password_login("unit_u1")
    client.force_login(world.secadmin)
    assert client.post(f"/security/{world.unit_u1.pk}/logout/").status_code == 302
    response = intruder.get("/registry/persons/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert "_auth_user_id" not in intruder.session


def test_a_session_from_before_an_authenticator_reset_cannot_bind_a_new_one(world, client,
                                                                              owner_device):
    """The intruder knows the password, logs in (and stops at the code). The owner reports
    the phone lost; the security administrator resets the authenticator. The intruder's
    session must not be the one that binds the next authenticator."""
    intruder = password_login("city_ty")
    client.force_login(world.secadmin)
    assert client.post(f"/security/{world.city_ty.pk}/otp-reset/").status_code == 302
    response = intruder.get("/otp/setup/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    pending = TotpDevice.objects.filter(user=world.city_ty).first()
    code = code_for(pending) if pending else "123456"
    intruder.post("/otp/setup/", {"code": code})
    assert not TotpDevice.objects.filter(user=world.city_ty, confirmed=True).exists()
    assert not AuditEvent.objects.filter(action=AuditAction.OTP_BIND).exists()


def test_binding_a_first_factor_ends_the_accounts_other_sessions(world):
    """A unit's factor is optional; once bound, a session opened earlier with the password
    alone (maybe by someone else) would keep working without it."""
    earlier = password_login("unit_u1")
    assert earlier.get("/registry/persons/").status_code == 200
    owner = password_login("unit_u1")
    owner.get("/otp/setup/")
    device = TotpDevice.objects.get(user=world.unit_u1, confirmed=False)
    assert owner.post("/otp/setup/", {"code": code_for(device)}).status_code == 302
    assert owner.get("/registry/persons/").status_code == 200  # the binding session stays
    response = earlier.get("/registry/persons/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


# --- Accounts made to look like another ---------------------------------------------------------

def new_account(username):
    return {"username": username, "first_name": "李四", "email": "", "role": "unit",
            "unit": "", "city": "", "agency": "", "department": "",
            "password1": "Neues-Pass-2027", "password2": "Neues-Pass-2027"}


@pytest.mark.parametrize("username", [
    "UNIT_U1", "Unit_u1", "ｕｎｉｔ_ｕ１", "unit_u1 ", " unit_u1",
    "unіt_u1",  # Cyrillic і
    "unit_uı",  # dotless ı
    "ᴜnit_u1",
])
def test_an_account_cannot_be_created_in_the_likeness_of_another(world, client, username):
    client.force_login(world.sysadmin)
    form = new_account(username)
    form["unit"] = world.u1.pk
    before = User.objects.count()
    response = client.post("/accounts/new/", form)
    assert response.status_code == 400
    page = response.content.decode()
    assert ("用户名与已有账号相同" in page or "已存在一位使用该名字的用户" in page
            or "用户名只能包含" in page)
    assert User.objects.count() == before
    assert not AuditEvent.objects.filter(action=AuditAction.ACCOUNT_CREATE).exists()


@pytest.mark.parametrize("username", ["SECADMIN", "ѕecadmin", "secadmin\u200b"])
def test_the_server_command_cannot_make_a_likeness_either(world, monkeypatch, username):
    from django.core.management import CommandError, call_command
    monkeypatch.setattr("getpass.getpass", lambda prompt="": "Neues-Pass-2027")
    with pytest.raises(CommandError) as refused:
        call_command("admin_account_create", username, "secadmin", "--name", "x")
    assert "用户名" in str(refused.value)
    assert list(User.objects.filter(role="secadmin").values_list("username", flat=True)) == [
        "secadmin"]


# --- Grants --------------------------------------------------------------------------------------

def test_reactivating_an_account_waits_for_the_security_administrator(world, client):
    """A deactivated account (someone who left) made usable again by the system administrator
    alone is a grant by one person."""
    client.force_login(world.sysadmin)
    client.post(f"/accounts/{world.unit_u1.pk}/active/", {"active": "0"})
    assert client.post(f"/accounts/{world.unit_u1.pk}/active/", {"active": "1"}).status_code == 302
    response = Client().post("/login/", {"username": "unit_u1", "password": PASSWORD})
    assert response.status_code == 200 and "尚待安全管理员授权" in response.content.decode()
    event = AuditEvent.objects.filter(action=AuditAction.ACCOUNT_ACTIVE).latest("pk")
    assert "待安全管理员授权" in event.detail
    client.force_login(world.secadmin)
    from apps.accounts import services
    world.unit_u1.refresh_from_db()
    client.post(f"/security/{world.unit_u1.pk}/authorise/",
                {"grant": services.grant_key(world.unit_u1)})
    assert password_login("unit_u1").get("/registry/persons/").status_code == 200


# --- The key being bound -------------------------------------------------------------------------

def shown_key(page) -> str:
    import re
    return re.search(r'id="otp-secret"[^>]*>([A-Z2-7]+)<', page.content.decode()).group(1)


def test_a_key_shown_to_one_session_is_not_the_one_another_session_binds(world):
    """The account has no factor yet (new, or after a reset). Someone with the password opens
    the setup page and copies the key; the owner then binds from another session. The owner
    must get a key of its own, or the intruder silently holds the owner's factor."""
    intruder = password_login("city_ty")
    copied = shown_key(intruder.get("/otp/setup/"))
    owner = password_login("city_ty")
    page = owner.get("/otp/setup/")
    assert shown_key(page) != copied
    device = next(d for d in TotpDevice.objects.filter(user=world.city_ty)
                  if d.base32_key == shown_key(page))
    assert owner.post("/otp/setup/", {"code": code_for(device)}).status_code == 302
    assert [d.base32_key for d in TotpDevice.objects.filter(user=world.city_ty)] == [
        shown_key(page)]
    # The copied key's codes open nothing, in a new login either.
    import base64
    stolen = base64.b32decode(copied + "=" * (-len(copied) % 8))
    from django_otp.oath import totp
    again = password_login("city_ty")
    assert again.post("/otp/verify/", {"code": f"{totp(stolen):06d}"}).status_code == 400
    assert again.get("/orgs/units/").status_code == 302


def test_a_code_of_the_previous_window_is_refused_once_a_later_one_was_used(world, owner_device):
    session = password_login("city_ty")
    assert session.post("/otp/verify/", {"code": code_for(owner_device)}).status_code == 302
    late = password_login("city_ty")
    assert late.post("/otp/verify/", {"code": code_for(owner_device, -1)}).status_code == 400
    assert late.get("/orgs/units/").status_code == 302


def test_changing_the_own_password_ends_the_other_sessions(world):
    elsewhere = password_login("unit_u1")
    here = password_login("unit_u1")
    assert here.post("/password/", {"old_password": PASSWORD, "new_password1": "Eigenes-Pass-2028",
                                    "new_password2": "Eigenes-Pass-2028"}).status_code == 302
    assert here.get("/registry/persons/").status_code == 200
    response = elsewhere.get("/registry/persons/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_an_authorisation_cannot_be_replayed_on_a_later_grant_of_the_same_scope(world, client):
    """The security administrator's confirmation named only the role and organisation: the
    same POST, sent again after the system administrator moved the account away and back,
    authorised the new grant without anyone looking at it."""
    from apps.accounts import services

    def move(unit):
        client.force_login(world.sysadmin)
        assert client.post(f"/accounts/{world.unit_u1.pk}/", {
            "first_name": "王老师", "email": "", "role": "unit", "city": "", "unit": unit.pk,
            "agency": "", "department": ""}).status_code == 302
        world.unit_u1.refresh_from_db()

    move(world.u2)
    client.force_login(world.secadmin)
    confirmation = {"grant": services.grant_key(world.unit_u1)}
    assert client.post(f"/security/{world.unit_u1.pk}/authorise/", confirmation).status_code == 302
    move(world.u1)
    move(world.u2)
    client.force_login(world.secadmin)
    replay = client.post(f"/security/{world.unit_u1.pk}/authorise/", confirmation)
    assert replay.status_code == 400 and "已变更，请重新查看" in replay.content.decode()
    world.unit_u1.refresh_from_db()
    assert not world.unit_u1.scope_authorised
    assert AuditEvent.objects.filter(action=AuditAction.ACCOUNT_AUTHORISE).count() == 1


def test_a_session_id_planted_before_the_login_is_not_the_logged_in_one(world):
    from importlib import import_module

    from django.conf import settings
    planted = import_module(settings.SESSION_ENGINE).SessionStore()
    planted["x"] = 1
    planted.save()
    victim = Client()
    victim.cookies[settings.SESSION_COOKIE_NAME] = planted.session_key
    password_login("unit_u1", victim)
    assert victim.cookies[settings.SESSION_COOKIE_NAME].value != planted.session_key
    attacker = Client()
    attacker.cookies[settings.SESSION_COOKIE_NAME] = planted.session_key
    assert attacker.get("/registry/persons/").status_code == 302


# --- Lockouts ------------------------------------------------------------------------------------

def test_failures_typed_with_spaces_or_full_width_letters_lock_the_same_account(world, settings):
    variants = [" unit_u1", "unit_u1 ", "ｕｎｉｔ_ｕ１", "\tunit_u1", "unit_u1"]
    for i in range(settings.AXES_FAILURE_LIMIT):
        Client().post("/login/", {"username": variants[i % len(variants)],
                                  "password": f"Wrong-pass-{i}x"})
    response = Client().post("/login/", {"username": "unit_u1", "password": PASSWORD})
    assert response.status_code == 429
    assert AuditEvent.objects.filter(action=AuditAction.LOCKOUT).exists()


def test_a_session_left_unused_after_its_login_still_times_out(world, monkeypatch):
    """Idle time counted from the first page, not from the login: a session cookie taken
    from the login's answer and used hours later passed as fresh."""
    import time

    session = password_login("unit_u1")
    later = time.time() + 31 * 60
    monkeypatch.setattr("apps.accounts.middleware.time.time", lambda: later)
    response = session.get("/registry/persons/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert "_auth_user_id" not in session.session


# --- The separation is the services' own rule ------------------------------------------------------

def test_no_administrator_can_do_the_others_part_by_calling_the_service(world):
    """The pages keep each administrator to its console; a service reached from another path
    (a task, a command, a future API) must keep the same separation. A second system
    administrator (made on the server) authorising the first one's reset, or the system
    administrator authorising the grant it made, would be one role doing both parts."""
    from apps.accounts import services
    from tests.conftest import make_user

    other_sys = make_user("sysadmin2", "sysadmin")
    services.user_password_reset(world.unit_u1, password="Neues-Pass-2027", actor=world.sysadmin)
    world.unit_u1.refresh_from_db()
    pending_at = world.unit_u1.pending_password_at.isoformat()
    new = services.user_create(actor=world.sysadmin, password="Neues-Pass-2027",
                               username="fresh_unit", first_name="赵六", role="unit",
                               unit=world.u1)
    attempts = [
        lambda: services.user_password_authorise(world.unit_u1, actor=other_sys,
                                                 requested_at=pending_at),
        lambda: services.user_authorise(new, actor=world.sysadmin, grant=services.grant_key(new)),
        lambda: services.user_otp_reset(world.city_ty, actor=world.sysadmin),
        lambda: services.user_unlock(world.city_ty, actor=world.province),
        lambda: services.user_password_reset(world.unit_u2, password="Neues-Pass-2027",
                                             actor=world.secadmin),
        lambda: services.user_create(actor=world.province, password="Neues-Pass-2027",
                                     username="by_province", first_name="x", role="unit",
                                     unit=world.u1),
        lambda: services.user_set_active(world.unit_u2, active=False, actor=world.secadmin),
    ]
    for attempt in attempts:
        with pytest.raises(services.AccountActionRefused, match="^只有(系统|安全)管理员可以办理此事项。$"):
            attempt()
    world.unit_u1.refresh_from_db()
    new.refresh_from_db()
    assert world.unit_u1.pending_password and not new.scope_authorised
    assert not User.objects.filter(username="by_province").exists()
    assert User.objects.get(pk=world.unit_u2.pk).is_active
    assert not AuditEvent.objects.filter(action__in=[
        AuditAction.PASSWORD_AUTHORISE, AuditAction.ACCOUNT_AUTHORISE, AuditAction.OTP_RESET,
        AuditAction.UNLOCK]).exists()


@pytest.mark.parametrize("path", ["/orgs/%0D%0ASet-Cookie:%20x=1/", "/orgs/a%26next=//evil.example/"])
def test_the_page_asked_for_is_carried_to_the_code_page_encoded(world, owner_device, path):
    """The middleware put the asked path into ``?next=`` as it came: a CR LF in it answered
    500 instead of the code page, a ``&next=`` in it added a second parameter."""
    session = password_login("city_ty")
    response = session.get(path)
    assert response.status_code == 302 and response["Location"].startswith("/otp/verify/?next=")
    assert "\n" not in response["Location"] and response["Location"].count("next=") == 1


def test_the_account_form_changes_no_username_password_or_flag_sent_with_it(world, client):
    """Renaming an account (to then reset it as another), or slipping a password, a scope
    authorisation or an activation into the edit form: the form carries none of them."""
    client.force_login(world.sysadmin)
    before = User.objects.get(pk=world.unit_u2.pk)
    response = client.post(f"/accounts/{world.unit_u2.pk}/", {
        "first_name": "王老师", "email": "wang@example.cn", "role": "unit", "unit": world.u2.pk,
        "city": "", "agency": "", "department": "", "username": "unit_u1x",
        "password": "pbkdf2_sha256$1$x$y", "scope_authorised": "1", "is_active": "1",
        "must_change_password": "", "session_epoch": "0"})
    assert response.status_code == 302
    after = User.objects.get(pk=world.unit_u2.pk)
    assert (after.username, after.password, after.must_change_password, after.is_active) == (
        before.username, before.password, before.must_change_password, before.is_active)
    assert after.email == "wang@example.cn"
