"""Security headers Django 5.2 does not set itself."""
from django.conf import settings


class ContentSecurityPolicyMiddleware:
    """No script but the server's own files: no inline script, no outside asset (SECURITY.md
    §11). Inline style attributes stay allowed (bar widths), inline <style> blocks do not."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = settings.CONTENT_SECURITY_POLICY

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", self.policy)
        return response


class NoStoreMiddleware:
    """Nothing a logged-in user receives is kept by a browser or proxy cache: pages, print
    views, downloads and error pages may all carry personal data. Static files never reach
    it (WhiteNoise answers them earlier)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated) or response.has_header(
                "Content-Disposition"):
            response["Cache-Control"] = "no-store, private"
            response["Pragma"] = "no-cache"
            response["Expires"] = "0"
        return response
