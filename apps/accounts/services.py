from axes.utils import reset
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F

from apps.accounts.models import ADMIN_ROLES, TotpDevice, User
from apps.audit.models import AuditAction
from apps.audit.services import audit_log


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


# --- 三员分立: what the system and security administrators may do to accounts. Each action is
# audited; no administrator acts on its own account, and administrator accounts are not
# created or changed from the web (``manage.py admin_account_create`` on the server), so no
# one web account can make itself or another account an administrator.

class AccountActionRefused(Exception):
    """The action breaks a rule of the administrators' separation; the message says which."""


def _check_target(target: User, actor: User, *, admins_allowed: bool) -> None:
    if target.pk == actor.pk:
        raise AccountActionRefused("不能对自己的账号执行此操作，请由其他管理员办理。")
    if not admins_allowed and target.role in ADMIN_ROLES:
        raise AccountActionRefused("管理员账号不能在此修改，须由运维人员在服务器上办理。")


def account_action_refusal(target: User, actor: User, *, admins_allowed: bool) -> str:
    """Why ``actor`` may not act on ``target`` ("" if it may), for the page to say up front."""
    try:
        _check_target(target, actor, admins_allowed=admins_allowed)
    except AccountActionRefused as error:
        return str(error)
    return ""


def _check_role(role: str) -> None:
    if role in ADMIN_ROLES:
        raise AccountActionRefused("不能在此设置管理员角色，管理员账号须由运维人员在服务器上创建。")


def _audit(actor, action, target, detail, request=None):
    audit_log(actor, action, target, detail=f"账号 {target.username}：{detail}", request=request)


def _org_text(user: User) -> str:
    return f"{user.get_role_display()} {user.organisation_name}".strip()


def user_create(*, actor: User, password: str, request=None, **fields) -> User:
    """A new business account (never an administrator); the password obeys the rules."""
    _check_role(fields.get("role"))
    user = User(**fields)
    errors = {}  # every mistake at once: the account's fields and the password's
    try:
        user.full_clean(exclude=["password"])
    except ValidationError as error:
        errors.update(error.message_dict)
    try:
        validate_password(password, user)
    except ValidationError as error:
        errors["password1"] = error.messages
    if errors:
        raise ValidationError(errors)
    user.set_password(password)
    user.scope_authorised = False  # usable once the security administrator authorises it
    with transaction.atomic():
        user.save()
        _audit(actor, AuditAction.ACCOUNT_CREATE, user, f"{_org_text(user)}（待安全管理员授权）",
               request)
    return user


ACCOUNT_FIELDS = ("first_name", "email", "role", "city", "unit", "agency", "department")


def user_update(user: User, *, actor: User, request=None, **fields) -> User:
    """Name, e-mail, role and organisation. A change of role or organisation ends the
    account's sessions, so that no page stays open with the old scope."""
    _check_target(user, actor, admins_allowed=False)
    _check_role(fields.get("role", user.role))
    before = {f: getattr(user, f) for f in ACCOUNT_FIELDS}
    for field, value in fields.items():
        setattr(user, field, value)
    user.full_clean(exclude=["password"])
    changed = [User._meta.get_field(f).verbose_name for f in ACCOUNT_FIELDS
               if getattr(user, f) != before[f]]
    if not changed:
        return user
    scope_changed = any(getattr(user, f) != before[f] for f in ("role", "city", "unit", "agency"))
    with transaction.atomic():
        if scope_changed:
            user.scope_authorised = False  # the new scope waits for the security administrator
        user.save(update_fields=list(fields) + (["scope_authorised"] if scope_changed else []))
        if scope_changed:
            user_logout_everywhere(user)
        _audit(actor, AuditAction.ACCOUNT_CHANGE, user,
               f"修改{'、'.join(str(c) for c in changed)}，现为{_org_text(user)}", request)
    return user


def user_set_active(user: User, *, active: bool, actor: User, request=None) -> User:
    _check_target(user, actor, admins_allowed=False)
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(is_active=active)
        user.is_active = active
        if not active:
            user_logout_everywhere(user)
        _audit(actor, AuditAction.ACCOUNT_ACTIVE, user, "启用" if active else "停用", request)
    return user


def user_password_reset(user: User, *, password: str, actor: User, request=None) -> User:
    """A new password set by the system administrator; every session of the account ends."""
    _check_target(user, actor, admins_allowed=False)
    validate_password(password, user)
    user.set_password(password)
    with transaction.atomic():
        user.save(update_fields=["password"])
        user_logout_everywhere(user)
        _audit(actor, AuditAction.PASSWORD_RESET, user, "重置密码", request)
    return user


def user_unlock(user: User, *, actor: User, request=None) -> int:
    """Lift a lockout (django-axes) before its 30 minutes are over."""
    _check_target(user, actor, admins_allowed=True)
    with transaction.atomic():
        removed = reset(username=user.username)
        _audit(actor, AuditAction.UNLOCK, user, f"解除锁定（清除失败记录{removed}条）", request)
    return removed


def user_otp_reset(user: User, *, actor: User, request=None) -> None:
    """The user lost the authenticator: its device goes, its sessions end, and the next login
    binds a new one."""
    _check_target(user, actor, admins_allowed=True)
    with transaction.atomic():
        TotpDevice.objects.filter(user=user).delete()
        user_logout_everywhere(user)
        _audit(actor, AuditAction.OTP_RESET, user, "重置双因素认证，下次登录须重新绑定", request)


def user_force_logout(user: User, *, actor: User, request=None) -> None:
    _check_target(user, actor, admins_allowed=True)
    with transaction.atomic():
        user_logout_everywhere(user)
        _audit(actor, AuditAction.FORCE_LOGOUT, user, "强制退出所有登录", request)


def user_authorise(user: User, *, actor: User, request=None) -> User:
    """The security administrator authorises the role and organisation the system
    administrator set: only then can the account log in (a second person for every grant)."""
    _check_target(user, actor, admins_allowed=False)
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(scope_authorised=True)
        user.scope_authorised = True
        _audit(actor, AuditAction.ACCOUNT_AUTHORISE, user, f"授权为{_org_text(user)}", request)
    return user
