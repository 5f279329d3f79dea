"""Every API endpoint × client role × grant held or not × own/foreign object (issue 23,
item 7): the API's side of the URL × role matrix (tests/test_url_matrix.py walks the pages)."""
import pytest
from django.db import transaction
from django.forms.models import model_to_dict
from django.urls import reverse

from apps.registry.idnumber import mask_id, mask_phone
from tests.api.clients import all_grants, call, clients_by_role
from tests.api.registry import API_ROUTES, API_WRITES, CLIENTS, P
from tests.conftest import SENTINEL_AGENCY, SENTINEL_ID, SENTINEL_PERSON, SENTINEL_PHONE, SENTINEL_UNIT
from tests.test_url_matrix import _url_names

SECRETS = (SENTINEL_UNIT, SENTINEL_AGENCY, SENTINEL_PERSON, SENTINEL_ID, mask_id(SENTINEL_ID),
           SENTINEL_PHONE, mask_phone(SENTINEL_PHONE))


def test_every_api_url_is_in_the_api_registry():
    from tests.url_registry import ROUTES
    api = {n for n in _url_names() if n.startswith("api:")}
    missing = api - set(API_ROUTES) - set(ROUTES)
    assert not missing, f"API URLs with no entry in tests/api/registry.py: {sorted(missing)}"


def _expected(case, role, side, granted):
    if not granted:
        return 403
    if side == "foreign" and role not in case.sees_foreign:
        return 404
    if role not in case.roles:
        return 403
    return case.ok


@pytest.fixture
def clients(world):
    """For each role: a client with every grant the role may hold, and for each grant one
    with all but that grant."""
    full = clients_by_role(world)
    without = {}
    grants = {case.grant for case in [*API_ROUTES.values(), *API_WRITES.values()] if case.grant}
    for grant in grants:
        without[grant] = {role: c for role, c in clients_by_role(world, grants=None).items()}
        for role, c in without[grant].items():
            c.grants = [g for g in all_grants(role) if g != grant]
            c.save(update_fields=["grants"])
    return full, without


CASES = [(name, case) for name, case in API_ROUTES.items()] + \
        [(name, case) for name, case in API_WRITES.items()]


@pytest.mark.parametrize("name,case", CASES, ids=[f"{n}:{c.method}" for n, c in CASES])
def test_endpoint_as_every_client(name, case, world, clients, client):
    full, without = clients
    failures = []
    sides = [("own", case.own)] + ([("foreign", case.foreign)] if case.foreign else [])
    for side, kwargs in sides:
        url = reverse(name, kwargs=kwargs(world) if kwargs and kwargs(world) else None)
        anonymous = getattr(client, case.method)(url)
        if anonymous.status_code != 401 or anonymous.get("WWW-Authenticate") != "Bearer":
            failures.append(f"anonymous {case.method} {url}: {anonymous.status_code}")
        for role in CLIENTS:
            variants = [("granted", full[role])]
            if case.grant:
                variants.append(("without", without[case.grant][role]))
            for variant, api_client in variants:
                granted = case.grant is None or case.grant in api_client.grants
                target = case.target(world, side) if case.target else None
                before = model_to_dict(target) if target is not None else None
                with transaction.atomic():
                    data = case.data(world, side) if case.data else None
                    response = call(client, case.method, url, api_client.key, data)
                    transaction.set_rollback(True)
                expected = _expected(case, role, side, granted)
                if response.status_code != expected:
                    failures.append(f"{role} {variant} {case.method} {url} ({side}): "
                                    f"{response.status_code} {response.content[:200]!r}, "
                                    f"expected {expected}")
                if before is not None and expected in (403, 404):
                    target.refresh_from_db()
                    if model_to_dict(target) != before:
                        failures.append(f"{role} {case.method} {url} changed a foreign object")
                if response.status_code in (403, 404, 400):
                    body = response.json()
                    if not any("\u4e00" <= ch <= "\u9fff" for ch in str(body)):
                        failures.append(f"{role} {url}: refusal not in Chinese: {body}")
                if (role != P and case.method == "get" and response.status_code == 200
                        and name != "api:schema"):
                    text = response.content.decode()
                    failures += [f"{role} sees {secret} of 大同 on {name}"
                                 for secret in SECRETS if secret in text]
    assert not failures, "\n".join(failures)
