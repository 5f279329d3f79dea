"""The OpenAPI schema (drf-spectacular), said in Chinese: each operation's summary is its
view's ``summary``, its description the grant it needs."""
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema

from apps.api.models import Grant


class ApiSchema(AutoSchema):
    def get_summary(self):
        summary = getattr(self.view, "summary", "")
        if isinstance(summary, dict):
            summary = summary.get(self.method, "")
        return summary or None

    def get_description(self):
        grant = getattr(self.view, "grants", {}).get(self.method)
        return f"所需授权：{Grant(grant).label}" if grant else ""

    def get_tags(self):
        return ["数据接口"]


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "apps.api.authentication.ApiKeyAuthentication"
    name = "接口密钥"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer",
                "description": "Authorization: Bearer lx_前缀_密钥（由系统管理员新建、安全管理员授权）"}
