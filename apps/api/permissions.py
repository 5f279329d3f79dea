from rest_framework import permissions

from apps.api.models import Grant


class HasGrant(permissions.BasePermission):
    """The view names the grant each method needs (``grants``); a client without it gets 403."""

    def has_permission(self, request, view):
        client = request.auth
        needed = view.grants.get(request.method)
        if client is None or needed is None:
            return False
        if not client.has(needed):
            self.message = f"该接口客户端未获授权：{Grant(needed).label}。"
            return False
        return True
