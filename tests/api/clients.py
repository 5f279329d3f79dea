"""API clients for the tests: made as the pages make them (the system administrator creates,
the security administrator authorises), and a caller that sends the key."""
import json
from datetime import timedelta

from django.utils import timezone

from apps.accounts.models import Role
from apps.api.models import Grant
from apps.api.services import GRANT_ROLES, apiclient_authorise, apiclient_create

LOCAL = "127.0.0.1"


def all_grants(role) -> list[str]:
    """Every grant the role may hold."""
    return [g for g in Grant.values if role in GRANT_ROLES.get(g, {role})]


def make_client(w, role, org=None, *, grants=None, authorise=True, ips=LOCAL, rate_limit=1000,
                name=None):
    org_field = {Role.CITY: "city", Role.UNIT: "unit", Role.AGENCY: "agency"}.get(role)
    client, key = apiclient_create(
        actor=w.sysadmin, name=name or f"测试客户端{role}", purpose="自动测试", role=role,
        grants=all_grants(role) if grants is None else grants, ip_allowlist=ips,
        expires_on=timezone.localdate() + timedelta(days=30), rate_limit=rate_limit,
        **({org_field: org} if org_field else {}))
    if authorise:
        client = apiclient_authorise(client, actor=w.secadmin)
    client.key = key
    return client


def clients_by_role(w, **kwargs) -> dict:
    """One client per role, on the 太原 side (as world.by_role for the pages)."""
    return {
        Role.PROVINCE: make_client(w, Role.PROVINCE, **kwargs),
        Role.CITY: make_client(w, Role.CITY, w.ty, **kwargs),
        Role.UNIT: make_client(w, Role.UNIT, w.u1, **kwargs),
        Role.AGENCY: make_client(w, Role.AGENCY, w.a1, **kwargs),
    }


def call(http, method, url, key, data=None, ip=LOCAL, **extra):
    """One request with the key, as another system sends it (JSON body)."""
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}", "REMOTE_ADDR": ip, **extra}
    if method == "get":
        return http.get(url, data or {}, **headers)
    return getattr(http, method)(url, json.dumps(data or {}), content_type="application/json",
                                 **headers)
