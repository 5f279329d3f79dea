"""The API's one way in: ``Authorization: Bearer lx_<prefix>_<secret>``.

The request user is the client's own account (ApiClient.user), with the client's role and
organisation, so ``scoping.visible`` decides every row as it does for the pages; there is
no request without a user (django-oauth-toolkit's client credentials leave none)."""
from django.utils import timezone
from rest_framework import authentication, exceptions

from apps.api.models import ApiClient
from apps.api.services import key_matches, key_prefix


class ApiKeyAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header:
            return None  # → 401 with WWW-Authenticate: Bearer
        scheme, _, key = header.partition(" ")
        key = key.strip()
        prefix = key_prefix(key) if scheme == self.keyword else None
        client = (ApiClient.objects.select_related("user").filter(prefix=prefix).first()
                  if prefix else None)
        # Every refusal past this point is audited with the client it named (views.ApiView).
        request._request.api_client_attempt = client
        if not key_matches(client, key or ""):
            raise exceptions.AuthenticationFailed("接口密钥无效。")
        if client.revoked_at:
            raise exceptions.AuthenticationFailed("该接口客户端已吊销。")
        if client.authorised_at is None:
            raise exceptions.AuthenticationFailed("该接口客户端尚未经安全管理员授权。")
        if timezone.localdate() > client.expires_on:
            raise exceptions.AuthenticationFailed(
                f"该接口客户端已于{client.expires_on:%Y-%m-%d}过期。")
        if not client.allows_ip(request.META.get("REMOTE_ADDR", "")):
            raise exceptions.AuthenticationFailed("请求来源地址不在该客户端允许的范围内。")
        user = client.user
        if not user.is_active or not user.scope_authorised:
            raise exceptions.AuthenticationFailed("该接口客户端的账号已停用。")
        return user, client

    def authenticate_header(self, request):
        return self.keyword
