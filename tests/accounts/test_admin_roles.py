"""三员分立: system, security and audit administrators are separate accounts, each with its own
console; none of them sees personal data; none acts on its own account; what the system and
security administrators do is audited."""
import pytest
from django.db import IntegrityError
from django.test import Client

from apps.accounts import services
from apps.accounts.models import ADMIN_ROLES, Role, TotpDevice, User
from apps.accounts.scoping import _rules, visible
from apps.audit.models import AuditAction, AuditEvent
from tests.conftest import PASSWORD, make_user


def login(client, username, password=PASSWORD):
    return client.post("/login/", {"username": username, "password": password})


def test_administrator_accounts_belong_to_no_organisation(world):
    for role in ADMIN_ROLES:
        with pytest.raises(IntegrityError):
            from django.db import transaction
            with transaction.atomic():
                User.objects.create(username=f"bad-{role}", role=role, city=world.ty)


# What each administrator may see at all; every other model with a rule shows it nothing.
ADMIN_SEES = {
    Role.SYSTEM_ADMIN: {"User", "City", "OrganisingUnit", "Agency"},
    Role.SECURITY_ADMIN: {"User", "AccessAttempt"},
    Role.AUDIT_ADMIN: {"AuditEvent"},
}


def test_administrators_see_no_personal_data(world):
    from apps.audit.services import audit_log
    audit_log(world.province, AuditAction.REVEAL, world.person_ty, detail="x")
    leaks = []
    for role, user in ((Role.SYSTEM_ADMIN, world.sysadmin), (Role.SECURITY_ADMIN, world.secadmin),
                       (Role.AUDIT_ADMIN, world.auditor)):
        for model in _rules():
            seen = visible(model.objects.all(), user).exists()
            if seen and model.__name__ not in ADMIN_SEES[role]:
                leaks.append(f"{role} sees {model.__name__}")
    assert not leaks, leaks
    # The allowances are real (the test above would pass for a role that sees nothing).
    assert visible(User.objects.all(), world.sysadmin).count() == User.objects.count()
    assert visible(AuditEvent.objects.all(), world.auditor).exists()


def test_only_the_audit_administrator_reads_the_audit_log(world):
    from apps.audit.services import audit_log
    audit_log(world.unit_u1, AuditAction.REVEAL, world.person_ty, detail="x")
    for user in world.by_role.values():
        assert visible(AuditEvent.objects.all(), user).exists() == (user.role == Role.AUDIT_ADMIN)


@pytest.mark.parametrize("username", ["sysadmin", "secadmin", "auditor"])
def test_administrators_must_use_a_second_factor(world, client, username):
    login(client, username)
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/otp/setup/")


def test_administrators_are_kept_out_of_business_pages_and_the_django_admin(world, client):
    for user in (world.sysadmin, world.secadmin, world.auditor):
        client.force_login(user)
        assert client.get("/registry/persons/").status_code == 403
        assert client.get("/admin/").status_code == 404  # no Django admin at all
        assert client.get("/").status_code == 200


# --- System administrator --------------------------------------------------------------------

def new_account(**overrides):
    data = {"username": "zhang_u2", "first_name": "张老师", "email": "", "role": "unit",
            "city": "", "unit": "", "agency": "", "department": "",
            "password1": "Neues-Pass-2027", "password2": "Neues-Pass-2027"}
    return {**data, **overrides}


def test_system_admin_creates_a_unit_account_and_it_is_audited(world, client):
    client.force_login(world.sysadmin)
    response = client.post("/accounts/new/", new_account(unit=world.u2.pk))
    assert response.status_code == 302
    user = User.objects.get(username="zhang_u2")
    assert (user.role, user.unit, user.check_password("Neues-Pass-2027")) == (
        Role.UNIT, world.u2, True)
    event = AuditEvent.objects.get(action=AuditAction.ACCOUNT_CREATE)
    assert event.actor == world.sysadmin and event.object_id == str(user.pk)
    assert "zhang_u2" in event.detail and "太原学院" in event.detail


def test_account_form_says_what_is_wrong_in_chinese(world, client):
    client.force_login(world.sysadmin)
    weak = client.post("/accounts/new/", new_account(unit=world.u2.pk, password1="abcdefgh",
                                                     password2="abcdefgh"))
    assert weak.status_code == 400 and "密码" in weak.content.decode()
    no_unit = client.post("/accounts/new/", new_account())
    assert no_unit.status_code == 400 and "必须选择所属组织单位" in no_unit.content.decode()
    assert not User.objects.filter(username="zhang_u2").exists()


def test_system_admin_cannot_make_an_administrator(world, client):
    client.force_login(world.sysadmin)
    response = client.post("/accounts/new/", new_account(role=Role.AUDIT_ADMIN))
    assert response.status_code == 400
    with pytest.raises(services.AccountActionRefused):
        services.user_create(actor=world.sysadmin, password="Neues-Pass-2027",
                             username="x", role=Role.AUDIT_ADMIN)
    with pytest.raises(services.AccountActionRefused):
        services.user_update(world.unit_u1, actor=world.sysadmin, role=Role.SECURITY_ADMIN,
                             unit=None)
    assert not User.objects.filter(role=Role.AUDIT_ADMIN).exclude(pk=world.auditor.pk).exists()
    world.unit_u1.refresh_from_db()
    assert world.unit_u1.role == Role.UNIT


def test_no_administrator_acts_on_its_own_account(world, client):
    client.force_login(world.sysadmin)
    own = client.post(f"/accounts/{world.sysadmin.pk}/active/", {"active": "0"})
    assert own.status_code == 400 and "不能对自己的账号" in own.content.decode()
    assert client.get(f"/accounts/{world.sysadmin.pk}/").content.decode().count("不能对自己的账号")
    other_admin = client.post(f"/accounts/{world.secadmin.pk}/password/",
                              {"password1": "Neues-Pass-2027", "password2": "Neues-Pass-2027"})
    assert other_admin.status_code == 400
    client.force_login(world.secadmin)
    for action in ("unlock", "otp-reset", "logout"):
        response = client.post(f"/security/{world.secadmin.pk}/{action}/")
        assert response.status_code == 400, action
    world.sysadmin.refresh_from_db()
    world.secadmin.refresh_from_db()
    assert world.sysadmin.is_active and world.secadmin.check_password(PASSWORD)
    assert TotpDevice.objects.filter(user=world.secadmin).exists()
    assert not AuditEvent.objects.filter(actor__in=[world.sysadmin, world.secadmin]).exclude(
        action=AuditAction.LOGIN).exists()


def test_changing_role_or_organisation_ends_the_accounts_sessions(world, client):
    other = Client()
    other.force_login(world.unit_u1)
    assert other.get("/registry/persons/").status_code == 200
    client.force_login(world.sysadmin)
    response = client.post(f"/accounts/{world.unit_u1.pk}/", {
        "first_name": "王老师", "email": "", "role": "unit", "unit": world.u2.pk, "city": "",
        "agency": "", "department": ""})
    assert response.status_code == 302
    world.unit_u1.refresh_from_db()
    assert world.unit_u1.unit == world.u2
    assert other.get("/registry/persons/").status_code == 302  # logged out
    event = AuditEvent.objects.get(action=AuditAction.ACCOUNT_CHANGE)
    assert "所属组织单位" in event.detail and "太原学院" in event.detail


def test_a_deactivated_account_is_logged_out_and_cannot_log_in(world, client):
    other = Client()
    other.force_login(world.unit_u1)
    client.force_login(world.sysadmin)
    assert client.post(f"/accounts/{world.unit_u1.pk}/active/", {"active": "0"}).status_code == 302
    assert other.get("/registry/persons/").status_code == 302
    assert login(Client(), "unit_u1").status_code == 200  # the form again: refused
    assert AuditEvent.objects.get(action=AuditAction.ACCOUNT_ACTIVE).detail.endswith("停用")


def authorise_password(client, secadmin, target):
    """The security administrator opens the pending reset and confirms what it shows."""
    client.force_login(secadmin)
    page = client.get(f"/security/{target.pk}/password/")
    assert target.username in page.content.decode()
    target.refresh_from_db()
    return client.post(f"/security/{target.pk}/password/", {
        "decision": "authorise", "requested_at": target.pending_password_at.isoformat()})


def test_password_reset_waits_for_the_security_administrator_then_is_one_time(world, client):
    other = Client()
    other.force_login(world.unit_u1)
    client.force_login(world.sysadmin)
    weak = client.post(f"/accounts/{world.unit_u1.pk}/password/",
                       {"password1": "12345678", "password2": "12345678"})
    assert weak.status_code == 400
    done = client.post(f"/accounts/{world.unit_u1.pk}/password/",
                       {"password1": "Neues-Pass-2027", "password2": "Neues-Pass-2027"})
    assert done.status_code == 302
    assert "密码重置待授权" in client.get("/accounts/").content.decode()
    world.unit_u1.refresh_from_db()
    # Nothing has changed yet: the old password works, the new one does not, sessions go on.
    assert world.unit_u1.check_password(PASSWORD) and not world.unit_u1.check_password("Neues-Pass-2027")
    assert login(Client(), "unit_u1", "Neues-Pass-2027").status_code == 200
    assert other.get("/registry/persons/").status_code == 200
    event = AuditEvent.objects.get(action=AuditAction.PASSWORD_RESET)
    assert event.actor == world.sysadmin and "Neues" not in event.detail and "待" in event.detail

    assert authorise_password(client, world.secadmin, world.unit_u1).status_code == 302
    world.unit_u1.refresh_from_db()
    assert world.unit_u1.check_password("Neues-Pass-2027") and world.unit_u1.must_change_password
    assert other.get("/registry/persons/").status_code == 302  # every session ended
    assert AuditEvent.objects.get(action=AuditAction.PASSWORD_AUTHORISE).actor == world.secadmin
    # The first login with it leads to the password change and nowhere else.
    owner = Client()
    assert login(owner, "unit_u1", "Neues-Pass-2027").status_code == 302
    for path in ("/", "/registry/persons/", "/rosters/"):
        response = owner.get(path)
        assert response.status_code == 302 and response["Location"].startswith("/password/")
    same = owner.post("/password/", {"old_password": "Neues-Pass-2027",
                                     "new_password1": "Neues-Pass-2027",
                                     "new_password2": "Neues-Pass-2027"})
    assert same.status_code == 400 and "不能与当前密码相同" in same.content.decode()
    changed = owner.post("/password/", {"old_password": "Neues-Pass-2027",
                                        "new_password1": "Eigenes-Pass-2028",
                                        "new_password2": "Eigenes-Pass-2028"})
    assert changed.status_code == 302
    assert owner.get("/registry/persons/").status_code == 200
    world.unit_u1.refresh_from_db()
    assert not world.unit_u1.must_change_password
    assert AuditEvent.objects.filter(action=AuditAction.PASSWORD_CHANGE, actor=world.unit_u1).exists()


def test_account_list_query_count_does_not_grow_with_accounts(world, client,
                                                              django_assert_max_num_queries):
    client.force_login(world.sysadmin)
    client.get("/accounts/")
    with django_assert_max_num_queries(12):
        small = client.get("/accounts/")
    for i in range(30):
        make_user(f"extra{i}", Role.UNIT, unit=world.u1)
    with django_assert_max_num_queries(12):
        large = client.get("/accounts/")
    assert small.status_code == large.status_code == 200
    assert "extra29" in large.content.decode() and "山西大学" in large.content.decode()


# --- Security administrator ------------------------------------------------------------------

def test_security_admin_sees_a_lockout_and_lifts_it(world, client, settings):
    anonymous = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(anonymous, "unit_u1", "wrong-password")
    assert login(anonymous, "unit_u1").status_code == 429  # locked, even with the password
    assert AuditEvent.objects.filter(action=AuditAction.LOCKOUT, detail="用户名：unit_u1").exists()
    client.force_login(world.secadmin)
    page = client.get("/security/").content.decode()
    assert "已锁定" in page and "unit_u1" in page
    assert client.post(f"/security/{world.unit_u1.pk}/unlock/").status_code == 302
    assert login(Client(), "unit_u1").status_code == 302  # logged in
    event = AuditEvent.objects.get(action=AuditAction.UNLOCK)
    assert event.actor == world.secadmin and event.object_id == str(world.unit_u1.pk)


def test_security_admin_resets_a_lost_authenticator(world, client):
    TotpDevice.objects.create(user=world.city_ty, name="旧手机", confirmed=True, key="ab" * 20)
    other = Client()
    other.force_login(world.city_ty)
    client.force_login(world.secadmin)
    assert client.post(f"/security/{world.city_ty.pk}/otp-reset/").status_code == 302
    assert not TotpDevice.objects.filter(user=world.city_ty).exists()
    assert other.get("/orgs/units/").status_code == 302
    fresh = Client()
    login(fresh, "city_ty")
    assert fresh.get("/").headers["Location"].startswith("/otp/setup/")  # binds a new one
    assert AuditEvent.objects.filter(action=AuditAction.OTP_RESET, actor=world.secadmin).exists()


def test_security_admin_ends_every_session_of_an_account(world, client):
    other = Client()
    other.force_login(world.agency_a1)
    assert other.get("/").status_code == 200
    client.force_login(world.secadmin)
    assert client.post(f"/security/{world.agency_a1.pk}/logout/").status_code == 302
    assert other.get("/").status_code == 302
    assert AuditEvent.objects.filter(action=AuditAction.FORCE_LOGOUT, actor=world.secadmin,
                                     object_id=str(world.agency_a1.pk)).exists()


def test_security_page_query_count_does_not_grow(world, client, settings,
                                                 django_assert_max_num_queries):
    client.force_login(world.secadmin)
    client.get("/security/")
    with django_assert_max_num_queries(12):
        client.get("/security/")
    anonymous = Client()
    for i in range(10):
        make_user(f"extra{i}", Role.UNIT, unit=world.u1)
        login(anonymous, f"extra{i}", "wrong-password")
    with django_assert_max_num_queries(12):
        page = client.get("/security/").content.decode()
    assert "extra9" in page


def test_admin_account_create_command(world, monkeypatch):
    from django.core.management import call_command
    monkeypatch.setattr("getpass.getpass", lambda prompt="": "Neues-Pass-2027")
    call_command("admin_account_create", "auditor2", "auditadmin", "--name", "李审计")
    user = User.objects.get(username="auditor2")
    assert user.role == Role.AUDIT_ADMIN and user.check_password("Neues-Pass-2027")
    assert AuditEvent.objects.filter(action=AuditAction.ACCOUNT_CREATE,
                                     object_id=str(user.pk)).exists()


def test_a_password_reset_alone_does_not_open_a_two_factor_account(world, client):
    """The system administrator knows the new password but not the authenticator, and only
    the security administrator can reset that: no one administrator takes the account over."""
    TotpDevice.objects.create(user=world.province, name="手机", confirmed=True, key="ab" * 20)
    client.force_login(world.sysadmin)
    client.post(f"/accounts/{world.province.pk}/password/",
                {"password1": "Neues-Pass-2027", "password2": "Neues-Pass-2027"})
    authorise_password(client, world.secadmin, world.province)
    intruder = Client()
    login(intruder, "province", "Neues-Pass-2027")
    response = intruder.get("/registry/persons/")
    assert response.status_code == 302 and response["Location"].startswith("/otp/verify/")
    # Nor can the password alone bind another authenticator in place of the owner's.
    response = intruder.get("/otp/setup/")
    assert response.status_code == 302 and response["Location"].startswith("/otp/verify/")
    assert TotpDevice.objects.filter(user=world.province).count() == 1
    client.force_login(world.sysadmin)
    assert client.post(f"/security/{world.province.pk}/otp-reset/").status_code == 403


def test_a_new_account_waits_for_the_security_administrator(world, client):
    """Two persons for every grant: the system administrator's new province account cannot log
    in until the security administrator authorises its role, and a later change of role or
    organisation waits again."""
    client.force_login(world.sysadmin)
    client.post("/accounts/new/", new_account(username="new_prov", role="province"))
    user = User.objects.get(username="new_prov")
    assert not user.scope_authorised
    stranger = Client()
    response = stranger.post("/login/", {"username": "new_prov", "password": "Neues-Pass-2027"})
    assert "尚待安全管理员授权" in response.content.decode()
    assert "_auth_user_id" not in stranger.session
    client.force_login(world.secadmin)
    assert client.get("/security/").content.decode().count("待授权") >= 1
    page = client.get(f"/security/{user.pk}/authorise/").content.decode()
    assert "省专项办" in page and "确认授权" in page  # names the role being granted
    client.post(f"/security/{user.pk}/authorise/", {"grant": services.grant_key(user)})
    event = AuditEvent.objects.get(action=AuditAction.ACCOUNT_AUTHORISE)
    assert event.actor == world.secadmin and "new_prov" in event.detail
    response = stranger.post("/login/", {"username": "new_prov", "password": "Neues-Pass-2027"})
    assert response.status_code == 302 and "_auth_user_id" in stranger.session
    # The system administrator moves an existing account to another unit: it waits again.
    client.force_login(world.sysadmin)
    response = client.post(f"/accounts/{world.unit_u1.pk}/", {
        "first_name": "王老师", "email": "", "role": "unit", "city": "", "unit": world.u2.pk,
        "agency": "", "department": ""})
    assert response.status_code == 302
    world.unit_u1.refresh_from_db()
    assert world.unit_u1.unit == world.u2 and not world.unit_u1.scope_authorised
    # And the security administrator cannot authorise itself a new scope either.
    client.force_login(world.secadmin)
    refused = client.post(f"/security/{world.secadmin.pk}/authorise/")
    assert refused.status_code == 400 and "不能对自己的账号" in refused.content.decode()
