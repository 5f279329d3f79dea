from django.db.models import F

from apps.accounts.models import User


def user_logout_everywhere(user: User) -> None:
    """Every session of the account started before now ends at its next request."""
    User.objects.filter(pk=user.pk).update(session_epoch=F("session_epoch") + 1)


def totp_device_pending(user):
    """The user's unconfirmed authenticator (created once, kept until confirmed)."""
    import secrets

    from apps.accounts.models import TotpDevice
    device = TotpDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TotpDevice.objects.create(user=user, name="身份验证器", confirmed=False,
                                           key=secrets.token_hex(20))
    return device


def totp_device_confirm(request, device) -> None:
    """The code matched: this device replaces any earlier one, and the session is verified."""
    import django_otp

    from apps.accounts.models import TotpDevice
    TotpDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
    TotpDevice.objects.filter(pk=device.pk).update(confirmed=True)
    device.confirmed = True
    django_otp.login(request, device)


def totp_verify(request, code) -> bool:
    import django_otp

    from apps.accounts.models import TotpDevice
    device = TotpDevice.objects.filter(user=request.user, confirmed=True).first()
    if device is None or not device.verify_token(code):
        return False
    django_otp.login(request, device)
    return True
