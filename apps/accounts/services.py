import secrets

from axes.handlers.proxy import AxesProxyHandler
from axes.utils import reset
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from apps.accounts.models import ADMIN_ROLES, Role, TotpDevice, User
from apps.audit.models import AuditAction
from apps.audit.services import audit_log, audited, audited_within, not_audited


class AccountActionRefused(Exception):
    """The action breaks a rule of the administrators' separation; the message says which."""


@audited_within
def user_logout_everywhere(user: User) -> None:
    """Every session of the account started before now ends at its next request."""
    User.objects.filter(pk=user.pk).update(session_epoch=F("session_epoch") + 1)


@not_audited("notes the login's time and epoch in its own session; the login is audited (LOGIN)")
def session_started(request, user: User) -> None:
    """This session belongs to the account's current epoch, and its absolute and idle limits
    run, from now (not from its first page, which may come much later or never)."""
    import time

    from apps.accounts.middleware import LOGIN_AT, SEEN_AT
    request.session[LOGIN_AT] = request.session[SEEN_AT] = time.time()
    _join_epoch(request, user)


def _join_epoch(request, user: User) -> None:
    from apps.accounts.middleware import EPOCH
    request.session[EPOCH] = User.objects.values_list("session_epoch", flat=True).get(pk=user.pk)


@audited(AuditAction.FORCE_LOGOUT, "本人结束所有会话")
def own_sessions_end(*, actor: User) -> None:
    """The account ends its own sessions on every device (the 退出所有设备 button)."""
    user_logout_everywhere(actor)


@not_audited("a pending authenticator key grants nothing; binding it is audited (OTP_BIND)")
def totp_device_pending(request):
    """This session's unconfirmed authenticator (made once per session, kept until bound).
    Each session gets its own key: one shared by the account would let whoever opened the
    setup page with the password copy the key the owner binds later."""
    user = request.user
    device = TotpDevice.objects.filter(user=user, confirmed=False,
                                       pk=request.session.get(PENDING_DEVICE)).first()
    if device is None:
        device = TotpDevice.objects.create(user=user, name="身份验证器", confirmed=False,
                                           key=secrets.token_hex(20))
        request.session[PENDING_DEVICE] = device.pk
    return device


PENDING_DEVICE = "_otp_pending_device"


def totp_confirmed_device(user):
    return TotpDevice.objects.filter(user=user, confirmed=True).first()


class SecondFactorLocked(Exception):
    """Too many wrong codes: the account is locked like after wrong passwords."""


def totp_locked(request) -> bool:
    return AxesProxyHandler.is_locked(request, credentials={"username": request.user.username})


@not_audited("login flow: a wrong code audits itself outside any transaction, so its row survives the refusal")
def totp_attempt(request, device, code, *, what: str) -> bool:
    """One try of a code of ``device`` by this session's user. A right code is used once
    (TotpDevice.verify_token); a wrong one is audited and counts like a wrong password
    (django-axes, per account), so the fifth locks the account and ends this session."""
    if totp_locked(request):
        raise SecondFactorLocked
    if device.verify_token(code):
        return True
    _count_failure(request, AuditAction.OTP_FAILED, f"{what}验证码错误")
    if totp_locked(request):
        raise SecondFactorLocked
    return False


@not_audited("login flow: a wrong password audits itself (LOGIN_FAILED) and must survive the refusal")
def password_failed(request, *, what: str) -> None:
    """A wrong password typed inside a session (the password change): counted and audited as
    a failed login."""
    _count_failure(request, AuditAction.LOGIN_FAILED, f"{what}错误")


def _count_failure(request, action, detail) -> None:
    user = request.user
    audit_log(user, action, user, detail=f"账号 {user.username}：{detail}", request=request)
    AxesProxyHandler.user_login_failed(sender=_count_failure,
                                       credentials={"username": user.username}, request=request)


def needs_second_factor(user) -> bool:
    """Province, city and administrator accounts always; any other account once it has bound
    an authenticator (a factor it chose is not skipped)."""
    from apps.accounts.models import TWO_FACTOR_ROLES
    return user.role in TWO_FACTOR_ROLES or totp_confirmed_device(user) is not None


@not_audited("clears the lockout counters of a completed login, which is audited itself (LOGIN)")
def login_completed(request, user) -> None:
    """The whole login succeeded (password, and the code where one is needed): only now are
    the account's failures forgotten, so a right password does not clear wrong codes."""
    reset(username=user.username)


@not_audited("login flow: the login is audited (LOGIN), a wrong code by totp_attempt")
def totp_verify(request, code) -> bool:
    """The login's second step: a code of the account's confirmed authenticator."""
    import django_otp

    device = totp_confirmed_device(request.user)
    if device is None or not totp_attempt(request, device, code, what="登录"):
        return False
    # The session gains rights: a new key, so an id learnt before this step is worth nothing.
    request.session.cycle_key()
    django_otp.login(request, device)
    login_completed(request, request.user)
    return True


@audited(AuditAction.OTP_BIND, "绑定身份验证器", atomic=False)
def totp_device_bind(request, device, code, *, old_code: str = "") -> bool:
    """Bind the pending ``device``. With no confirmed authenticator the account binds its
    first one (first login, or after the security administrator's reset); replacing one needs
    a verified session and a current code of the old one, so a password alone never swaps the
    owner's factor."""
    import django_otp

    user = request.user
    old = totp_confirmed_device(user)
    if old is not None:
        if not user.is_verified():
            raise AccountActionRefused("请先用已绑定的身份验证器完成登录验证。")
        if not totp_attempt(request, old, old_code, what="原身份验证器"):
            return False
    if not totp_attempt(request, device, code, what="新身份验证器"):
        return False
    with transaction.atomic():
        TotpDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        TotpDevice.objects.filter(pk=device.pk).update(confirmed=True)
        device.confirmed = True
        # Every other session of the account was opened without this factor: they end, this
        # one (which just passed it) joins the new epoch.
        user_logout_everywhere(user)
        _join_epoch(request, user)
        audit_log(user, AuditAction.OTP_BIND, user,
                  detail=f"账号 {user.username}：{'更换' if old else '绑定'}身份验证器",
                  request=request)
    request.session.cycle_key()
    django_otp.login(request, device)
    login_completed(request, user)
    return True


@audited(AuditAction.PASSWORD_CHANGE, "本人修改密码")
def user_password_change(user: User, *, password: str, request=None) -> User:
    """The account's own new password; it ends a one-time password set by an administrator."""
    if user.check_password(password):
        raise ValidationError("新密码不能与当前密码相同。", code="password_unchanged")
    validate_password(password, user)
    user.set_password(password)
    user.must_change_password = False
    with transaction.atomic():
        user.save(update_fields=["password", "must_change_password"])
        _audit(user, AuditAction.PASSWORD_CHANGE, user, "本人修改密码", request)
    return user


# --- 三员分立: what the system and security administrators may do to accounts. Each action is
# audited; no administrator acts on its own account, and administrator accounts are not
# created or changed from the web (``manage.py admin_account_create`` on the server), so no
# one web account can make itself or another account an administrator.

def _check_actor(actor: User, role: str) -> None:
    """Which administrator does what is the rule itself, not only the page's: the system
    administrator proposes (accounts, grants, passwords), the security administrator
    authorises and secures; a service called from any other path keeps the separation."""
    if getattr(actor, "role", None) != role:
        raise AccountActionRefused(f"只有{Role(role).label}可以办理此事项。")


def _check_target(target: User, actor: User, *, admins_allowed: bool) -> None:
    if target.pk == actor.pk:
        raise AccountActionRefused("不能对自己的账号执行此操作，请由其他管理员办理。")
    if not admins_allowed and target.role in ADMIN_ROLES:
        raise AccountActionRefused("管理员账号不能在此修改，须由运维人员在服务器上办理。")
    # An API client's account has no password and changes only with its client (apps.api):
    # a reset here would let one administrator log in as a client.
    if hasattr(target, "api_client"):
        raise AccountActionRefused("接口客户端的账号不能在此修改，请在“接口客户端”中办理。")


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


@audited(AuditAction.ACCOUNT_CREATE, "新建账号")
def user_create(*, actor: User, password: str, request=None, **fields) -> User:
    """A new business account (never an administrator); the password obeys the rules."""
    _check_actor(actor, Role.SYSTEM_ADMIN)
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
    user.must_change_password = True  # the administrator knows it: the owner replaces it
    with transaction.atomic():
        user.save()
        _audit(actor, AuditAction.ACCOUNT_CREATE, user, f"{_org_text(user)}（待安全管理员授权）",
               request)
    return user


ACCOUNT_FIELDS = ("first_name", "email", "role", "city", "unit", "agency", "department")


@audited(AuditAction.ACCOUNT_CHANGE, "修改账号")
def user_update(user: User, *, actor: User, request=None, **fields) -> User:
    """Name, e-mail, role and organisation. A change of role or organisation ends the
    account's sessions, so that no page stays open with the old scope."""
    _check_actor(actor, Role.SYSTEM_ADMIN)
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


@audited(AuditAction.ACCOUNT_ACTIVE, "停用/启用账号")
def user_set_active(user: User, *, active: bool, actor: User, request=None) -> User:
    """Deactivating ends every session at once. Reactivating is a grant like a new account:
    the account logs in again only once the security administrator authorises it, so the
    system administrator alone cannot bring back an account (of someone who left)."""
    _check_actor(actor, Role.SYSTEM_ADMIN)
    _check_target(user, actor, admins_allowed=False)
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        regranted = active and not locked.is_active
        fields = {"is_active": active} | ({"scope_authorised": False} if regranted else {})
        User.objects.filter(pk=user.pk).update(**fields)
        for field, value in fields.items():
            setattr(user, field, value)
        if not active:
            user_logout_everywhere(user)
        _audit(actor, AuditAction.ACCOUNT_ACTIVE, user,
               "启用（待安全管理员授权）" if regranted else "启用" if active else "停用", request)
    return user


@audited(AuditAction.PASSWORD_RESET, "重置密码")
def user_password_reset(user: User, *, password: str, actor: User, request=None) -> User:
    """The system administrator sets a new password for a business account. It waits for the
    security administrator's authorisation (the old one works meanwhile), then is one-time:
    no single administrator can log in as the account."""
    _check_actor(actor, Role.SYSTEM_ADMIN)
    _check_target(user, actor, admins_allowed=False)
    validate_password(password, user)
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(
            pending_password=make_password(password), pending_password_by=actor,
            pending_password_at=timezone.now())
        _audit(actor, AuditAction.PASSWORD_RESET, user, "重置密码（待安全管理员授权）", request)
    user.refresh_from_db()
    return user


def _pending_reset(user: User, actor: User, requested_at) -> User:
    """The account, locked, with the reset the security administrator looked at."""
    _check_actor(actor, Role.SECURITY_ADMIN)
    _check_target(user, actor, admins_allowed=False)
    locked = User.objects.select_for_update().get(pk=user.pk)
    if not locked.pending_password:
        raise AccountActionRefused("该账号没有待授权的密码重置。")
    # The confirmation names one request: a newer reset made meanwhile must be looked at anew.
    if requested_at is None or locked.pending_password_at.isoformat() != str(requested_at):
        raise AccountActionRefused("该账号的密码重置申请已变更，请重新查看后再授权。")
    if locked.pending_password_by_id == actor.pk:
        raise AccountActionRefused("不能授权自己提出的密码重置。")
    return locked


@audited(AuditAction.PASSWORD_AUTHORISE, "授权密码重置")
def user_password_authorise(user: User, *, actor: User, requested_at, request=None) -> User:
    """The security administrator authorises the pending reset: it becomes the password, a
    one-time one, and every session of the account ends."""
    with transaction.atomic():
        locked = _pending_reset(user, actor, requested_at)
        User.objects.filter(pk=locked.pk).update(
            password=locked.pending_password, must_change_password=True, pending_password="",
            pending_password_by=None, pending_password_at=None)
        user_logout_everywhere(locked)
        _audit(actor, AuditAction.PASSWORD_AUTHORISE, locked,
               f"授权密码重置（{_org_text(locked)}），首次登录须修改密码", request)
    user.refresh_from_db()
    return user


@audited(AuditAction.PASSWORD_AUTHORISE, "拒绝密码重置")
def user_password_reset_refuse(user: User, *, actor: User, requested_at, request=None) -> User:
    with transaction.atomic():
        locked = _pending_reset(user, actor, requested_at)
        User.objects.filter(pk=locked.pk).update(
            pending_password="", pending_password_by=None, pending_password_at=None)
        _audit(actor, AuditAction.PASSWORD_AUTHORISE, locked, "不予授权密码重置，原密码不变",
               request)
    user.refresh_from_db()
    return user


@audited(AuditAction.UNLOCK, "解除锁定")
def user_unlock(user: User, *, actor: User, request=None) -> int:
    """Lift a lockout (django-axes) before its 30 minutes are over."""
    _check_actor(actor, Role.SECURITY_ADMIN)
    _check_target(user, actor, admins_allowed=True)
    with transaction.atomic():
        removed = reset(username=user.username)
        _audit(actor, AuditAction.UNLOCK, user, f"解除锁定（清除失败记录{removed}条）", request)
    return removed


@audited(AuditAction.OTP_RESET, "重置双因素认证")
def user_otp_reset(user: User, *, actor: User, request=None) -> None:
    """The user lost the authenticator: its device goes, its sessions end, and the next login
    binds a new one."""
    _check_actor(actor, Role.SECURITY_ADMIN)
    _check_target(user, actor, admins_allowed=True)
    with transaction.atomic():
        TotpDevice.objects.filter(user=user).delete()
        user_logout_everywhere(user)
        _audit(actor, AuditAction.OTP_RESET, user, "重置双因素认证，下次登录须重新绑定", request)


@audited(AuditAction.FORCE_LOGOUT, "强制退出登录")
def user_force_logout(user: User, *, actor: User, request=None) -> None:
    _check_actor(actor, Role.SECURITY_ADMIN)
    _check_target(user, actor, admins_allowed=True)
    with transaction.atomic():
        user_logout_everywhere(user)
        _audit(actor, AuditAction.FORCE_LOGOUT, user, "强制退出所有登录", request)


def grant_key(user: User) -> str:
    """What a grant names: role and organisation, and the account's session epoch. The
    security administrator's confirmation carries it, so it authorises what it was shown and
    nothing the system administrator changed meanwhile; and every change that makes a grant
    pending (of scope, a deactivation before a reactivation) raises the epoch, so a
    confirmation sent again authorises no later grant, even one of the same scope."""
    return (f"{user.role}:{user.city_id or ''}:{user.unit_id or ''}:{user.agency_id or ''}"
            f":{user.session_epoch}")


@audited(AuditAction.ACCOUNT_AUTHORISE, "授权账号角色与单位")
def user_authorise(user: User, *, actor: User, grant: str, request=None) -> User:
    """The security administrator authorises the role and organisation the system
    administrator set: only then can the account log in (a second person for every grant)."""
    _check_actor(actor, Role.SECURITY_ADMIN)
    _check_target(user, actor, admins_allowed=False)
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if locked.scope_authorised:
            raise AccountActionRefused("该账号的角色与所属单位已授权，无需再次授权。")
        if grant != grant_key(locked):
            raise AccountActionRefused("该账号的角色或所属单位已变更，请重新查看后再授权。")
        User.objects.filter(pk=user.pk).update(scope_authorised=True)
        user.scope_authorised = True
        _audit(actor, AuditAction.ACCOUNT_AUTHORISE, locked, f"授权为{_org_text(locked)}", request)
    return user
