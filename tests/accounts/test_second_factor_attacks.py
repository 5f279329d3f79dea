"""The second factor attacked: skipped with the password alone, replaced without the old one,
guessed without limit, one code used by two sessions at once."""
import pytest
import segno
from django.test import Client
from django_otp.oath import totp

from apps.accounts.models import TotpDevice
from apps.audit.models import AuditAction, AuditEvent
from tests.concurrency import at_once
from tests.conftest import PASSWORD


def code_for(device, drift=0):
    return f"{totp(device.bin_key, drift=drift):06d}"


def wrong_code(device):
    right = {code_for(device, d) for d in (-1, 0, 1)}
    return next(c for c in ("000000", "111111", "222222", "333333") if c not in right)


def password_login(username, client=None):
    client = client or Client()
    response = client.post("/login/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302, "the password is right"
    return client


@pytest.fixture
def owner_device(world):
    return TotpDevice.objects.create(user=world.city_ty, name="本人手机", confirmed=True,
                                     key="ab" * 20)


# --- Skipping the factor with the password alone ---------------------------------------------

def test_a_password_alone_cannot_reach_setup_of_an_account_that_has_a_factor(world, owner_device):
    intruder = password_login("city_ty")
    for method in ("get", "post"):
        response = getattr(intruder, method)("/otp/setup/", {"code": "123456"})
        assert response.status_code == 302 and response["Location"].startswith("/otp/verify/")
    assert list(TotpDevice.objects.filter(user=world.city_ty)) == [owner_device]
    assert not AuditEvent.objects.filter(action=AuditAction.OTP_BIND).exists()


def test_a_pending_key_made_before_the_owner_bound_cannot_be_confirmed_later(world, owner_device):
    """Variant: the intruder holds a key of a pending device created earlier (say, before the
    owner bound theirs) and posts a right code for it."""
    stale = TotpDevice.objects.create(user=world.city_ty, name="x", confirmed=False, key="cd" * 20)
    intruder = password_login("city_ty")
    response = intruder.post("/otp/setup/?next=/orgs/units/", {"code": code_for(stale)})
    assert response.status_code == 302 and response["Location"].startswith("/otp/verify/")
    assert intruder.get("/orgs/units/").status_code == 302  # still not verified
    assert TotpDevice.objects.get(pk=owner_device.pk).confirmed
    assert not TotpDevice.objects.get(pk=stale.pk).confirmed


def test_a_unit_that_bound_a_factor_is_asked_for_it(world):
    """The factor is optional for units, but once bound the password alone is not enough."""
    TotpDevice.objects.create(user=world.unit_u1, name="手机", confirmed=True, key="ef" * 20)
    session = password_login("unit_u1")
    response = session.get("/registry/persons/")
    assert response.status_code == 302 and response["Location"].startswith("/otp/verify/")


def test_replacing_a_factor_needs_a_current_code_of_the_old_one(world, owner_device):
    session = password_login("city_ty")
    assert session.post("/otp/verify/", {"code": code_for(owner_device)}).status_code == 302
    page = session.get("/otp/setup/").content.decode()
    assert "原身份验证器的验证码" in page and "<svg" in page
    new = TotpDevice.objects.get(user=world.city_ty, confirmed=False)
    # The new code alone, or with a wrong old one: refused, the owner's device stays.
    for old_code in ("", wrong_code(owner_device)):
        response = session.post("/otp/setup/", {"old_code": old_code, "code": code_for(new)})
        assert response.status_code == 400
        assert TotpDevice.objects.get(pk=owner_device.pk).confirmed
    # The code the session was verified with is spent; the old device's next one works.
    response = session.post("/otp/setup/", {"old_code": code_for(owner_device, 1),
                                            "code": code_for(new)})
    assert response.status_code == 302
    assert list(TotpDevice.objects.filter(user=world.city_ty, confirmed=True)) == [new]
    event = AuditEvent.objects.get(action=AuditAction.OTP_BIND)
    assert event.actor == world.city_ty and "更换" in event.detail and event.ip


def test_first_binding_is_audited_and_the_qr_code_is_drawn_here(world):
    session = password_login("city_ty")
    page = session.get("/otp/setup/").content.decode()
    device = TotpDevice.objects.get(user=world.city_ty, confirmed=False)
    # The QR code is the key's own, drawn on the server: no image from elsewhere.
    assert segno.make(device.provisioning_uri(), error="m").svg_inline(scale=5, border=2) in page
    assert "http://" not in page.split("<svg", 1)[1].split("</svg>", 1)[0].replace(
        "http://www.w3.org/2000/svg", "")
    assert session.post("/otp/setup/", {"code": code_for(device)}).status_code == 302
    assert AuditEvent.objects.filter(action=AuditAction.OTP_BIND, actor=world.city_ty,
                                     detail__contains="绑定").exists()


# --- Guessing ---------------------------------------------------------------------------------

def test_wrong_codes_lock_the_account_like_wrong_passwords(world, owner_device, settings):
    session = password_login("city_ty")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = session.post("/otp/verify/", {"code": wrong_code(owner_device)})
        assert response.status_code == 400
    locked = session.post("/otp/verify/", {"code": wrong_code(owner_device)})
    assert locked.status_code == 429 and "账号已锁定" in locked.content.decode()
    assert "_auth_user_id" not in session.session  # this session ended
    # Locked: neither the right password nor a right code gets in now.
    assert Client().post("/login/", {"username": "city_ty", "password": PASSWORD}).status_code == 429
    assert AuditEvent.objects.filter(action=AuditAction.OTP_FAILED,
                                     actor=world.city_ty).count() == settings.AXES_FAILURE_LIMIT
    assert AuditEvent.objects.filter(action=AuditAction.LOCKOUT).exists()
    assert all(e.ip for e in AuditEvent.objects.filter(action=AuditAction.OTP_FAILED))


def test_logging_in_again_does_not_clear_the_wrong_codes(world, owner_device, settings):
    """Variant: the attacker knows the password and logs in afresh after each few guesses; a
    right password must not forget the wrong codes."""
    guesses = 0
    while guesses < settings.AXES_FAILURE_LIMIT - 1:
        session = password_login("city_ty")
        for _ in range(2):
            if guesses < settings.AXES_FAILURE_LIMIT - 1:
                session.post("/otp/verify/", {"code": wrong_code(owner_device)})
                guesses += 1
    session = password_login("city_ty")
    assert session.post("/otp/verify/", {"code": wrong_code(owner_device)}).status_code == 429
    assert session.post("/otp/verify/", {"code": code_for(owner_device)}).status_code == 302
    assert Client().post("/login/", {"username": "city_ty", "password": PASSWORD}).status_code == 429


@pytest.mark.parametrize("junk", ["12345", "1234567", "abcdef", "１２３４５６", "12 34 5"])
def test_malformed_codes_count_as_wrong(world, owner_device, junk):
    session = password_login("city_ty")
    session.post("/otp/verify/", {"code": junk})
    from axes.models import AccessAttempt
    attempts = AccessAttempt.objects.filter(username="city_ty").first()
    # A form-level refusal (wrong length) is not a try; anything of six characters is.
    if len(junk) == 6:
        assert attempts is not None and attempts.failures_since_start == 1
    assert session.get("/orgs/units/").status_code == 302


def test_wrong_old_codes_when_replacing_count_too(world, owner_device, settings):
    session = password_login("city_ty")
    session.post("/otp/verify/", {"code": code_for(owner_device)})
    session.get("/otp/setup/")
    new = TotpDevice.objects.get(user=world.city_ty, confirmed=False)
    statuses = [session.post("/otp/setup/", {"old_code": wrong_code(owner_device),
                                             "code": code_for(new)}).status_code
                for _ in range(settings.AXES_FAILURE_LIMIT)]
    assert statuses[-1] == 429
    assert TotpDevice.objects.get(pk=owner_device.pk).confirmed


def test_a_completed_login_forgets_earlier_failures(world, owner_device):
    session = password_login("city_ty")
    session.post("/otp/verify/", {"code": wrong_code(owner_device)})
    assert session.post("/otp/verify/", {"code": code_for(owner_device)}).status_code == 302
    from axes.models import AccessAttempt
    assert not AccessAttempt.objects.filter(username="city_ty").exists()


# --- Replay and race ----------------------------------------------------------------------------

@pytest.mark.django_db(transaction=True)
def test_one_code_verifies_one_of_two_racing_sessions(world):
    device = TotpDevice.objects.create(user=world.city_ty, name="x", confirmed=True, key="ab" * 20)
    for _ in range(5):
        TotpDevice.objects.filter(pk=device.pk).update(last_t=-1)
        code = code_for(device)
        outcomes = at_once(4, lambda: TotpDevice.objects.get(pk=device.pk).verify_token(code))
        assert sorted(result for _, result in outcomes) == [False, False, False, True]


def test_a_code_used_by_one_session_is_refused_to_another(world, owner_device):
    code = code_for(owner_device)
    first, second = password_login("city_ty"), password_login("city_ty")
    assert first.post("/otp/verify/", {"code": code}).status_code == 302
    assert second.post("/otp/verify/", {"code": code}).status_code == 400
    assert second.get("/orgs/units/").status_code == 302


# --- Around the factor -------------------------------------------------------------------------

def test_guessing_the_current_password_on_the_change_page_locks_the_account(world, settings):
    """Variant on another page: someone at an open session guesses the owner's password."""
    session = Client()
    session.force_login(world.unit_u1)
    statuses = [session.post("/password/", {"old_password": f"Guess-{i}-abcdef",
                                            "new_password1": "Eigenes-Pass-2028",
                                            "new_password2": "Eigenes-Pass-2028"}).status_code
                for i in range(settings.AXES_FAILURE_LIMIT)]
    assert statuses[:-1] == [400] * (settings.AXES_FAILURE_LIMIT - 1)
    assert session.get("/password/").status_code == 429
    assert Client().post("/login/", {"username": "unit_u1", "password": PASSWORD}).status_code == 429
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED, actor=world.unit_u1).count() \
        == settings.AXES_FAILURE_LIMIT


def test_the_session_key_changes_when_the_second_factor_is_passed(world, owner_device):
    session = password_login("city_ty")
    before = session.cookies["sessionid"].value
    session.post("/otp/verify/", {"code": code_for(owner_device)})
    after = session.cookies["sessionid"].value
    assert after != before
    stolen = Client()
    stolen.cookies["sessionid"] = before
    assert stolen.get("/orgs/units/").status_code == 302  # the old key opens nothing
