"""The person list at a million rows: pages by keyset on (created_at, id), counts nothing; a
name search matches the name's beginning through an index."""
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.accounts.scoping import visible
from apps.registry import selectors
from apps.registry.models import Person
from tests.dashboards.records import _person

pytestmark = pytest.mark.django_db


def _walk(client):
    """Follow 下一页 as a browser does: the link's own query string, decoded by the server."""
    import html
    url, seen, queries = reverse("registry:person_list"), [], []
    link = url
    for _ in range(50):  # a cursor that does not advance would loop: fail instead
        with CaptureQueriesContext(connection) as captured:
            response = client.get(link)
        assert response.status_code == 200
        queries.append([q["sql"] for q in captured.captured_queries])
        seen += [p.pk for p in response.context["page"]]
        found = re.search(r'href="(\?[^"]*after=[^"]+)">下一页', response.content.decode())
        if not found:
            return seen, queries, response
        link = url + html.unescape(found.group(1))
    raise AssertionError("下一页 never ended: the cursor does not advance")


@pytest.fixture
def many(world, monkeypatch):
    from apps.common import paginator
    original = paginator.KeysetPage.__init__

    def small(self, qs, *, after, per_page=50, order=("stage_on", "id")):
        original(self, qs, after=after, per_page=2, order=order)
    monkeypatch.setattr(paginator.KeysetPage, "__init__", small)
    for unit in (world.unit_u1, world.unit_u1, world.unit_u2, world.unit_u3, world.unit_u1):
        _person(unit)
    return world


@pytest.mark.parametrize("who", ["province", "city_ty", "unit_u1", "agency_a1"])
def test_every_person_the_user_may_see_once_newest_first(many, client, who):
    user = getattr(many, who)
    client.force_login(user)
    seen, queries, _ = _walk(client)
    expected = list(visible(Person.objects.all(), user).order_by("-created_at", "-id")
                    .values_list("pk", flat=True))
    assert len(expected) >= 2 and seen == expected
    assert not any("COUNT(" in sql.upper() and "registry_person" in sql
                   for page in queries for sql in page)
    assert len({len(page) for page in queries[1:]}) == 1


def test_a_forged_cursor_is_the_first_page(many, client):
    client.force_login(many.province)
    first = client.get(reverse("registry:person_list")).context["page"]
    for bad in ("2026-13-99.x'--", "2026-01-01T00:00:00.5", "not-a-date.1", "."):
        page = client.get(reverse("registry:person_list"), {"after": bad}).context["page"]
        assert [p.pk for p in page] == [p.pk for p in first], bad


def test_a_name_search_finds_the_names_that_begin_with_it(world):
    _person(world.unit_u1)  # others of the unit
    found = selectors.person_search(world.province, q="张").people
    assert "张三" in [p.name for p in found]
    assert not selectors.person_search(world.province, q="三").people.exists()


def test_the_name_search_is_served_by_its_prefix_index(world):
    sql, params = selectors.person_search(world.province, q="张三").people.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(r[0] for r in cursor.fetchall())
    assert "person_name_prefix" in plan, plan
