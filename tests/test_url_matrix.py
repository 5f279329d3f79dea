"""Walk every URL as every role, on its own and on a foreign object (SECURITY.md, scope matrix)."""
import io
import re

import pytest
from openpyxl import load_workbook
from django.db import transaction
from django.forms.models import model_to_dict
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from apps.registry.idnumber import mask_id, mask_phone
from tests.conftest import SENTINEL_AGENCY, SENTINEL_ID, SENTINEL_PERSON, SENTINEL_PHONE, SENTINEL_UNIT
from tests.api.registry import API_ROUTES
from tests.url_registry import PUBLIC, ROUTES, A, C, U


def _url_names(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            ns = pattern.namespace
            prefix = f"{namespace}{ns}:" if ns else namespace
            yield from _url_names(pattern, prefix)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}"


def test_every_url_is_in_the_registry():
    names = set(_url_names())
    # The API's endpoints answer to a key, not a session: tests/api/test_api_matrix.py walks
    # them per client grant and own/foreign object.
    missing = names - set(ROUTES) - PUBLIC - set(API_ROUTES)
    assert not missing, f"URLs with no scope entry in tests/url_registry.py: {sorted(missing)}"
    stale = (set(ROUTES) | set(API_ROUTES)) - names
    assert not stale, f"registry names no URL: {sorted(stale)}"


def _call(client, case, url, world):
    data = case.data(world) if case.data else {}
    # Each call in its own savepoint: a POST by one role must not change the next role's world.
    with transaction.atomic():
        response = getattr(client, case.method)(url, data)
        transaction.set_rollback(True)
    return response


def _expected(case, role, side):
    if role not in case.roles:
        return 403
    if side == "own":
        if role in case.denied_own:
            return 403
        return 404 if role in case.hidden_own else case.ok
    if role in case.sees_foreign:
        return case.foreign_ok or case.ok
    return 404


@pytest.mark.parametrize("name", sorted(ROUTES))
def test_url_as_every_role(name, world, client):
    failures = []
    for case in ROUTES[name]:
        sides = [("own", case.own)] + ([("foreign", case.foreign)] if case.foreign else [])
        for side, kwargs in sides:
            url = reverse(name, kwargs=kwargs(world) if kwargs else None)
            client.logout()
            anonymous = getattr(client, case.method)(url)
            if anonymous.status_code not in (302, 405) or (
                anonymous.status_code == 302 and "/login/" not in anonymous["Location"]
            ):
                failures.append(f"anonymous {case.method} {url}: {anonymous.status_code}")
            for role, user in world.by_role.items():
                client.force_login(user)
                before = model_to_dict(case.target(world, side)) if case.target else None
                response = _call(client, case, url, world)
                expected = _expected(case, role, side)
                if response.status_code != expected:
                    failures.append(f"{role} {case.method} {url} ({side}): "
                                    f"{response.status_code}, expected {expected}")
                if before is not None and expected in (403, 404):
                    obj = case.target(world, side)
                    obj.refresh_from_db()
                    if model_to_dict(obj) != before:
                        failures.append(f"{role} {case.method} {url} changed a foreign object")
    assert not failures, "\n".join(failures)


def readable(response) -> str:
    """A response as text, xlsx downloads included (every cell of every sheet)."""
    if response.get("Content-Type", "").startswith("application/vnd.openxmlformats"):
        workbook = load_workbook(io.BytesIO(response.content))
        return "\n".join(str(cell.value) for ws in workbook for row in ws.iter_rows()
                         for cell in row if cell.value is not None)
    return response.content.decode()


def test_lists_never_show_the_other_city(world, client):
    """Every GET page without arguments, as 太原-side city/unit/agency users: no 大同 sentinel."""
    for role, user in world.by_role.items():
        if role not in (C, U, A):
            continue
        client.force_login(user)
        for name, cases in ROUTES.items():
            for case in cases:
                if case.method != "get" or case.own or role not in case.roles:
                    continue
                response = client.get(reverse(name), follow=True)
                body = readable(response)
                for secret in (SENTINEL_UNIT, SENTINEL_AGENCY, SENTINEL_PERSON, SENTINEL_ID,
                               mask_id(SENTINEL_ID), SENTINEL_PHONE, mask_phone(SENTINEL_PHONE)):
                    assert secret not in body, f"{role} sees {secret} of 大同 on {name}"


# Pages whose purpose is the full value: an audited reveal, and the download of a granted
# disclosure (docs/DISCLOSURE.md). Every form, export and print view is crawled: masked.
FULL_VALUE_ROUTES = {"registry:person_reveal", "disclosures:download"}
ID_LIKE = re.compile(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9])")
PHONE_LIKE = re.compile(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])")


def _unmasked(text: str) -> list[str]:
    found = [m for m in ID_LIKE.findall(text) if _valid_id(m)]
    return found + PHONE_LIKE.findall(text)


def _valid_id(number: str) -> bool:
    from apps.registry.idnumber import IdNumberError, parse
    try:
        parse(number, min_age=0, max_age=200)
        return True
    except IdNumberError:
        return False


def test_no_page_shows_an_unmasked_id_or_phone(world, client):
    """Every GET page, as every role, on its own objects (xlsx decoded too)."""
    leaks = []
    for role, user in world.by_role.items():
        client.force_login(user)
        for name, cases in ROUTES.items():
            if name in FULL_VALUE_ROUTES:
                continue
            for case in cases:
                if case.method != "get" or role not in case.roles:
                    continue
                url = reverse(name, kwargs=case.own(world) if case.own else None)
                response = client.get(url)
                if response.status_code != 200:
                    continue
                body = readable(response) if not getattr(response, "streaming", False) else ""
                if _unmasked(body):
                    leaks.append(f"{role} {url}: {_unmasked(body)[:3]}")
    assert not leaks, "\n".join(leaks)


def test_the_crawler_would_catch_a_leak(world):
    from tests.conftest import OWN_ID
    assert _unmasked(f"<td>{OWN_ID}</td><td>13800001234</td>") == [OWN_ID, "13800001234"]
    assert _unmasked("<td>140105********2355</td><td>138****1234</td>") == []


# Integer parameters the pages read from the query string (apps.common.params.ascii_int), and
# values a user or an attacker sends: full-width digits, a number past bigint, a sign, digits
# str.isdigit() accepts and int() does not, a NUL, a formula, an overlong value.
INTEGER_PARAMS = ("page", "after", "year", "city", "unit", "project", "training_class",
                  "followup_issue", "candidacy", "status", "phase", "state", "kind", "q", "by")
HOSTILE_VALUES = ("１２", "99999999999999999999", "-1", "²", "1:²", "\x00", "1\x00",
                  "=1+1", "9" * 5000, " 3 ", "1e5", "nan")


def test_no_page_answers_500_to_hostile_query_strings(world, client):
    """Every GET page, as one role it serves, with each hostile value in every parameter the
    pages read: never a server error."""
    from django.test import Client
    client = Client(raise_request_exception=False)
    failures = []
    for name, cases in sorted(ROUTES.items()):
        for case in cases:
            if case.method != "get":
                continue
            role = next((r for r in world.by_role if r in case.roles
                         and r not in case.hidden_own and r not in case.denied_own), None)
            if role is None:
                continue
            client.force_login(world.by_role[role])
            url = reverse(name, kwargs=case.own(world) if case.own else None)
            for value in HOSTILE_VALUES:
                response = client.get(url, {key: value for key in INTEGER_PARAMS})
                if response.status_code >= 500:
                    failures.append(f"{role} GET {url} ?…={value[:12]!r}: {response.status_code}")
    assert not failures, "\n".join(failures[:40])


def test_posted_integer_lists_and_numbers_never_answer_500(world):
    """The forms that read integers from a raw POST (ids ticked in a list, months typed)."""
    from django.test import Client
    client = Client(raise_request_exception=False)
    from apps.pipeline.models import Stage
    for user, url, data in (
        (world.unit_u1, reverse("training:class_enrol", kwargs={"pk": world.class_ty.pk}),
         lambda v: {"candidacy": [v, str(world.cand_ty.pk)]}),
        (world.province, reverse("pipeline:gap_limits"),
         lambda v: {f"months_{stage.value}": v for stage in Stage}),
        # The round a claim page showed, posted with every step.
        (world.city_ty, reverse("subsidies:claim_action", args=[world.claim_ty.pk, "review"]),
         lambda v: {"round": v}),
    ):
        client.force_login(user)
        for value in HOSTILE_VALUES:
            response = client.post(url, data(value))
            assert response.status_code < 500, (url, value[:12], response.status_code)
