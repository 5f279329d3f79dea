"""Production settings pass Django's deploy checks; every page sends a strict CSP."""
import base64
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

from django.urls import reverse

ROOT = Path(__file__).resolve().parent.parent


def test_production_settings_pass_check_deploy():
    key = lambda: base64.urlsafe_b64encode(os.urandom(32)).decode()  # noqa: E731
    # The browser tests set DJANGO_ALLOW_ASYNC_UNSAFE for themselves; a deployment never does.
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update({"PRODUCTION": "true", "SECRET_KEY": secrets.token_urlsafe(64),
                "ALLOWED_HOSTS": "laborexport.example.cn", "FIELD_ENCRYPTION_KEY": key(),
                "BLIND_INDEX_KEY": key()})
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_keys():
    env = {**os.environ, "PRODUCTION": "true", "SECRET_KEY": secrets.token_urlsafe(64),
           "FIELD_ENCRYPTION_KEY": "", "BLIND_INDEX_KEY": ""}
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode != 0 and "FIELD_ENCRYPTION_KEY" in result.stderr


def test_pages_send_a_csp_without_inline_script_and_have_none(world, client):
    from tests.url_registry import ROUTES
    for name, cases in ROUTES.items():
        for case in cases:
            # The province's pages, and the administrators' consoles.
            role = next((r for r in ("province", "sysadmin", "secadmin", "auditadmin")
                         if r in case.roles), None)
            if case.method != "get" or role is None:
                continue
            client.force_login(world.by_role[role])
            response = client.get(reverse(name, kwargs=case.own(world) if case.own else None))
            if response.get("Content-Type", "").startswith("text/html"):
                policy = dict(d.strip().split(" ", 1) for d in
                              response["Content-Security-Policy"].split(";"))
                assert policy["script-src"] == "'self'" and policy["style-src"] == "'self'"
                body = response.content.decode()
                # A json_script data block is not run by the browser: only code counts.
                inline = [s for s in re.findall(r"<script\b[^>]*>", body)
                          if "src=" not in s and 'type="application/json"' not in s]
                assert not inline, f"{name}: inline script {inline}"
                assert not re.search(r"(src|href)=\"https?://", body), f"{name}: outside asset"
