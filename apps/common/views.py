"""The pages a user lands on when something goes wrong, in Chinese and in the site's layout.

Wired in laborexport/urls.py (handler400/403/404/500) and settings.CSRF_FAILURE_VIEW.
Each says what happened and offers a way back: to the page the user came from when it is
ours, and to the home page.
"""
import re

from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.templatetags.static import static
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import cache_control

# A message worth showing is one we wrote for users: Chinese. Django's own (get_object_or_404's
# "No Person matches the given query.", URL resolver details) name models and patterns.
_CHINESE = re.compile(r"[\u4e00-\u9fff]")
_DJANGO_404 = "没有找到符合查询的"


def _reason(exception) -> str:
    message = exception.args[0] if exception is not None and exception.args else ""
    if not isinstance(message, str) or not _CHINESE.search(message):
        return ""
    if message.startswith(_DJANGO_404):
        return ""
    return message


def _back(request) -> str:
    """The page the user came from, when it is on this site and is not the failing page."""
    referer = request.META.get("HTTP_REFERER", "") if request is not None else ""
    if not referer or not url_has_allowed_host_and_scheme(
            referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return ""
    # A page that fails on GET would fail again; a refused POST goes back to its form.
    if request.method == "GET" and referer.endswith(request.get_full_path()):
        return ""
    return referer


def _error_page(request, template, status, *, reason="", default=""):
    return render(request, template, {
        "reason": reason or default, "back": _back(request),
    }, status=status)


def bad_request(request, exception, template_name="400.html"):
    return _error_page(request, template_name, 400)


def permission_denied(request, exception, template_name="403.html"):
    return _error_page(request, template_name, 403, reason=_reason(exception),
                       default="您的角色无权使用此功能。")


def page_not_found(request, exception, template_name="404.html"):
    return _error_page(request, template_name, 404, reason=_reason(exception))


def server_error(request, template_name="500.html"):
    # Rendered without the request's context processors: whatever broke the page (the
    # database, a context processor) must not break the error page too.
    from django.template import loader
    from django.http import HttpResponseServerError
    return HttpResponseServerError(loader.get_template(template_name).render())


def csrf_failure(request, reason=""):
    # Django's reason ("CSRF cookie not set.") is for the log, not for users: say what to do.
    return _error_page(request, "403_csrf.html", 403)


@cache_control(max_age=86400, public=True)
def favicon(request):
    # Browsers ask for /favicon.ico whatever the page's <link> says.
    return HttpResponseRedirect(static("favicon.svg"))
