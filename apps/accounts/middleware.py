"""Session limits (SECURITY.md): 30 minutes idle, 12 hours at most, then log in again."""
import time
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect

LOGIN_AT, SEEN_AT, EPOCH = "_login_at", "_seen_at", "_epoch"


def redirect_back(target: str, request):
    """To ``target``, which brings the user back to the page asked for: the path is quoted, so
    an ``&`` or a line break in it stays part of ``next``."""
    return redirect(f"{target}?next={quote(request.path, safe='/')}")


class SessionLimitsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = time.time()
            session = request.session
            login_at = session.setdefault(LOGIN_AT, now)
            seen_at = session.get(SEEN_AT, now)
            epoch = session.setdefault(EPOCH, user.session_epoch)
            idle = now - seen_at > settings.SESSION_IDLE_SECONDS
            too_long = now - login_at > settings.SESSION_ABSOLUTE_SECONDS
            ended = epoch != user.session_epoch
            if idle or too_long or ended:
                logout(request)  # flushes the session: nothing of it is left on the server
                messages.info(request, "长时间未操作，已自动退出，请重新登录。" if idle
                              else "登录已超过12小时，请重新登录。" if too_long
                              else "您已在其他位置选择“退出所有登录”，请重新登录。")
                return redirect_back(settings.LOGIN_URL_PATH, request)
            # Written at most once a minute, so that every page view is not a session write.
            if now - seen_at > 60 or SEEN_AT not in session:
                session[SEEN_AT] = now
        return self.get_response(request)


class TwoFactorMiddleware:
    """Province, city and administrator accounts use a second factor, and so does any account
    that has bound one: until the session is verified, every page but login, logout and the
    two-factor pages leads to setting up or entering a code. The two-factor pages themselves
    decide what a half-logged-in session may do there (accounts.services.totp_device_bind)."""

    # The login and the logout pages themselves, not what lies under them: /logout/everywhere/
    # ends the owner's verified sessions, which a password alone must not do.
    OPEN_PATHS = frozenset({"/login/", "/logout/"})
    OPEN_PREFIXES = ("/otp/", "/static/", "/favicon.ico")
    # Noted in the session at login (accounts.signals); binding a factor verifies it anyway.
    NEEDED = "_second_factor_needed"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from apps.accounts.models import TWO_FACTOR_ROLES
        from apps.accounts.services import needs_second_factor, totp_confirmed_device

        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated and not user.is_verified()
                and request.path not in self.OPEN_PATHS
                and not request.path.startswith(self.OPEN_PREFIXES)):
            if user.role in TWO_FACTOR_ROLES:
                has_device = totp_confirmed_device(user) is not None
                needed = True
            else:
                needed = request.session.get(self.NEEDED)
                if needed is None:  # a session from before the login noted it
                    needed = request.session[self.NEEDED] = needs_second_factor(user)
                has_device = needed
            if needed:
                target = "/otp/verify/" if has_device else "/otp/setup/"
                return redirect_back(target, request)
        return self.get_response(request)


class PasswordChangeRequiredMiddleware:
    """A password an administrator set is one-time: once the second factor is passed, every
    page but the password change (and logout) leads there until the owner has chosen one."""

    OPEN_PREFIXES = ("/login/", "/logout/", "/otp/", "/password/", "/static/", "/favicon.ico")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated and user.must_change_password
                and not request.path.startswith(self.OPEN_PREFIXES)):
            return redirect_back("/password/", request)
        return self.get_response(request)


class AdminConsoleMiddleware:
    """三员分立: an administrator account works in its own console (the accounts and audit
    pages) and nowhere else. Every other page, the Django admin included, answers 403 to it,
    whatever that page's own checks say, so a new business page cannot open to them by
    accident."""

    CONSOLE_NAMESPACES = frozenset({"accounts", "audit", "api_clients"})

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        from django.core.exceptions import PermissionDenied

        from apps.accounts.models import ADMIN_ROLES

        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or user.role not in ADMIN_ROLES:
            return None
        match = request.resolver_match
        if match is None or match.namespace not in self.CONSOLE_NAMESPACES:
            raise PermissionDenied("管理员账号仅可使用管理功能。")
        return None
