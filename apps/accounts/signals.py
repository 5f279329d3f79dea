"""Logins and failed logins go to the append-only audit log (the username of a failure is
kept, never the password)."""
from django.contrib.auth.signals import user_logged_in, user_login_failed
from axes.signals import user_locked_out
from django.dispatch import receiver

from apps.audit.models import AuditAction
from apps.audit.services import audit_log


@receiver(user_logged_in)
def audit_login(sender, request, user, **kwargs):
    from apps.accounts.services import login_completed, needs_second_factor, session_started
    from apps.accounts.middleware import TwoFactorMiddleware
    audit_log(user, AuditAction.LOGIN, request=request)
    if request is None:
        return
    # The session's start and epoch are noted now, not at its first page: a "log out
    # everywhere" (or an authenticator reset) between the login and that page ends it too.
    session_started(request, user)
    needed = needs_second_factor(user)
    request.session[TwoFactorMiddleware.NEEDED] = needed  # saved with the login's session
    if not needed:
        login_completed(request, user)


@receiver(user_login_failed)
def audit_login_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username", ""))[:50]
    audit_log(None, AuditAction.LOGIN_FAILED, detail=f"用户名：{username}", request=request)


@receiver(user_locked_out)
def audit_lockout(sender, request=None, username=None, **kwargs):
    audit_log(None, AuditAction.LOCKOUT, detail=f"用户名：{str(username or '')[:50]}",
              request=request)
