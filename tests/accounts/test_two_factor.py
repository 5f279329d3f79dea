"""Two-factor login (TOTP) for province and city accounts; optional for the others."""
import base64

from django.db import connection
from django_otp.oath import totp

from apps.accounts.models import TotpDevice
from tests.conftest import PASSWORD


def code_for(device, drift=0):
    return f"{totp(device.bin_key, drift=drift):06d}"


def login(client, username):
    return client.post("/login/", {"username": username, "password": PASSWORD})


def test_a_city_account_must_set_up_an_authenticator_first(world, client):
    login(client, "city_ty")
    response = client.get("/orgs/units/")
    assert response.status_code == 302 and response["Location"].startswith("/otp/setup/")
    page = client.get("/otp/setup/").content.decode()
    device = TotpDevice.objects.get(user=world.city_ty, confirmed=False)
    assert device.base32_key in page
    assert base64.b32decode(device.base32_key + "=" * (-len(device.base32_key) % 8)) == device.bin_key
    wrong = client.post("/otp/setup/", {"code": "000000" if code_for(device) != "000000" else "111111"})
    assert "验证码不正确" in wrong.content.decode()
    done = client.post("/otp/setup/?next=/orgs/units/", {"code": code_for(device)})
    assert done.status_code == 302 and done["Location"] == "/orgs/units/"
    assert client.get("/orgs/units/").status_code == 200


def test_next_login_asks_for_a_code_and_a_code_works_once(world, client):
    device = TotpDevice.objects.create(user=world.province, name="x", confirmed=True,
                                       key="ab" * 20)
    login(client, "province")
    assert client.get("/").headers["Location"].startswith("/otp/verify/")
    code = code_for(device)
    assert client.post("/otp/verify/", {"code": code}).status_code == 302
    assert client.get("/").status_code == 200
    client.post("/logout/")
    login(client, "province")
    replay = client.post("/otp/verify/", {"code": code})  # the same code again: refused
    assert "验证码不正确" in replay.content.decode()


def test_units_and_agencies_are_not_forced(world, client):
    login(client, "unit_u1")
    assert client.get("/").status_code == 200


def test_the_secret_is_not_stored_in_clear(world):
    device = TotpDevice.objects.create(user=world.city_ty, name="x", confirmed=True,
                                       key="cd" * 20)
    with connection.cursor() as cursor:
        cursor.execute("SELECT key FROM accounts_totpdevice WHERE id = %s", [device.pk])
        stored = cursor.fetchone()[0]
    assert "cd" * 20 not in stored and stored.startswith("v1:")
