"""API clients: created by the system administrator, authorised by the security
administrator (two persons, as for accounts), revocable by either. The key is made here,
returned once to be shown once, and only its SHA-256 is kept."""
import hashlib
import hmac
import ipaddress
import secrets
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from apps.accounts.models import Role, User
from apps.api.models import ApiClient, Grant
from apps.audit.models import AuditAction
from apps.audit.services import audit_log, audited

# A client works as a province, city, unit or agency. Never an observer (its figures are
# suppressed on the dashboards, rows here are not) nor an administrator (no personal data).
CLIENT_ROLES = (Role.PROVINCE, Role.CITY, Role.UNIT, Role.AGENCY)
# Grants that need a role able to do the act on the pages (SPEC §4).
GRANT_ROLES = {
    Grant.PEOPLE_WRITE: {Role.UNIT, Role.CITY},
    Grant.STAGES_WRITE: {Role.UNIT, Role.CITY, Role.AGENCY},
}
MAX_VALIDITY_DAYS = 366
MAX_RATE = 6000
KEY_SCHEME = "lx"


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _new_key() -> tuple[str, str]:
    prefix = secrets.token_hex(4)
    return prefix, f"{KEY_SCHEME}_{prefix}_{secrets.token_urlsafe(32)}"


def key_prefix(key: str) -> str | None:
    """The lookup prefix of a presented key, None when it is not shaped like one."""
    parts = (key or "").split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_SCHEME or len(parts[1]) != 8 or not parts[2]:
        return None
    return parts[1]


# Compared against when no client has the prefix, so an unknown prefix costs the same time.
_DUMMY_HASH = key_hash("lx_00000000_none")


def key_matches(client: ApiClient | None, key: str) -> bool:
    """Constant time: a wrong key and an unknown one take the same path."""
    expected = client.key_hash if client is not None else _DUMMY_HASH
    return hmac.compare_digest(expected, key_hash(key)) and client is not None


def _check_allowlist(text: str) -> str:
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    if not lines:
        raise ValidationError({"ip_allowlist": "请至少填写一个允许的来源地址。"})
    for number, line in enumerate(lines, 1):
        try:
            network = ipaddress.ip_network(line, strict=False)
        except ValueError:
            raise ValidationError({"ip_allowlist": f"第{number}行“{line[:50]}”不是有效的 IP 地址或网段。"})
        # 0.0.0.0/0 would make the allow-list meaningless.
        if network.prefixlen < (16 if network.version == 4 else 48):
            raise ValidationError({"ip_allowlist": f"第{number}行“{line}”范围过大，"
                                                   "IPv4 网段不能大于 /16，IPv6 不能大于 /48。"})
    return "\n".join(lines)


def _check_grants(grants, role) -> list[str]:
    grants = list(dict.fromkeys(grants or []))
    unknown = [g for g in grants if g not in Grant.values]
    if unknown or not grants:
        raise ValidationError({"grants": "请选择至少一项授权操作。" if not grants
                               else f"未知的授权操作：{'、'.join(unknown)[:100]}。"})
    for grant in grants:
        roles = GRANT_ROLES.get(grant)
        if roles is not None and role not in roles:
            raise ValidationError({"grants": f"角色为“{Role(role).label}”的客户端不能授予"
                                             f"“{Grant(grant).label}”。"})
    return grants


def _check_expiry(expires_on):
    today = timezone.localdate()
    if expires_on is None or expires_on <= today:
        raise ValidationError({"expires_on": "有效期须晚于今天。"})
    if expires_on > today + timedelta(days=MAX_VALIDITY_DAYS):
        raise ValidationError({"expires_on": f"有效期最长一年（不晚于"
                                             f"{today + timedelta(days=MAX_VALIDITY_DAYS):%Y-%m-%d}）。"})


def _scope_text(client: ApiClient) -> str:
    user = client.user
    return f"{user.get_role_display()} {user.organisation_name}".strip()


@audited(AuditAction.API_CLIENT, "新建接口客户端")
def apiclient_create(*, actor, name: str, purpose: str, role: str, city=None, unit=None,
                     agency=None, grants, ip_allowlist: str, expires_on, rate_limit: int = 120
                     ) -> tuple[ApiClient, str]:
    """A new client and its key, pending the security administrator's authorisation. The key
    is returned to be shown once; it is never stored."""
    if actor.role != Role.SYSTEM_ADMIN:
        raise PermissionDenied("只有系统管理员可以新建接口客户端。")
    prefix, key = _new_key()
    user = User(username=f"api-{prefix}", first_name=(name or "").strip()[:150], role=role,
                city=city, unit=unit, agency=agency, scope_authorised=False)
    errors = {}  # every mistake at once, as the account form says them

    def check(fn, *args):
        try:
            return fn(*args)
        except ValidationError as error:
            errors.update(error.message_dict)

    if role not in CLIENT_ROLES:
        errors["role"] = ["接口客户端的角色只能是省专项办、市人社局、组织单位或输出机构。"]
    else:
        grants = check(_check_grants, grants, role)
        check(user.full_clean, ["password"])
    name = (name or "").strip()
    if not name:
        errors["name"] = ["请填写客户端名称。"]
    if not (purpose or "").strip():
        errors["purpose"] = ["请填写用途。"]
    ip_allowlist = check(_check_allowlist, ip_allowlist)
    check(_check_expiry, expires_on)
    if not (1 <= int(rate_limit or 0) <= MAX_RATE):
        errors["rate_limit"] = [f"每分钟请求上限须在 1 至 {MAX_RATE} 之间。"]
    if errors:
        raise ValidationError(errors)
    user.set_unusable_password()  # the account never logs in: only the key works, and only here
    user.save()
    client = ApiClient.objects.create(
        name=name, purpose=purpose.strip(), user=user, prefix=prefix, key_hash=key_hash(key),
        grants=grants, ip_allowlist=ip_allowlist, expires_on=expires_on,
        rate_limit=int(rate_limit), created_by=actor)
    audit_log(actor, AuditAction.API_CLIENT, client,
              detail=f"新建接口客户端“{name}”（{_scope_text(client)}；"
                     f"{'、'.join(client.grant_labels())}；有效期至{expires_on:%Y-%m-%d}），待安全管理员授权")
    return client, key


def _locked(client: ApiClient) -> ApiClient:
    return ApiClient.objects.select_for_update().select_related("user").get(pk=client.pk)


@audited(AuditAction.API_CLIENT, "授权接口客户端")
def apiclient_authorise(client: ApiClient, *, actor) -> ApiClient:
    """The second person: from now on the key works (until it expires or is revoked)."""
    if actor.role != Role.SECURITY_ADMIN:
        raise PermissionDenied("只有安全管理员可以授权接口客户端。")
    with transaction.atomic():
        locked = _locked(client)
        if locked.revoked_at:
            raise ValidationError("该接口客户端已吊销，不能授权。")
        if locked.authorised_at:
            raise ValidationError("该接口客户端已授权，无需再次授权。")
        if locked.created_by_id == actor.pk:
            raise PermissionDenied("不能授权自己创建的接口客户端。")
        if locked.expires_on < timezone.localdate():
            raise ValidationError("该接口客户端已过有效期，请吊销后重新创建。")
        locked.authorised_by, locked.authorised_at = actor, timezone.now()
        locked.save(update_fields=["authorised_by", "authorised_at"])
        User.objects.filter(pk=locked.user_id).update(scope_authorised=True)
        audit_log(actor, AuditAction.API_CLIENT, locked,
                  detail=f"授权接口客户端“{locked.name}”（{_scope_text(locked)}）")
    return locked


@audited(AuditAction.API_CLIENT, "吊销接口客户端")
def apiclient_revoke(client: ApiClient, *, actor, reason: str) -> ApiClient:
    """Either administrator ends a client at once: its key answers 401 from the next request."""
    if actor.role not in (Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN):
        raise PermissionDenied("只有系统管理员或安全管理员可以吊销接口客户端。")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "请填写吊销原因。"})
    with transaction.atomic():
        locked = _locked(client)
        if locked.revoked_at:
            raise ValidationError("该接口客户端已吊销。")
        locked.revoked_by, locked.revoked_at = actor, timezone.now()
        locked.revoke_reason = reason[:200]
        locked.save(update_fields=["revoked_by", "revoked_at", "revoke_reason"])
        User.objects.filter(pk=locked.user_id).update(is_active=False)
        audit_log(actor, AuditAction.API_CLIENT, locked,
                  detail=f"吊销接口客户端“{locked.name}”：{reason[:100]}")
    return locked
